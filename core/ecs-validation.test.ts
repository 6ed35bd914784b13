import { ECS_SHAPE, validateEcsEvent } from './ecs-validation';
import { describeIssues, EcsEvent } from './event';

/** The value with its key order, prototypes, undefined and -0 made visible, for exact comparison. */
function layout(v: unknown): unknown {
  if (Array.isArray(v)) return { array: Array.from({ length: v.length }, (_, i) => (i in v ? layout(v[i]) : 'hole')) };
  if (typeof v === 'object' && v !== null) {
    const proto = Object.getPrototypeOf(v);
    return {
      proto: proto === Object.prototype ? 'Object' : proto === null ? 'null' : 'other',
      own: Reflect.ownKeys(v).map((k) => [String(k), layout((v as Record<PropertyKey, unknown>)[k])]),
    };
  }
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  return v === undefined ? 'undefined' : v;
}

function valid(): Record<string, unknown> {
  return {
    '@timestamp': '2026-11-20T08:00:00.000Z',
    message: 'user1 query ds.1',
    tags: ['a'],
    event: {
      id: 'abc123',
      kind: 'event',
      category: ['web'],
      type: 'access',
      action: 'query',
      outcome: 'success',
      original: '{}',
      ingested: '2026-11-20T08:00:00.000Z',
      severity: 3,
    },
    host: { name: 'host-1', ip: ['10.0.0.1'] },
    user: { name: 'user1', id: 'u-1', roles: ['analyst'] },
    source: { ip: '10.0.0.2', port: 22 },
    destination: { ip: '10.0.0.3', port: 443 },
    organization: { name: '公安局' },
    citysoc: {
      source: 'data-api',
      collector: 'fb',
      dead_letter: false,
      data: { dataset: 'ds.1', classification: '敏感', action: 'query', records: 0, bytes: 10, platform: 'x' },
    },
    http: { request: { method: 'POST' } },
    zz: 1,
    '10': 'integer-like key',
  };
}

const HOSTILE: unknown[] = [
  null,
  undefined,
  0,
  'text',
  true,
  [],
  {},
  Object.create(null),
  new Date(),
  -0,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  1.5,
  -1,
  2 ** 53,
  2 ** 53 - 1,
  '',
  'x',
  'ab',
  '\uD800',
  '😀',
  // Either side of the event id's limit, in units and in code points.
  'i'.repeat(128),
  'i'.repeat(129),
  '好'.repeat(128),
  '😀'.repeat(64),
  '😀'.repeat(65),
  'a'.repeat(32_766),
  'a'.repeat(32_767),
  '😀'.repeat(16_383),
  '😀'.repeat(16_384),
  'b'.repeat(100_000),
  ['a'],
  [],
  ['a', 1],
  // A sparse array (a hole reads as undefined).
  Object.assign(new Array<unknown>(3), { 0: 'a', 2: 'b' }),
  [['a']],
  ['a'.repeat(32_767)],
  { name: 'x' },
  { __proto__: { name: 'inherited' } },
  JSON.parse('{"__proto__":{"name":"polluted"},"name":"n"}'),
  JSON.parse('{"constructor":{"prototype":{"x":1}}}'),
  '2026-11-20T08:00:00Z',
  '2026-11-20T08:00:00+08:00',
  '2026-11-20T08:00:00.123456789-05:30',
  '9999-12-31T23:59:59.999Z',
  '+010000-01-01T00:00:00.000Z',
  '0000-01-01T00:00:00Z',
  '2024-02-29T00:00:00Z',
  '2023-02-29T00:00:00Z',
  '2026-11-20T24:00:00Z',
  '2026-11-20T08:00:00',
  '2026-11-20 08:00:00Z',
  'NaN',
  'Invalid Date',
  'alert',
  'success',
  '敏感',
  'export',
  'constructor',
  '__proto__',
];

/** Every path of the schema's mirror, so each typed field meets each hostile value. */
function paths(shape = ECS_SHAPE, prefix: string[] = []): string[][] {
  return shape.fields.flatMap((f) => [[...prefix, f.key], ...(f.object ? paths(f.object, [...prefix, f.key]) : [])]);
}

