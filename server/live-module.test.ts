/**
 * The live alert feed against a real embedded platform: sshd lines of the loghub OpenSSH sample
 * ingested for two departments raise alerts while subscribers listen over SSE. Each subscriber gets
 * exactly the alerts its queue shows (the row filter applied to every push, with its masks), is
 * authorized and audited once when it subscribes, is refused like any other call, and is let go as
 * soon as its session, account or policy decision changes.
 */
import { readFileSync } from 'node:fs';
import { sharedPath } from '../core/shared-data';
import { indexerDrained } from '../events/indexer';
import { adminSession, type Running, signInAs, startTestPlatform } from './test-support/harness';
import { subscribeSse, type SseStream, until } from './test-support/sse';

jest.setTimeout(120_000);

const SUBSCRIPTION = `subscription { alertChanged { created alert { id department status count entities { type value } rule { id name } } } }`;

type Payload = {
  data?: { alertChanged: { created: boolean; alert: Record<string, unknown> & { id: string; department: string | null } } };
  errors?: { extensions?: { code?: string; limit?: number } }[];
};
type Stream = SseStream<Payload>;
const subscribe = (url: string, token: string | null, query = SUBSCRIPTION) => subscribeSse<Payload>(url, token, query);

const alertsOf = (s: Stream) => s.events.flatMap((e) => (e.data?.data ? [e.data.data.alertChanged.alert] : []));

