/** The policy services through GraphQL: decisions, dry runs, changes, emergency access, isolation. */
import { adminSession, type Running, signInAs, startTestPlatform, STRONG } from './test-support/harness';

const EVENTS = [
  { '@timestamp': '2026-11-20T01:00:00Z', message: 'query', event: { id: 'cg-1' }, organization: { name: '城管' } },
  { '@timestamp': '2026-11-20T01:01:00Z', message: 'query', event: { id: 'ga-1' }, organization: { name: '公安' } },
];

const ids = async (r: Running, token: string) =>
  (await r.gql<{ events: { events: { event: { id: string } }[] } }>('{events{events}}', {}, token)).data?.events.events.map((e) => e.event.id);

describe('policy administration through GraphQL', () => {
  let r: Running;
  let admin: string;
  let analyst: string;
  let gaOwner: string;
  beforeAll(async () => {
    r = await startTestPlatform();
    admin = await adminSession(r);
    await r.platform.ports.events.write(EVENTS as never);
    analyst = await signInAs(r, admin, 'cg-analyst', 'analyst', '城管');
    gaOwner = await signInAs(r, admin, 'ga-owner', 'department_admin', '公安');
  });
  afterAll(async () => r.stop());

  it('decide answers like the HTTP PDP and refuses malformed requests with the reason', async () => {
    const ok = await r.gql<{ decide: { decision: string; reason: string } }>(
      'query($q:DecisionRequestInput!){decide(request:$q){decision reason matched obligations{rowFilter{query es} fields{field treatment pattern} grantId}}}',
      { q: { subject: { user: 'x', roles: ['analyst'], department: '城管' }, resource: { type: 'events' }, action: 'read', context: { zone: '政务外网' } } },
      admin,
    );
    expect(ok.data!.decide).toMatchObject({ decision: 'allow', reason: 'analyst-events' });
    // a request the schema accepts but the PDP's own validation refuses, with the reason
    const bad = await r.gql(
      'query($q:DecisionRequestInput!){decide(request:$q){decision}}',
      { q: { subject: { user: 'x' }, resource: { type: 'nope' }, action: 'read' } },
      admin,
    );
    expect(bad.errors![0]!.extensions!.code).toBe('INPUT_INVALID');
    expect(bad.errors![0]!.message).toMatch(/resource.type/);
  });

  it('a dry run lists the sample decisions a change would flip, and changes nothing', async () => {
    const sample = {
      subject: { user: 'a', roles: ['analyst'], department: '城管' },
      resource: { type: 'alerts' },
      action: 'write',
      context: { zone: '政务外网' },
    };
    const change = { op: 'remove', line: { ptype: 'p', values: ['analyst-alerts', 'analyst', '*', 'alerts', 'read|write', '', 'allow'] } };
    const res = await r.gql<{ previewPolicyChange: { index: number; before: { decision: string }; after: { decision: string } }[] }>(
      'mutation($c:PolicyChangeInput!,$s:[DecisionRequestInput!]!){previewPolicyChange(change:$c,samples:$s){index before{decision} after{decision}}}',
      { c: change, s: [sample] },
      admin,
    );
    expect(res.data!.previewPolicyChange.map((f) => [f.index, f.before.decision, f.after.decision])).toEqual([[0, 'allow', 'deny']]);
    const still = await r.gql<{ decide: { decision: string } }>(
      'query($q:DecisionRequestInput!){decide(request:$q){decision reason matched obligations{rowFilter{query es} fields{field treatment pattern} grantId}}}',
      { q: sample },
      admin,
    );
    expect(still.data!.decide.decision).toBe('allow');
  });

  it('a policy change is applied and audited with before and after; analysts may not change policy', async () => {
    const change = {
      op: 'add',
      line: { ptype: 'p', values: ['analyst-datasets-export', 'analyst', '*', 'dataset/*', 'export', 'classification<=公开', 'allow'] },
    };
    const denied = await r.gql('mutation($c:PolicyChangeInput!){applyPolicyChange(change:$c){version}}', { c: change }, analyst);
    expect(denied.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    const res = await r.gql<{ applyPolicyChange: { version: number } }>(
      'mutation($c:PolicyChangeInput!){applyPolicyChange(change:$c){version}}',
      { c: change },
      admin,
    );
    expect(res.data!.applyPolicyChange.version).toBeGreaterThan(1);
    const recs = await r.platform.ports.audit.query({ action: 'policy.change' });
    expect(recs.map((x) => [x.actor, x.decision])).toEqual([
      ['admin', 'allow'],
      ['cg-analyst', 'deny'],
    ]);
    const allowed = recs.find((x) => x.decision === 'allow')!;
    expect(allowed).toMatchObject({ resource: 'policy:p:analyst-datasets-export', details: { before: null, after: change.line.values } });
    const lines = await r.gql<{ policies: { values: string[] }[] }>('{policies(ptype:"p"){values}}', {}, admin);
    expect(lines.data!.policies.some((l) => l.values[0] === 'analyst-datasets-export')).toBe(true);
  });

  it('an invalid policy line is refused with the reason', async () => {
    const res = await r.gql(
      'mutation($c:PolicyChangeInput!){applyPolicyChange(change:$c){version}}',
      { c: { op: 'add', line: { ptype: 'p', values: ['x', 'analyst', '*', 'events', 'read', 'classification<=绝密', 'allow'] } } },
      admin,
    );
    expect(res.errors![0]!.extensions!.code).toBe('INPUT_INVALID');
  });

  it('emergency access: requested with a reason, approved by the other department, then the data is visible', async () => {
    expect(await ids(r, analyst)).toEqual(['cg-1']);
    const req = await r.gql<{ requestEmergencyAccess: { id: string } }>(
      'mutation{requestEmergencyAccess(reason:"防汛应急 flood response",department:"公安",durationMinutes:30){id}}',
      {},
      analyst,
    );
    const id = req.data!.requestEmergencyAccess.id;
    const self = await r.gql('mutation($id:ID!){approveEmergencyAccess(id:$id){id expiresAt approvals{by}}}', { id }, analyst);
    expect(self.errors![0]!.message).toMatch(/two-person rule/);
    const ok = await r.gql<{ approveEmergencyAccess: { expiresAt: string } }>(
      'mutation($id:ID!){approveEmergencyAccess(id:$id){id expiresAt approvals{by}}}',
      { id },
      gaOwner,
    );
    expect(Date.parse(ok.data!.approveEmergencyAccess.expiresAt)).toBeGreaterThan(Date.now() + 29 * 60_000);
    expect(await ids(r, analyst)).toEqual(['ga-1', 'cg-1']);
    // the search's audit record names the grant it used, so the expiry report lists it
    const [search] = await r.platform.ports.audit.query({ actor: 'cg-analyst', action: 'events.search' });
    expect(search!.details).toMatchObject({ grantId: id, authz: [{ resource: 'events', reason: `grant:${id}`, grantId: id }] });
    expect((search!.details!.authz as { rowFilter: string }[])[0]!.rowFilter).toContain('公安');
    const one = await r.gql<{ event: { event: { id: string } } }>('{event(id:"ga-1")}', {}, analyst);
    expect(one.data!.event.event.id).toBe('ga-1');
    const grant = r.platform.policy.grants.get(id)!;
    const report = await r.platform.policy.grants.report(grant);
    expect(report.accesses.map((x) => [x.action, x.resource])).toEqual([
      ['events.search', ''],
      ['events.get', 'event:ga-1'],
    ]);
  });

  it('isolating an account refuses its session at once; releasing restores access; both audited', async () => {
    const victim = await signInAs(r, admin, 'cg-analyst2', 'analyst', '城管');
    expect(await ids(r, victim)).toEqual(['cg-1']);
    // finding 5 of the security review: an analyst may not isolate (or release) anyone
    const byAnalyst = await r.gql('mutation{isolateAccount(user:"cg-analyst2",reason:"not mine to do"){id}}', {}, analyst);
    expect(byAnalyst.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect(await ids(r, victim)).toEqual(['cg-1']);
    const iso = await r.gql<{ isolateAccount: { user: string } }>(
      'mutation{isolateAccount(user:"cg-analyst2",reason:"risky behaviour: mass export"){id user}}',
      {},
      admin,
    );
    expect(iso.data!.isolateAccount.user).toBe('cg-analyst2');
    const refused = await r.gql('{events{total}}', {}, victim);
    expect(refused.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
    const decision = await r.gql<{ decide: { decision: string; reason: string } }>(
      'query($q:DecisionRequestInput!){decide(request:$q){decision reason matched obligations{rowFilter{query es} fields{field treatment pattern} grantId}}}',
      { q: { subject: { user: 'cg-analyst2', roles: ['analyst'], department: '城管' }, resource: { type: 'events' }, action: 'read', context: {} } },
      admin,
    );
    expect(decision.data!.decide.decision).toBe('deny');
    expect(decision.data!.decide.reason).toMatch(/^isolation:/);
    const rel = await r.gql<{ releaseAccount: boolean }>('mutation{releaseAccount(user:"cg-analyst2",reason:"investigated: benign")}', {}, admin);
    expect(rel.data!.releaseAccount).toBe(true);
    const again = await r.gql<{ login: { token: string } }>('mutation($u:String!,$p:String!){login(username:$u,password:$p){token}}', {
      u: 'cg-analyst2',
      p: STRONG,
    });
    expect(await ids(r, again.data!.login.token)).toEqual(['cg-1']);
    const trail = (await r.platform.ports.audit.query({ resource: 'user:cg-analyst2' })).map((a) => a.action);
    expect(trail).toEqual(expect.arrayContaining(['isolation.isolate', 'isolation.release']));
  });
});
