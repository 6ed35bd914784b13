/**
 * Regression tests for the holes an attack on the running platform found (the security review):
 * each names its finding. They run on the embedded platform over HTTP, as an attacker would.
 */
import { adminSession, type Running, signInAs, startTestPlatform, STRONG } from './test-support/harness';

const day = '2026-11-20';
const EVENTS = [
  ...Array.from({ length: 6 }, (_, i) => ({
    '@timestamp': `${day}T01:0${i}:00Z`,
    message: `query ${i}`,
    event: { id: `cg-${i}`, action: 'query', original: `raw cg ${i} phone 1381234123${i}` },
    organization: { name: '城管' },
    host: { name: `cg-host-${i % 2}` },
    citysoc: { person: { phone: `1381234123${i}`, name: '张三' } },
  })),
  ...Array.from({ length: 4 }, (_, i) => ({
    '@timestamp': `${day}T02:0${i}:00Z`,
    message: `query ${i}`,
    event: { id: `ga-${i}`, action: 'query' },
    organization: { name: '公安' },
    host: { name: 'ga-host' },
    citysoc: { data: { classification: '涉密' }, person: { phone: `1390000111${i}` } },
  })),
  // a stray event far in the future: a collector can write one
  { '@timestamp': '9999-12-31T23:59:59Z', message: 'from the future', event: { id: 'cg-future' }, organization: { name: '城管' } },
];

type Gql = Running['gql'];
const errorCode = async (gql: ReturnType<Gql>) => (await gql).errors?.[0]?.extensions?.code;

/** A seeded generator of hostile field names: quotes, JSON path syntax, SQL, unicode, control characters. */
function* hostileFields(seed: number, n: number): Generator<string> {
  const pieces = [
    "'",
    '"',
    '$',
    '.',
    '[',
    ']',
    '*',
    ' OR 1=1 --',
    ')',
    '(',
    '\\',
    '`',
    ';',
    'json_extract(doc,',
    '\u0000',
    '\n',
    '城管',
    'a',
    'organization.name',
    '@',
    '-',
    '_',
  ];
  let x = seed;
  const rnd = () => ((x = (x * 1103515245 + 12345) & 0x7fffffff), x / 0x7fffffff);
  for (let i = 0; i < n; i++) {
    const len = 1 + Math.floor(rnd() * 8);
    let s = '';
    for (let j = 0; j < len; j++) s += pieces[Math.floor(rnd() * pieces.length)]!;
    yield s;
  }
  yield `host.name') OR 1=1 OR json_extract(doc, '$.x`;
  yield `host.name"') > 0 UNION SELECT doc FROM events --`;
}