function openSshLines(): string[] {
  return readFileSync(sharedPath('data/loghub/OpenSSH/OpenSSH_2k.log'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
}

/** sshd lines as Fluent Bit sends them, tagged with a department; resolves once analytics caught up. */
async function ingest(r: Running, lines: string[], department: string, host: string): Promise<void> {
  const p = r.platform;
  const token = (await p.identity.issueApiToken(`fluent-bit-${host}`, ['collector'], 'test')).token;
  const body = lines.map((log, i) => JSON.stringify({ date: 1_700_000_000 + i, log })).join('\n');
  const res = await fetch(`${p.url}/ingest/v1/fluent-bit/citysoc.openssh._.${host}?department=${encodeURIComponent(department)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
    body,
  });
  expect(res.status).toBe(200);
  if (!(await indexerDrained(p.ports.bus, 30_000))) throw new Error('the indexer did not catch up');
  if (!(await p.analytics.idle(60_000))) throw new Error('analytics did not catch up');
}

async function auditCount(r: Running, admin: string, action: string, actor?: string): Promise<{ decision: string; actor: string }[]> {
  const q = await r.gql<{ auditRecords: { decision: string; actor: string }[] }>(
    'query($a:String!,$u:String){auditRecords(action:$a,actor:$u,size:10000){decision actor}}',
    { a: action, u: actor ?? null },
    admin,
  );
  return q.data!.auditRecords;
}

describe('the live alert feed', () => {
  let r: Running;
  let admin: string;
  let cg: string;
  const open: Stream[] = [];

  beforeAll(async () => {
    // No timer ends a stream during these tests: what ends one is the change itself (or sweep()).
    r = await startTestPlatform(undefined, false, { 'live.maxPerPerson': 3, 'live.recheckSeconds': 3600 });
    admin = await adminSession(r);
    cg = await signInAs(r, admin, 'cg_live', 'analyst', '城管');
  });
  afterEach(() => {
    for (const s of open.splice(0)) s.close();
  });
  afterAll(async () => r.stop());

  it('pushes each subscriber exactly the alerts its queue shows, as the queue shows them, and audits each subscription once', async () => {
    const all = await subscribe(r.platform.url, admin);
    const mine = await subscribe(r.platform.url, cg);
    open.push(all, mine);
    expect([all.status, all.contentType?.split(';')[0]]).toEqual([200, 'text/event-stream']);
    const lines = openSshLines();
    await ingest(r, lines.slice(0, 1000), '城管', 'LabSZ');
    await ingest(r, lines.slice(1000), '公安', 'LabSZ-2');
    const queue = async (token: string) =>
      (await r.gql<{ alerts: { alerts: { id: string; department: string | null }[] } }>('{alerts(size:1000){alerts{id department}}}', {}, token)).data!.alerts
        .alerts;
    const everyAlert = await queue(admin);
    const cgQueue = await queue(cg);
    expect(new Set(everyAlert.map((a) => a.department))).toEqual(new Set(['城管', '公安']));
    await until('every alert pushed to the admin', () => new Set(alertsOf(all).map((a) => a.id)).size === everyAlert.length);
    await until("the 城管 analyst's alerts pushed", () => new Set(alertsOf(mine).map((a) => a.id)).size === cgQueue.length);
    expect([...new Set(alertsOf(all).map((a) => a.id))].sort()).toEqual(everyAlert.map((a) => a.id).sort());
    expect([...new Set(alertsOf(mine).map((a) => a.id))].sort()).toEqual(cgQueue.map((a) => a.id).sort());
    expect(alertsOf(mine).filter((a) => a.department !== '城管')).toEqual([]);
    // The newest push of an alert is the alert as the caller's own query answers it.
    const last = alertsOf(mine).at(-1)!;
    const one = await r.gql<{ alert: unknown }>(
      'query($id:ID!){alert(id:$id){id department status count entities{type value} rule{id name}}}',
      { id: last.id },
      cg,
    );
    expect(one.data!.alert).toEqual(last);
    expect(mine.events.filter((e) => e.data?.data?.alertChanged.created).length).toBe(cgQueue.length);
    // One audit record per subscription, not one per push.
    expect(await auditCount(r, admin, 'alerts.live', 'cg_live')).toEqual([{ decision: 'allow', actor: 'cg_live' }]);
  });

  it('refuses a subscriber the door refuses: no session, a collector, an analyst without a department', async () => {
    const anonymous = await subscribe(r.platform.url, null);
    const collector = await subscribe(r.platform.url, (await r.platform.identity.issueApiToken('fb-live', ['collector'], 'admin')).token);
    const nobody = await subscribe(r.platform.url, await signInAs(r, admin, 'no_dept', 'analyst'));
    for (const s of [anonymous, collector, nobody]) await s.ended;
    const codes = [anonymous, collector, nobody].map((s) => s.events.find((e) => e.data?.errors)?.data?.errors?.[0]?.extensions?.code);
    expect(codes).toEqual(['UNAUTHENTICATED', 'FORBIDDEN', 'FORBIDDEN']);
    expect((await auditCount(r, admin, 'alerts.live')).filter((x) => x.decision === 'deny').map((x) => x.actor)).toEqual(
      expect.arrayContaining(['token:fb-live', 'no_dept']),
    );
  });

  it("applies the subscriber's field treatments to every push, as the alert queue applies them", async () => {
    // Analysts see the values of alert entities masked; the admin keeps them.
    const line = { ptype: 'p2', values: ['mask-alert-entities', 'analyst', '*', 'alerts', 'entities.value', 'mask', 'name'] };
    const change = 'mutation($c:PolicyChangeInput!){applyPolicyChange(change:$c){version}}';
    expect((await r.gql(change, { c: { op: 'add', line } }, admin)).errors).toBeUndefined();
    try {
      const all = await subscribe(r.platform.url, admin);
      const mine = await subscribe(r.platform.url, cg);
      open.push(all, mine);
      await until('both streams registered', () => r.platform.service<{ live: { size: number } }>('live-alerts').live.size === 2);
      // Repeats of the first test's sshd lines, from another host: they fold into the 城管 alerts.
      await ingest(r, openSshLines().slice(0, 200), '城管', 'LabSZ-3');
      await until('a 城管 alert pushed to the analyst', () => alertsOf(mine).length > 0);
      const pushed = alertsOf(mine).at(-1)!;
      const entities = (a: unknown) => (a as { entities: { type: string; value: string }[] }).entities;
      const queue = await r.gql<{ alerts: { alerts: { id: string }[] } }>('{alerts(size:1000){alerts{id entities{type value}}}}', {}, cg);
      const asQueued = queue.data!.alerts.alerts.find((a) => a.id === pushed.id);
      const raw = await r.gql<{ alert: unknown }>('query($id:ID!){alert(id:$id){entities{type value}}}', { id: pushed.id }, admin);
      await until('the same alert pushed to the admin', () => alertsOf(all).some((a) => a.id === pushed.id));
      const unmasked = entities(raw.data!.alert);
      expect(unmasked.length).toBeGreaterThan(0);
      // The analyst's push is masked exactly as the analyst's alert queue shows the alert ...
      expect(entities(pushed)).toEqual(entities(asQueued));
      expect(entities(pushed).map((e) => e.value)).not.toEqual(unmasked.map((e) => e.value));
      // One alert read, moved or commented answers with the same masks as the queue (every output path).
      const one = await r.gql<{ alert: unknown }>('query($id:ID!){alert(id:$id){entities{type value}}}', { id: pushed.id }, cg);
      expect(entities(one.data!.alert)).toEqual(entities(asQueued));
      const commented = await r.gql<{ commentAlert: unknown }>(
        'mutation($id:ID!){commentAlert(id:$id,comment:"seen"){entities{type value}}}',
        { id: pushed.id },
        cg,
      );
      expect(commented.errors).toBeUndefined();
      expect(entities(commented.data!.commentAlert)).toEqual(entities(asQueued));
      // ... and the admin's push carries the values in clear.
      expect(
        entities(
          alertsOf(all)
            .filter((a) => a.id === pushed.id)
            .at(-1),
        ),
      ).toEqual(unmasked);
    } finally {
      expect((await r.gql(change, { c: { op: 'remove', line } }, admin)).errors).toBeUndefined();
    }
  });

  it('limits the open subscriptions of one person', async () => {
    const three = [await subscribe(r.platform.url, cg), await subscribe(r.platform.url, cg), await subscribe(r.platform.url, cg)];
    open.push(...three);
    await until('three streams registered', () => r.platform.service<{ live: { size: number } }>('live-alerts').live.size >= 3);
    const fourth = await subscribe(r.platform.url, cg);
    await fourth.ended;
    expect(fourth.events.find((e) => e.data?.errors)?.data?.errors?.[0]?.extensions).toEqual({ code: 'LIMIT_EXCEEDED', limit: 3 });
    three[0]!.close();
    await until('a stream let go', () => r.platform.service<{ live: { size: number } }>('live-alerts').live.size === 2);
    const again = await subscribe(r.platform.url, cg);
    open.push(again);
    await until('the new stream registered', () => r.platform.service<{ live: { size: number } }>('live-alerts').live.size === 3);
    expect(again.isEnded()).toBe(false);
  });

  it('ends a stream at once when its session ends or its account is isolated (no timer), or when the policy decides otherwise', async () => {
    const live = () => r.platform.service<{ live: { size: number; sweep(): void } }>('live-alerts').live;
    const s1 = await signInAs(r, admin, 'leaver', 'analyst', '城管');
    const byLogout = await subscribe(r.platform.url, s1);
    await until('registered', () => live().size === 1);
    await r.gql('mutation{logout}', {}, s1);
    await byLogout.ended;

    const s2 = await signInAs(r, admin, 'suspect2', 'analyst', '城管');
    const byIsolation = await subscribe(r.platform.url, s2);
    await until('registered', () => live().size === 1);
    expect((await r.gql('mutation{isolateAccount(user:"suspect2",reason:"test"){id}}', {}, admin)).errors).toBeUndefined();
    await byIsolation.ended;

    const s3 = await signInAs(r, admin, 'watcher', 'analyst', '城管');
    const byPolicy = await subscribe(r.platform.url, s3);
    await until('registered', () => live().size === 1);
    const line = { ptype: 'p', values: ['deny-watcher-alerts', 'analyst', '*', 'alerts', 'read', '', 'deny'] };
    const applied = await r.gql('mutation($c:PolicyChangeInput!){applyPolicyChange(change:$c){version}}', { c: { op: 'add', line } }, admin);
    expect(applied.errors).toBeUndefined();
    live().sweep();
    await byPolicy.ended;
    await r.gql('mutation($c:PolicyChangeInput!){applyPolicyChange(change:$c){version}}', { c: { op: 'remove', line } }, admin);
    expect(live().size).toBe(0);
    // Each stream ended without an error: the client subscribes again, and the door answers it.
    for (const s of [byLogout, byIsolation, byPolicy]) expect(s.events.map((e) => e.event)).toEqual(['complete']);
  });
});
