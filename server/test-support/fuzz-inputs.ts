/**
 * Hostile inputs for every surface the platform listens on, from fast-check's arbitraries (the
 * maintained property-testing library for JavaScript): ingest bodies (ECS JSON, NDJSON, Fluent Bit
 * records, the Elasticsearch _bulk format), syslog frames, GraphQL documents and PDP requests.
 *
 * Every ingest item carries a nonce, so no two items are the same content: then every item sent
 * must become exactly one stored document (an event or a dead letter), and the test can count.
 */
import fc from 'fast-check';

let serial = 0;
/** A marker no two items share. */
export const nonce = (): string => `fz${(serial++).toString(36)}`;

/** Strings that break parsers: quotes, escapes, control characters, long runs, unicode, format words. */
export const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    '\u0000',
    '"',
    "'",
    '\\',
    '{',
    '[',
    '}{',
    '\ud800',
    '9999-12-31T23:59:59Z',
    '-0001-01-01',
    'NaN',
    '1e400',
    '__proto__',
    'constructor',
    '$where',
    '<14>1 2026-11-20T01:00:00Z h a - - - x',
    'Dec 10 06:55:48 LabSZ sshd[24200]: Failed password for invalid user x from 1.2.3.4 port 1 ssh2',
    "x') OR 1=1 --",
    '城管',
    'a'.repeat(5000),
  ),
);

const key = fc.oneof(
  fc.constantFrom(
    '@timestamp',
    'message',
    'event',
    'event.id',
    'organization',
    'host',
    'citysoc',
    'user',
    'log',
    'date',
    'tag',
    '__proto__',
    'constructor',
    '_id',
    '_index',
  ),
  hostileString,
);

/** JSON values of any shape, ECS-looking keys among them, with deep nesting sometimes. */
export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 3, arbitrary: fc.dictionary(key, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 8 }) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 1, max: 3000 }).map((depth) => JSON.parse('{"a":'.repeat(depth) + '1' + '}'.repeat(depth)) as unknown),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      '@timestamp': fc.oneof(hostileString, fc.integer(), fc.double()),
      message: hostileString,
      event: fc.record({ id: hostileString, original: hostileString }, { requiredKeys: [] }),
      organization: fc.record({ name: hostileString }, { requiredKeys: [] }),
    }),
  },
);

/** One ingest item with its nonce: an object gains a field, anything else becomes a string that starts with it. */
function marked(v: unknown): unknown {
  const n = nonce();
  if (v && typeof v === 'object' && !Array.isArray(v)) return { ...v, fz: n };
  return `${n} ${typeof v === 'string' ? v : JSON.stringify(v)}`;
}

/** A line of text with a nonce (never containing a newline, so it stays one line). */
const markedLine = (s: string) => `${nonce()} ${s.replace(/[\r\n]/g, ' ')}`;

export type IngestBody = { readonly path: string; readonly body: string | Buffer; readonly headers: Record<string, string> };

/** POST /ingest/v1/events: a JSON array, NDJSON, a single object, or not JSON at all. */
export const eventsBody: fc.Arbitrary<IngestBody> = fc
  .tuple(
    fc.array(hostileJson, { minLength: 1, maxLength: 20 }),
    fc.constantFrom('array', 'ndjson', 'text'),
    fc.array(hostileString, { minLength: 1, maxLength: 10 }),
  )
  .map(([values, style, lines]) => ({
    path: '/ingest/v1/events',
    headers: { 'content-type': style === 'array' ? 'application/json' : 'application/x-ndjson' },
    body:
      style === 'array'
        ? JSON.stringify(values.map(marked))
        : style === 'ndjson'
          ? values.map((v) => JSON.stringify(marked(v))).join('\n')
          : lines.map(markedLine).join('\n'),
  }));

/** A URL path segment from any string (lone surrogates become U+FFFD first, as a client's encoder would). */
const pathPart = (s: string) => encodeURIComponent(Buffer.from(s, 'utf8').toString('utf8'));