describe('security review findings stay fixed', () => {
  let r: Running;
  let admin: string;
  let analyst: string;
  beforeAll(async () => {
    r = await startTestPlatform(undefined, false, { 'auth.maxFailedLogins': 10, 'server.limits.loginPerMinute': 1000 });
    admin = await adminSession(r);
    await r.platform.ports.events.write(EVENTS.map((e) => r.platform.policy.prepareForIndex(e)) as never);
    analyst = await signInAs(r, admin, 'cg-analyst', 'analyst', '城管');
  }, 120_000);
  afterAll(async () => r.stop());

  it('finding 1: no field name in an aggregation or a sort changes the rows a caller sees', async () => {
    const visible = (await r.gql<{ events: { total: number } }>('{events(size:0){total}}', {}, analyst)).data!.events.total;
    expect(visible).toBe(7);
    for (const f of hostileFields(7, 150)) {
      const agg = await r.gql<{ eventAggregations: { total: number; aggs: { buckets: { count: number }[] | null; value: number | null }[] } }>(
        'query($f:String!){eventAggregations(aggs:[{name:"t",type:terms,field:$f,size:1000},{name:"c",type:cardinality,field:$f}]){total aggs{buckets{count} value}}}',
        { f },
        analyst,
      );
      if (agg.errors) expect(['QUERY_FIELD', 'INPUT_INVALID']).toContain(agg.errors[0]!.extensions!.code);
      else {
        expect(agg.data!.eventAggregations.total).toBe(visible);
        const counted = (agg.data!.eventAggregations.aggs[0]!.buckets ?? []).reduce((a, b) => a + b.count, 0);
        expect(counted).toBeLessThanOrEqual(visible);
        expect(agg.data!.eventAggregations.aggs[1]!.value!).toBeLessThanOrEqual(visible);
      }
      const sorted = await r.gql<{ events: { events: { event: { id: string } }[] } }>(
        'query($f:String!){events(sort:[{field:$f,order:asc}],size:100){events}}',
        { f },
        analyst,
      );
      if (sorted.errors) expect(['QUERY_FIELD', 'INPUT_INVALID']).toContain(sorted.errors[0]!.extensions!.code);
      else for (const e of sorted.data!.events.events) expect(e.event.id).toMatch(/^cg-/);
    }
  });

  it('finding 2: one request cannot exhaust the server — aliases, depth, page sizes and histogram buckets are bounded', async () => {
    const aliases = Array.from({ length: 50 }, (_, i) => `a${i}: events(size:1000){events}`).join(' ');
    expect(await errorCode(r.gql(`{${aliases}}`, {}, admin))).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(await errorCode(r.gql('{events(size:10000){events}}', {}, admin))).toBe('INPUT_INVALID');
    const tooDeep = `{${'x{'.repeat(10_000)}${'}'.repeat(10_000)}}`;
    const res = await fetch(`${r.platform.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({ query: tooDeep }),
    });
    expect(res.status).toBeLessThan(500);
    const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toMatch(/GRAPHQL_(PARSE|VALIDATION)_FAILED|BAD_USER_INPUT/);
    const hist = await r.gql('{eventAggregations(aggs:[{name:"h",type:date_histogram,interval:"1s"}]){total}}', {}, admin);
    expect(hist.errors![0]).toMatchObject({ extensions: { code: 'LIMIT_EXCEEDED', limit: 10_000 } });
    expect(hist.errors![0]!.message).toMatch(/exceed the limit of 10000; choose a larger interval or a narrower time range/);
    const deepQuery = await r.gql('query($q:String!){events(query:$q){total}}', { q: `${'('.repeat(500)}a${')'.repeat(500)}` }, admin);
    expect(deepQuery.errors![0]!.extensions!.code).toBe('QUERY_SYNTAX');
  });

  it('finding 3: masked fields stay masked in aggregation keys, in event.original and for prefix searches', async () => {
    const terms = await r.gql<{ eventAggregations: { aggs: { keys: string; buckets: { key: string; count: number }[] }[] } }>(
      '{eventAggregations(aggs:[{name:"p",type:terms,field:"citysoc.person.phone",size:100}]){aggs{keys buckets{key count}}}}',
      {},
      analyst,
    );
    const agg = terms.data!.eventAggregations.aggs[0]!;
    expect(agg.keys).toBe('mask');
    expect(agg.buckets.map((b) => [b.key, b.count]).sort()).toEqual(Array.from({ length: 6 }, (_, i) => [`138****123${i}`, 1]));
    const events = await r.gql<{ events: { events: { event: { original?: string } }[] } }>('{events(query:"event.id:cg-1"){events}}', {}, analyst);
    expect(events.data!.events.events[0]!.event.original).toBe('raw cg 1 phone 138****1231');
    expect(await errorCode(r.gql('{events(query:"citysoc.person.phone:138*"){total}}', {}, analyst))).toBe('QUERY_FIELD');
    expect(await errorCode(r.gql('{events(query:"event.original:*13812341231*"){total}}', {}, analyst))).toBeUndefined();
    const oracle = await r.gql<{ events: { total: number } }>('{events(query:"event.original:*13812341231*"){total}}', {}, analyst);
    expect(oracle.data!.events.total).toBe(0);
  });

  it('finding 4: parallel wrong passwords lock the account at the limit, not after hundreds of guesses', async () => {
    await signInAs(r, admin, 'victim', 'analyst', '城管');
    const guesses = await Promise.all(
      Array.from({ length: 40 }, (_, i) => r.gql('mutation($p:String!){login(username:"victim",password:$p){token}}', { p: `wrong-guess-${i}` })),
    );
    expect(guesses.every((g) => g.errors?.[0]?.extensions?.code === 'UNAUTHENTICATED')).toBe(true);
    // each guess must claim a numbered slot of the account's current epoch before its password is checked
    const slots = (await r.platform.ports.state.all('login-failures'))
      .map((d) => d.doc as { user: string; epoch: number; n: number })
      .filter((d) => d.user === 'victim');
    const epoch = Math.max(...slots.map((d) => d.epoch));
    expect(
      slots
        .filter((d) => d.epoch === epoch)
        .map((d) => d.n)
        .sort((a, b) => a - b),
    ).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // now locked: even the right password is refused, with the same answer as a wrong one
    const right = await r.gql<{ login: unknown }>('mutation{login(username:"victim",password:"' + STRONG + '"){token}}');
    expect(right.errors![0]!.message).toBe(guesses[0]!.errors![0]!.message);
  });

  it('finding 8: a request of many aliases written by nobody does not flood the audit trail', async () => {
    const before = (await r.platform.ports.audit.query({ actor: 'anonymous', size: 10_000 })).length;
    const flood = Array.from({ length: 5000 }, (_, i) => `m${i}: me { name }`).join(' ');
    const res = await fetch(`${r.platform.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{${flood}}` }),
    });
    expect(res.status).toBeLessThan(500);
    const after = (await r.platform.ports.audit.query({ actor: 'anonymous', size: 10_000 })).length;
    expect(after - before).toBeLessThanOrEqual(1);
  });

  it('finding 9: a grant opens one real department, and the requester cannot approve it with another credential', async () => {
    const star = await r.gql('mutation{requestEmergencyAccess(reason:"everything please",department:"*",durationMinutes:30){id}}', {}, admin);
    expect(star.errors![0]).toMatchObject({ extensions: { code: 'INPUT_INVALID' } });
    expect(star.errors![0]!.message).toMatch(/no department '\*'/);
    const req = await r.gql<{ requestEmergencyAccess: { id: string } }>(
      'mutation{requestEmergencyAccess(reason:"flood response",department:"ga",durationMinutes:30){id department}}',
      {},
      admin,
    );
    const id = req.data!.requestEmergencyAccess.id;
    const tok = await r.gql<{ createApiToken: { token: string } }>('mutation{createApiToken(name:"admin-own",roles:[admin]){token}}', {}, admin);
    const self = await r.gql('mutation($id:ID!){approveEmergencyAccess(id:$id){id}}', { id }, tok.data!.createApiToken.token);
    expect(self.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect(self.errors![0]!.message).toMatch(/two-person rule/);
  });

  it('finding 11: no CORS for unknown origins, security headers on every answer, no introspection for anonymous callers', async () => {
    const res = await fetch(`${r.platform.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: JSON.stringify({ query: '{__schema{types{name}}}' }),
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { errors?: { message: string }[] };
    expect(body.errors![0]!.message).toMatch(/introspection/i);
    const asAnalyst = await r.gql('{__schema{types{name}}}', {}, analyst);
    expect(asAnalyst.errors![0]!.message).toMatch(/introspection/i);
    const asAdmin = await r.gql<{ __schema: { types: unknown[] } }>('{__schema{types{name}}}', {}, admin);
    expect(asAdmin.data!.__schema.types.length).toBeGreaterThan(20);
  });
});
