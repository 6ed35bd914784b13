import { indexerDrained } from '../events/indexer';
import { adminSession, type Running, startTestPlatform, STRONG } from './test-support/harness';

const LOGIN = 'mutation($u:String!,$p:String!){login(username:$u,password:$p){token mustChangePassword me{name roles}}}';

async function ingest(r: Running, token: string, body: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${r.platform.url}/ingest/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
    body,
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function until(f: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await f()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out');
}

describe('a fresh platform', () => {
  let r: Running;
  beforeAll(async () => {
    r = await startTestPlatform();
  });
  afterAll(async () => r.stop());

  it('answers /healthz and /readyz with 200', async () => {
    expect((await fetch(`${r.platform.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${r.platform.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('shows a random one-time admin password once and has no other account', async () => {
    expect(r.adminPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(r.platform.identity.listUsers().map((u) => u.username)).toEqual(['admin']);
  });

  it('signs in with the one-time password and returns a session that must change the password first', async () => {
    const res = await r.gql<{ login: { token: string; mustChangePassword: boolean } }>(LOGIN, { u: 'admin', p: r.adminPassword });
    expect(res.data!.login.token).toMatch(/^css_/);
    expect(res.data!.login.mustChangePassword).toBe(true);
    const blocked = await r.gql('{events{total}}', {}, res.data!.login.token);
    expect(blocked.errors![0]!.extensions!.code).toBe('PASSWORD_CHANGE_REQUIRED');
  });

  it('refuses a wrong password with the same message as an unknown user, and audits both', async () => {
    const wrong = await r.gql(LOGIN, { u: 'admin', p: 'not-the-password' });
    const unknown = await r.gql(LOGIN, { u: 'nobody', p: 'whatever' });
    expect(wrong.errors![0]).toMatchObject({
      message: 'wrong user name or password, or the account is locked or disabled',
      extensions: { code: 'UNAUTHENTICATED' },
    });
    expect(unknown.errors![0]!.message).toBe(wrong.errors![0]!.message);
    const failures = await r.platform.ports.audit.query({ action: 'auth.login', decision: 'deny' });
    expect(failures.map((f) => [f.actor, f.resource, f.reason])).toEqual([
      ['anonymous', 'user:nobody', 'sign-in failed: unknown_user'],
      ['anonymous', 'user:admin', 'sign-in failed: bad_password'],
    ]);
    expect(failures[0]!.sourceIp).toMatch(/127\.0\.0\.1/);
  });

  it('refuses a weak new password with the rule it breaks', async () => {
    const s = await r.gql<{ login: { token: string } }>(LOGIN, { u: 'admin', p: r.adminPassword });
    const weak = await r.gql('mutation{changePassword(current:"x",next:"short")}', {}, s.data!.login.token);
    expect(weak.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    const res = await r.gql('mutation($c:String!){changePassword(current:$c,next:"alllowercaseletters")}', { c: r.adminPassword }, s.data!.login.token);
    expect(res.errors![0]).toMatchObject({
      message: 'new password must mix at least three of: lower case, upper case, digits, symbols',
      extensions: { code: 'INPUT_INVALID' },
    });
  });

  it('rejects calls without a session and audits the denial', async () => {
    const res = await r.gql('{events{total}}');
    expect(res.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
    const denied = await r.platform.ports.audit.query({ action: 'events.search', decision: 'deny' });
    expect(denied[0]!.actor).toBe('anonymous');
  });
});

describe('the API after setup', () => {
  let r: Running;
  let admin: string;
  let collector: string;
  beforeAll(async () => {
    r = await startTestPlatform();
    admin = await adminSession(r);
    const t = await r.gql<{ createApiToken: { token: string } }>('mutation{createApiToken(name:"fluent-bit-01",roles:[collector]){token}}', {}, admin);
    collector = t.data!.createApiToken.token;
  });
  afterAll(async () => r.stop());

  it('ingests ECS events from a collector, dead-letters bad lines with their reason, and makes both searchable', async () => {
    const body = [
      JSON.stringify({
        '@timestamp': '2026-11-20T08:00:00Z',
        message: 'Failed password for root',
        event: { id: 'i1', outcome: 'failure' },
        host: { name: 'web-01' },
        organization: { name: '城管' },
      }),
      JSON.stringify({
        '@timestamp': '2026-11-20T08:00:01Z',
        message: 'Accepted password for bob',
        event: { id: 'i2', outcome: 'success' },
        host: { name: 'web-02' },
        organization: { name: '公安' },
      }),
      '{"@timestamp": "not a date", "event": {}}',
      'this is not json',
    ].join('\n');
    const res = await ingest(r, collector, body);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ accepted: 2, deadLettered: 2 });
    expect((res.json.errors as { line: number; reason: string }[]).map((e) => e.line)).toEqual([3, 4]);
    expect((res.json.errors as { reason: string }[])[0]!.reason).toMatch(/@timestamp/);
    await until(async () => (await r.gql<{ events: { total: number } }>('{events{total}}', {}, admin)).data?.events.total === 4);
    const found = await r.gql<{ events: { events: { event: { id: string } }[] } }>(
      'query($q:String){events(query:$q){events}}',
      { q: 'password AND event.outcome:failure' },
      admin,
    );
    expect(found.data!.events.events.map((e) => e.event.id)).toEqual(['i1']);
    const dl = await r.gql<{ events: { total: number; events: { message: string; error: { message: string } }[] } }>(
      '{events(query:"citysoc.dead_letter:true"){total events}}',
      {},
      admin,
    );
    expect(dl.data!.events.total).toBe(2);
    expect(dl.data!.events.events.map((e) => e.message).sort()).toEqual(['this is not json', '{"@timestamp": "not a date", "event": {}}']);
  });

  it('a retried batch is stored once (ids from content when the collector gives none)', async () => {
    const line = JSON.stringify({ '@timestamp': '2026-11-20T09:00:00Z', message: 'retry me', event: { kind: 'event' } });
    await ingest(r, collector, line);
    await ingest(r, collector, line);
    expect(await indexerDrained(r.platform.ports.bus, 10_000)).toBe(true);
    const res = await r.gql<{ events: { total: number } }>('{events(query:"\\"retry me\\""){total}}', {}, admin);
    expect(res.data!.events.total).toBe(1);
  });

  it('refuses ingest without a token, with a wrong role, or over the size limit', async () => {
    expect((await fetch(`${r.platform.url}/ingest/v1/events`, { method: 'POST', body: '{}' })).status).toBe(401);
    expect((await ingest(r, admin, '{}')).status).toBe(403);
    const big = 'x'.repeat(11 * 1024 * 1024);
    expect((await ingest(r, collector, big)).status).toBe(413);
  });

  it('query syntax errors come back as GraphQL errors with a code and position, no stack', async () => {
    const res = await r.gql('{events(query:"user.name:"){total}}', {}, admin);
    expect(res.errors![0]).toEqual({
      message: "query syntax error at position 10: expected a value after 'user.name:', found end of query",
      locations: [{ line: 1, column: 2 }],
      path: ['events'],
      extensions: { code: 'QUERY_SYNTAX', position: 10, expected: "a value after 'user.name:'", found: 'end of query' },
    });
  });

  it('invalid GraphQL input is refused by the schema with a code', async () => {
    const res = await r.gql('{events(size:"many"){total}}', {}, admin);
    expect(res.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const range = await r.gql('{events(size:5000){total}}', {}, admin);
    expect(range.errors![0]).toMatchObject({
      message: 'size 5000 is out of range: expected 0..1000 (0 answers the total only)',
      extensions: { code: 'INPUT_INVALID' },
    });
    const count = await r.gql<{ events: { total: number; events: unknown[] } }>('{events(size:0){total events}}', {}, admin);
    expect(count.data!.events.events).toEqual([]);
    expect(count.data!.events.total).toBeGreaterThan(0);
  });

  it('aggregates events: terms, histogram, distinct count', async () => {
    const res = await r.gql<{ eventAggregations: { total: number; aggs: unknown[] } }>(
      '{eventAggregations(query:"event.outcome:*",aggs:[{name:"o",type:terms,field:"event.outcome"},{name:"h",type:date_histogram,interval:"1h"},{name:"hosts",type:cardinality,field:"host.name"}]){total aggs{name type buckets{key count} value}}}',
      {},
      admin,
    );
    expect(res.data!.eventAggregations).toEqual({
      total: 2,
      aggs: [
        {
          name: 'o',
          type: 'terms',
          buckets: [
            { key: 'failure', count: 1 },
            { key: 'success', count: 1 },
          ],
          value: null,
        },
        { name: 'h', type: 'date_histogram', buckets: [{ key: Date.parse('2026-11-20T08:00:00Z'), count: 2 }], value: null },
        { name: 'hosts', type: 'cardinality', buckets: null, value: 2 },
      ],
    });
  });

  it('an analyst may search but not manage users; the refusal is audited', async () => {
    const created = await r.gql<{ createUser: { oneTimePassword: string } }>(
      'mutation{createUser(username:"ana",roles:[analyst],department:"cg"){oneTimePassword}}',
      {},
      admin,
    );
    const otp = created.data!.createUser.oneTimePassword;
    const s1 = await r.gql<{ login: { token: string } }>(LOGIN, { u: 'ana', p: otp });
    await r.gql('mutation($c:String!,$n:String!){changePassword(current:$c,next:$n)}', { c: otp, n: STRONG }, s1.data!.login.token);
    const s2 = await r.gql<{ login: { token: string } }>(LOGIN, { u: 'ana', p: STRONG });
    const ana = s2.data!.login.token;
    expect((await r.gql<{ events: { total: number } }>('{events{total}}', {}, ana)).data!.events.total).toBeGreaterThan(0);
    const users = await r.gql('{users{username}}', {}, ana);
    expect(users.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    const audit = await r.platform.ports.audit.query({ actor: 'ana', action: 'users.list' });
    expect(audit[0]!.decision).toBe('deny');
  });

  it('changing the password ends the old sessions', async () => {
    const created = await r.gql<{ createUser: { oneTimePassword: string } }>(
      'mutation{createUser(username:"carl",roles:[auditor]){oneTimePassword}}',
      {},
      admin,
    );
    const otp = created.data!.createUser.oneTimePassword;
    const s = (await r.gql<{ login: { token: string } }>(LOGIN, { u: 'carl', p: otp })).data!.login.token;
    await r.gql('mutation($c:String!,$n:String!){changePassword(current:$c,next:$n)}', { c: otp, n: STRONG }, s);
    expect((await r.gql('{me{name}}', {}, s)).errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
  });

  it('a department admin sees only its department', async () => {
    const created = await r.gql<{ createUser: { oneTimePassword: string } }>(
      'mutation{createUser(username:"cg-admin",roles:[department_admin],department:"城管"){oneTimePassword}}',
      {},
      admin,
    );
    const otp = created.data!.createUser.oneTimePassword;
    const s1 = (await r.gql<{ login: { token: string } }>(LOGIN, { u: 'cg-admin', p: otp })).data!.login.token;
    await r.gql('mutation($c:String!,$n:String!){changePassword(current:$c,next:$n)}', { c: otp, n: STRONG }, s1);
    const s2 = (await r.gql<{ login: { token: string } }>(LOGIN, { u: 'cg-admin', p: STRONG })).data!.login.token;
    const res = await r.gql<{ events: { events: { event: { id: string } }[] } }>('{events(query:"password"){events}}', {}, s2);
    expect(res.data!.events.events.map((e) => e.event.id)).toEqual(['i1']);
    const other = await r.gql<{ event: unknown }>('{event(id:"i2")}', {}, s2);
    // absent and not-yours answer alike, so ids of other departments cannot be probed
    expect(other.errors![0]).toMatchObject({ message: 'no event i2', extensions: { code: 'NOT_FOUND' } });
    const absent = await r.gql<{ event: unknown }>('{event(id:"no-such-id")}', {}, s2);
    expect(absent.errors![0]).toMatchObject({ message: 'no event no-such-id', extensions: { code: 'NOT_FOUND' } });
  });

  it("a user without a department sees no department's events (finding 11 of the security review)", async () => {
    const created = await r.gql<{ createUser: { oneTimePassword: string } }>(
      'mutation{createUser(username:"nodept",roles:[analyst]){oneTimePassword}}',
      {},
      admin,
    );
    const otp = created.data!.createUser.oneTimePassword;
    const s1 = (await r.gql<{ login: { token: string } }>(LOGIN, { u: 'nodept', p: otp })).data!.login.token;
    await r.gql('mutation($c:String!,$n:String!){changePassword(current:$c,next:$n)}', { c: otp, n: STRONG }, s1);
    const s2 = (await r.gql<{ login: { token: string } }>(LOGIN, { u: 'nodept', p: STRONG })).data!.login.token;
    const res = await r.gql('{events{total}}', {}, s2);
    expect(res.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    const alerts = await r.gql('{alerts{total}}', {}, s2);
    expect(alerts.errors![0]!.extensions!.code).toBe('FORBIDDEN');
  });

  it('the audit trail of all this verifies', async () => {
    const res = await r.gql<{ auditVerify: { ok: boolean; checked: number } }>('{auditVerify{ok checked}}', {}, admin);
    expect(res.data!.auditVerify.ok).toBe(true);
    expect(res.data!.auditVerify.checked).toBeGreaterThan(20);
  });
});

describe('shutdown', () => {
  it('flushes every accepted event to the store before stopping', async () => {
    const r = await startTestPlatform(undefined, true);
    const admin = await adminSession(r);
    const collector = (await r.gql<{ createApiToken: { token: string } }>('mutation{createApiToken(name:"c",roles:[collector]){token}}', {}, admin)).data!
      .createApiToken.token;
    const lines = Array.from({ length: 2000 }, (_, i) =>
      JSON.stringify({ '@timestamp': '2026-11-20T10:00:00Z', message: `m${i}`, event: { id: `s${i}` } }),
    ).join('\n');
    const res = await ingest(r, collector, lines);
    expect(res.json.accepted).toBe(2000);
    await r.stop();
    const again = await startTestPlatform(r.dir);
    expect((await again.platform.ports.events.search({ size: 1 })).total).toBe(2000);
    await again.stop();
  });
});
