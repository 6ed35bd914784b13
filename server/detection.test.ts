/** Detection in the running platform: raw sshd lines in through the gateway, alerts out through the API. */
import { readFileSync } from 'node:fs';
import { adminSession, type Running, signInAs, startTestPlatform } from './test-support/harness';
import { bruteForceIps } from './test-support/ssh-guessing';
import { sharedPath } from '../core/shared-data';

const LOGHUB = sharedPath('data/loghub/OpenSSH/OpenSSH_2k.log');

describe('detection on ingested events', () => {
  let r: Running;
  let admin: string;
  let collector: string;
  beforeAll(async () => {
    r = await startTestPlatform();
    admin = await adminSession(r);
    collector = (await r.platform.identity.issueApiToken('fluent-bit-01', ['collector'], 'test')).token;
  });
  afterAll(async () => r.stop());

  it('runs the shipped rules, and the SSH brute-force correlation fires for the guessing source IPs of the real log', async () => {
    const rules = await r.gql<{ rules: { id: string; enabled: boolean }[] }>('{rules{id enabled}}', {}, admin);
    expect(rules.data!.rules.filter((x) => x.enabled).length).toBeGreaterThanOrEqual(40);
    const lines = readFileSync(LOGHUB, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    const body = lines.map((log, i) => JSON.stringify({ date: 1_700_000_000 + i, log })).join('\n');
    const res = await fetch(`${r.platform.url}/ingest/v1/fluent-bit/citysoc.openssh.cg.LabSZ`, {
      method: 'POST',
      headers: { authorization: `Bearer ${collector}`, 'content-type': 'application/x-ndjson' },
      body,
    });
    expect(res.status).toBe(200);
    expect(await r.platform.analytics.idle()).toBe(true);
    const alerts = await r.gql<{
      alerts: { total: number; alerts: { rule: { id: string; name: string }; entities: { type: string; value: string }[]; count: number }[] };
    }>('{alerts(size:1000){total alerts{rule{id name} entities{type value} count}}}', {}, admin);
    const brute = alerts.data!.alerts.alerts.filter((a) => /brute/i.test(a.rule.name));
    const ips = new Set(brute.flatMap((a) => a.entities.filter((e) => e.type === 'ip').map((e) => e.value)));
    const expected = bruteForceIps(lines);
    expect(expected.length).toBeGreaterThan(0);
    expect([...ips].sort()).toEqual(expected.sort());
    // the correlation alerts carry the department of the attacked host (tagged with its code, cg)
    const depts = await r.gql<{ alerts: { alerts: { rule: { name: string }; department: string | null }[] } }>(
      '{alerts(size:1000){alerts{rule{name} department}}}',
      {},
      admin,
    );
    const bruteDepts = depts.data!.alerts.alerts.filter((a) => /brute/i.test(a.rule.name)).map((a) => a.department);
    expect(new Set(bruteDepts)).toEqual(new Set(['城管']));
    // so an analyst of 城管 sees them, and one of 公安 sees none
    const cg = await signInAs(r, admin, 'cg-analyst', 'analyst', '城管');
    const ga = await signInAs(r, admin, 'ga-analyst', 'analyst', '公安');
    const seen = async (t: string) =>
      (await r.gql<{ alerts: { alerts: { rule: { name: string } }[] } }>('{alerts(size:1000){alerts{rule{name}}}}', {}, t)).data!.alerts.alerts.filter((a) =>
        /brute/i.test(a.rule.name),
      ).length;
    expect(await seen(cg)).toBe(brute.length);
    expect(await seen(ga)).toBe(0);
  });

  it('a redelivered batch is folded once: alerts keep their counts when the same events are posted again', async () => {
    const before = await r.gql<{ alerts: { alerts: { id: string; count: number; rule: { id: string } }[] } }>(
      '{alerts(size:1000){alerts{id count rule{id}}}}',
      {},
      admin,
    );
    const lines = readFileSync(LOGHUB, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    const body = lines.map((log, i) => JSON.stringify({ date: 1_700_000_000 + i, log })).join('\n');
    // the same records again (a shipper's retry): the same event ids, so the same signals
    const res = await fetch(`${r.platform.url}/ingest/v1/fluent-bit/citysoc.openssh.cg.LabSZ`, {
      method: 'POST',
      headers: { authorization: `Bearer ${collector}`, 'content-type': 'application/x-ndjson' },
      body,
    });
    expect(res.status).toBe(200);
    expect(await r.platform.analytics.idle()).toBe(true);
    const after = await r.gql<{ alerts: { alerts: { id: string; count: number; rule: { id: string } }[] } }>(
      '{alerts(size:1000){alerts{id count rule{id}}}}',
      {},
      admin,
    );
    const counts = (x: typeof before) => Object.fromEntries(x.data!.alerts.alerts.map((a) => [`${a.rule.id} ${a.id}`, a.count]));
    expect(counts(after)).toEqual(counts(before));
  });
});