const tagPart = fc.oneof(fc.constantFrom('citysoc', 'openssh', 'auto', 'linux', 'hdfs-audit', 'nope', '城管', '', '..', '%zz'), hostileString);

/** POST /ingest/v1/fluent-bit/<tag>: records of any shape (json array or json_lines), under a hostile tag. */
export const fluentBitBody: fc.Arbitrary<IngestBody> = fc
  .tuple(
    fc.array(tagPart, { minLength: 1, maxLength: 4 }),
    fc.array(fc.record({ date: fc.oneof(fc.double(), fc.integer(), hostileString), log: hostileString, file_path: hostileString }, { requiredKeys: ['log'] }), {
      minLength: 1,
      maxLength: 20,
    }),
    fc.boolean(),
  )
  .map(([tag, records, lines]) => {
    const rs = records.map((r) => ({ ...r, log: markedLine(r.log) }));
    return {
      path: `/ingest/v1/fluent-bit/${pathPart(tag.join('.'))}`,
      headers: { 'content-type': 'application/json' },
      body: lines ? rs.map((r) => JSON.stringify(r)).join('\n') : JSON.stringify(rs),
    };
  });

const bulkAction = fc.oneof(
  fc.record({ index: fc.record({ _index: fc.oneof(fc.constant('logs'), hostileString), _id: hostileString }, { requiredKeys: [] }) }),
  fc.record({ create: fc.record({ _index: fc.oneof(fc.constant('logs'), hostileString) }, { requiredKeys: [] }) }),
  fc.record({ delete: fc.record({ _id: hostileString }) }),
  fc.record({ update: fc.record({ _id: hostileString }) }),
  hostileJson,
);

/** An action line made unique: the nonce inside the metadata of a well-formed action, else beside it or before it. */
function markedAction(a: unknown): string {
  if (a && typeof a === 'object' && !Array.isArray(a)) {
    const [name, meta] = Object.entries(a)[0] ?? [];
    if (Object.keys(a).length === 1 && meta && typeof meta === 'object' && !Array.isArray(meta)) return JSON.stringify({ [name!]: { ...meta, fz: nonce() } });
    return JSON.stringify({ ...a, fz: nonce() });
  }
  return markedLine(JSON.stringify(a) ?? 'null');
}

/** POST [/<index>]/_bulk: pairs of action and document lines, some broken, some actions unknown. */
export const bulkBody: fc.Arbitrary<IngestBody> = fc
  .tuple(fc.oneof(fc.constant(''), hostileString), fc.array(fc.tuple(bulkAction, fc.oneof(hostileJson, hostileString)), { minLength: 1, maxLength: 15 }))
  .map(([index, pairs]) => ({
    path: index ? `/${pathPart(index.replace(/^[_/]+/, 'x'))}/_bulk` : '/_bulk',
    headers: { 'content-type': 'application/x-ndjson' },
    body: pairs.flatMap(([a, d]) => [markedAction(a), typeof d === 'string' ? markedLine(d) : JSON.stringify(marked(d))]).join('\n') + '\n',
  }));

/** Bytes for a syslog TCP stream: newline frames, octet-counted frames (right and wrong), NULs, oversized. */
export const syslogStream: fc.Arbitrary<Buffer> = fc
  .array(
    fc.tuple(hostileString, fc.constantFrom('lf', 'octet', 'bad-octet', 'nul', 'raw')).map(([s, framing]) => {
      const m = `<${(Number.parseInt(nonce().slice(2), 36) % 200).toString()}>${markedLine(s)}`;
      const len = Buffer.byteLength(m);
      if (framing === 'lf') return `${m}\n`;
      if (framing === 'octet') return `${len} ${m}`;
      if (framing === 'bad-octet') return `${len * 7 + 3} ${m}`;
      if (framing === 'nul') return `${m}\u0000`;
      return m;
    }),
    { minLength: 1, maxLength: 20 },
  )
  .map((frames) => Buffer.from(frames.join('')));