function withValue(path: string[], value: unknown, remove = false): Record<string, unknown> {
  const doc = valid();
  let cur = doc;
  for (const k of path.slice(0, -1)) {
    if (typeof cur[k] !== 'object' || cur[k] === null) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  if (remove) delete cur[path[path.length - 1]!];
  else cur[path[path.length - 1]!] = value;
  return doc;
}

function expectSameAsZod(input: unknown): boolean {
  const mine = validateEcsEvent(input);
  const zod = EcsEvent.safeParse(input);
  expect(mine.success).toBe(zod.success);
  if (mine.success && zod.success) {
    expect(layout(mine.data)).toEqual(layout(zod.data));
    expect(mine.data).not.toBe(input);
  } else if (!mine.success && !zod.success) expect(describeIssues(mine.error)).toBe(describeIssues(zod.error));
  return zod.success;
}

describe('the compiled ECS event check', () => {
  it('has the same fields as the EcsEvent schema, at every level', () => {
    const keysOf = (schema: unknown): unknown => {
      const s = schema as { shape?: Record<string, unknown>; unwrap?: () => unknown; def?: { type: string } };
      if (s.def?.type === 'optional') return keysOf(s.unwrap!());
      if (!s.shape || s.def?.type !== 'object') return null;
      return Object.fromEntries(Object.entries(s.shape).map(([k, v]) => [k, keysOf(v)]));
    };
    const mirror = (shape = ECS_SHAPE): unknown => Object.fromEntries(shape.fields.map((f) => [f.key, f.object ? mirror(f.object) : null]));
    expect(mirror()).toEqual(keysOf(EcsEvent));
  });

  it('accepts a valid event with the output zod builds: schema keys first, in schema order, then the rest', () => {
    expect(expectSameAsZod(valid())).toBe(true);
    const out = validateEcsEvent(valid());
    expect(out.success && Object.keys(out.data)).toEqual([
      '10',
      '@timestamp',
      'message',
      'tags',
      'event',
      'host',
      'user',
      'source',
      'destination',
      'organization',
      'citysoc',
      'http',
      'zz',
    ]);
  });

  it('accepts and refuses exactly what EcsEvent.safeParse does for every hostile value in every field, with the same errors', () => {
    let accepted = 0;
    let refused = 0;
    for (const path of paths()) {
      for (const value of HOSTILE) {
        if (expectSameAsZod(withValue(path, value))) accepted++;
        else refused++;
      }
      expectSameAsZod(withValue(path, undefined, true));
    }
    // Both outcomes are exercised, so the comparison is not vacuous.
    expect(accepted).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(1000);
  });

  it('treats hostile roots like zod: non-objects, prototypes other than Object, __proto__ and constructor keys', () => {
    for (const value of HOSTILE) expectSameAsZod(value);
    expectSameAsZod(
      JSON.parse(JSON.stringify({ '@timestamp': '2026-11-20T08:00:00Z', event: { id: 'abc' } }).replace('{', '{"__proto__":{"event":{"id":"zz"}},')),
    );
    expectSameAsZod(JSON.parse('{"@timestamp":"2026-11-20T08:00:00Z","event":{"id":"abc","__proto__":{"kind":"nonsense"}},"constructor":"x"}'));
    expectSameAsZod(Object.assign(Object.create({ event: { id: 'inherited' } }), { '@timestamp': '2026-11-20T08:00:00Z' }));
    expectSameAsZod(Object.assign(Object.create(null), { '@timestamp': '2026-11-20T08:00:00Z', event: { id: 'abc' } }));
    const out = validateEcsEvent(JSON.parse('{"@timestamp":"2026-11-20T08:00:00Z","event":{"id":"abc"},"__proto__":{"polluted":true}}'));
    expect(out.success && Object.getPrototypeOf(out.data)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses an event id over 128 UTF-16 units, which could reach the 512 bytes the search engines refuse', () => {
    const at = (id: string) => validateEcsEvent({ '@timestamp': '2026-11-20T08:00:00Z', event: { id } });
    expect(at('好'.repeat(128)).success).toBe(true);
    const over = at('好'.repeat(129));
    expect(over.success).toBe(false);
    expect(describeIssues(over.error!)).toMatch(/^event\.id: .*128/);
    expect(Buffer.byteLength('好'.repeat(128) + '~0123456789abcdef')).toBeLessThanOrEqual(512);
  });

  it('keeps present-but-undefined optional fields and refuses a missing @timestamp or event.id like zod', () => {
    expectSameAsZod({ '@timestamp': '2026-11-20T08:00:00Z', message: undefined, host: undefined, event: { id: 'abc', kind: undefined } });
    expectSameAsZod({ '@timestamp': undefined, event: { id: 'abc' } });
    expectSameAsZod({ '@timestamp': '2026-11-20T08:00:00Z' });
    expectSameAsZod({ '@timestamp': '2026-11-20T08:00:00Z', event: { id: undefined } });
  });
});
