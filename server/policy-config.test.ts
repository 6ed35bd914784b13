/** Policy settings from the configuration reach the running platform: network zones and the two-person rule. */
import { adminSession, type Running, signInAs, startTestPlatform } from './test-support/harness';

const EVENTS = [
  {
    '@timestamp': '2026-11-20T01:00:00Z',
    message: 'query',
    event: { id: 'cg-secret' },
    organization: { name: '城管' },
    citysoc: { data: { classification: '敏感' } },
  },
  {
    '@timestamp': '2026-11-20T01:01:00Z',
    message: 'query',
    event: { id: 'cg-internal' },
    organization: { name: '城管' },
    citysoc: { data: { classification: '内部' } },
  },
  { '@timestamp': '2026-11-20T01:02:00Z', message: 'query', event: { id: 'ga-1' }, organization: { name: '公安' } },
];

const ids = async (r: Running, token: string) =>
  (await r.gql<{ events: { events: { event: { id: string } }[] } }>('{events{events}}', {}, token)).data?.events.events.map((e) => e.event.id);

jest.setTimeout(30_000);

describe('policy configuration in the running platform', () => {
  const running: Running[] = [];
  afterAll(async () => {
    for (const r of running) await r.stop();
  });
  const start = async (overrides: Record<string, unknown>) => {
    const r = await startTestPlatform(undefined, false, overrides);
    running.push(r);
    const admin = await adminSession(r);
    await r.platform.ports.events.write(EVENTS as never);
    return { r, admin };
  };

  it('configured zones decide where a caller is: from a block mapped to 互联网, 敏感 rows drop out of the owner’s own search', async () => {
    const home = await start({});
    const owner = await signInAs(home.r, home.admin, 'cg-owner', 'department_admin', '城管');
    expect(await ids(home.r, owner)).toEqual(['cg-internal', 'cg-secret']);
    // loopback is this test's only address: declare it part of the internet
    const out = await start({ 'policy.zones': [{ cidr: '127.0.0.0/8', zone: '互联网' }] });
    const owner2 = await signInAs(out.r, out.admin, 'cg-owner', 'department_admin', '城管');
    expect(await ids(out.r, owner2)).toEqual(['cg-internal']);
    expect(out.r.platform.policy.zoneOf('127.0.0.1')).toBe('互联网');
    expect(out.r.platform.policy.zoneOf('10.1.2.3')).toBe('互联网');
    expect(home.r.platform.policy.zoneOf('10.1.2.3')).toBe('政务外网');
  });

  it('with approversRequired 2, one approval leaves the grant pending and the second makes it active', async () => {
    const { r, admin } = await start({ 'policy.approversRequired': 2 });
    const analyst = await signInAs(r, admin, 'cg-analyst', 'analyst', '城管');
    const first = await signInAs(r, admin, 'ga-owner', 'department_admin', '公安');
    const second = await signInAs(r, admin, 'ga-owner2', 'department_admin', '公安');
    const req = await r.gql<{ requestEmergencyAccess: { id: string } }>(
      'mutation{requestEmergencyAccess(reason:"防汛应急 flood response",department:"公安",durationMinutes:30){id}}',
      {},
      analyst,
    );
    const id = req.data!.requestEmergencyAccess.id;
    const one = await r.gql<{ approveEmergencyAccess: { approvals: unknown[]; expiresAt?: string } }>(
      'mutation($id:ID!){approveEmergencyAccess(id:$id){approvals{by} expiresAt}}',
      { id },
      first,
    );
    expect(one.data!.approveEmergencyAccess.approvals).toHaveLength(1);
    expect(one.data!.approveEmergencyAccess.expiresAt).toBeNull();
    expect(await ids(r, analyst)).toEqual(['cg-internal', 'cg-secret']);
    const again = await r.gql('mutation($id:ID!){approveEmergencyAccess(id:$id){approvals{by} expiresAt}}', { id }, first);
    expect(again.errors![0]!.message).toBe('ga-owner has approved this request already; another approver is needed');
    const two = await r.gql<{ approveEmergencyAccess: { expiresAt: string } }>(
      'mutation($id:ID!){approveEmergencyAccess(id:$id){approvals{by} expiresAt}}',
      { id },
      second,
    );
    expect(Date.parse(two.data!.approveEmergencyAccess.expiresAt)).toBeGreaterThan(Date.now() + 29 * 60_000);
    expect(await ids(r, analyst)).toEqual(['ga-1', 'cg-internal', 'cg-secret']);
    // exactly one record per call, each naming the grant
    const recs = await r.platform.ports.audit.query({ action: 'emergency.approve', resource: `grant:${id}` });
    expect(recs.map((x) => [x.actor, x.decision, x.reason, x.details?.approvals ?? null])).toEqual([
      ['ga-owner2', 'allow', 'signed-in access', 2],
      ['ga-owner', 'deny', 'ga-owner has approved this request already; another approver is needed', null],
      ['ga-owner', 'allow', 'signed-in access', 1],
    ]);
  });
});