/** One UDP datagram. */
export const syslogDatagram: fc.Arbitrary<Buffer> = fc
  .oneof(
    hostileString.map((s) => `<13>${markedLine(s)}`),
    fc.uint8Array({ maxLength: 2000 }).map((b) => `${nonce()} ${Buffer.from(b).toString('latin1')}`),
  )
  .map((s) => Buffer.from(s));

const FIELDS = ['events', 'event', 'eventAggregations', 'alerts', 'alert', 'auditRecords', 'me', 'users', '__schema', '__typename', 'nope'];
const graphqlValue = fc.oneof(
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  hostileString.map((s) => JSON.stringify(s)),
  fc.constantFrom('true', 'null', 'asc', 'terms', 'date_histogram', '[]', '{}', '$v'),
);
const graphqlSelection: fc.Arbitrary<string> = fc.letrec<{ sel: string }>((tie) => ({
  sel: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('total', 'events', 'id', 'name', 'value', 'buckets{key count}', '__typename'),
    fc
      .tuple(
        fc.option(fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/), { nil: undefined }),
        fc.constantFrom(...FIELDS),
        fc.array(fc.tuple(fc.constantFrom('size', 'query', 'id', 'field', 'aggs', 'sort', 'offset', 'after', 'interval', 'x'), graphqlValue), { maxLength: 3 }),
        fc.array(tie('sel'), { maxLength: 4 }),
      )
      .map(
        ([alias, f, args, sub]) =>
          `${alias ? `${alias}:` : ''}${f}${args.length ? `(${args.map(([k, v]) => `${k}:${v}`).join(',')})` : ''}${sub.length ? `{${sub.join(' ')}}` : ''}`,
      ),
  ),
})).sel;

/** GraphQL documents: mostly well-formed queries and mutations over real and made-up fields, sometimes raw garbage. */
export const graphqlDocument: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.array(graphqlSelection, { minLength: 1, maxLength: 6 }).map((s) => `{${s.join(' ')}}`) },
  { weight: 1, arbitrary: fc.array(graphqlSelection, { minLength: 1, maxLength: 3 }).map((s) => `mutation{${s.join(' ')}}`) },
  { weight: 1, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 20_000 }).map((n) => `{${'events{'.repeat(n)}${'}'.repeat(n)}}`) },
);

/** Bodies for POST /authz/v1/decide[/batch]. */
export const pdpBody: fc.Arbitrary<string> = fc.oneof(
  hostileJson.map((v) => JSON.stringify(v) ?? 'null'),
  hostileString,
  fc
    .record({
      subject: fc.record(
        {
          user: hostileString,
          roles: fc.array(fc.oneof(fc.constantFrom('analyst', 'admin', 'pdp'), hostileString), { maxLength: 3 }),
          department: hostileString,
        },
        { requiredKeys: [] },
      ),
      resource: fc.record(
        { type: fc.oneof(fc.constantFrom('events', 'alerts', 'datasets'), hostileString), department: hostileString, dataset: hostileString },
        { requiredKeys: [] },
      ),
      action: fc.oneof(fc.constantFrom('read', 'write', 'export'), hostileString),
      context: fc.dictionary(hostileString, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
    })
    .map((r) => JSON.stringify(r)),
  fc.array(hostileJson, { maxLength: 30 }).map((a) => JSON.stringify({ requests: a })),
  // well-formed requests with hostile values where the schema takes free text
  fc
    .record({
      user: hostileString,
      roles: fc.subarray(['analyst', 'auditor', 'department_admin', 'security_lead']),
      department: fc.oneof(fc.constantFrom('城管', '公安'), hostileString),
      type: fc.constantFrom('events', 'alerts'),
      target: fc.oneof(fc.constantFrom('城管', '公安'), hostileString),
      zone: fc.oneof(fc.constantFrom('政务外网', '互联网'), hostileString),
    })
    .map((r) =>
      JSON.stringify({
        subject: { user: r.user || 'x', roles: r.roles, department: r.department },
        resource: { type: r.type, department: r.target },
        action: 'read',
        context: { zone: r.zone },
      }),
    ),
);
