/** Detection in the running platform: raw sshd lines in through the gateway, alerts out through the API. */
import { readFileSync } from 'node:fs';
import { adminSession, type Running, startTestPlatform } from './test-support/harness';
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
    expect(r.platform.detection!.rules().length).toBeGreaterThanOrEqual(40);
    const lines = readFileSync(LOGHUB, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    const body = lines.map((log, i) => JSON.stringify({ date: 1_700_000_000 + i, log })).join('\n');
    const res = await fetch(`${r.platform.url}/ingest/v1/fluent-bit/citysoc.openssh.chengguan.LabSZ`, {
      method: 'POST',
      headers: { authorization: `Bearer ${collector}`, 'content-type': 'application/x-ndjson' },
      body,
    });
    expect(res.status).toBe(200);
    await r.platform.detection!.idle();
    const alerts = await r.gql<{
      alerts: { total: number; alerts: { rule: { id: string; name: string }; entities: { type: string; value: string }[]; count: number }[] };
    }>('{alerts(size:1000){total alerts{rule{id name} entities{type value} count}}}', {}, admin);
    const brute = alerts.data!.alerts.alerts.filter((a) => /brute/i.test(a.rule.name));
    const ips = new Set(brute.flatMap((a) => a.entities.filter((e) => e.type === 'ip').map((e) => e.value)));
    const expected = bruteForceIps(lines);
    expect(expected.length).toBeGreaterThan(0);
    expect([...ips].sort()).toEqual(expected.sort());
  });
});
