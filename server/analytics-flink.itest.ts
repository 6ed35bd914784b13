/**
 * The cluster profile runs correlation on Flink for real: the platform submits one job per
 * correlation rule through the SQL Gateway at start; loghub OpenSSH replayed through the gateway
 * raises the brute-force alerts from the Flink job's firings (their signals say so); disabling the
 * rule cancels its job.
 */
import { readFileSync } from 'node:fs';
import { sharedPath } from '../core/shared-data';
import { FlinkRestClient } from '../analytics/flink';
import { adminSession, clusterOverrides, type Running, startTestPlatform } from './test-support/harness';
import { bruteForceIps } from './test-support/ssh-guessing';

jest.setTimeout(420_000);

const LOGHUB = sharedPath('data/loghub/OpenSSH/OpenSSH_2k.log');
const BRUTE = 'ad814613-1f7e-4fdb-880b-033b3f69c4b8';

describe('correlation on Flink in the cluster profile', () => {
  let r: Running;
  let admin: string;
  const rest = new FlinkRestClient({ url: 'http://127.0.0.1:8081' });
  beforeAll(async () => {
    r = await startTestPlatform(undefined, false, {
      ...clusterOverrides('elasticsearch', 'flk'),
      'cluster.flink.gatewayUrl': 'http://127.0.0.1:8083',
      'cluster.flink.restUrl': 'http://127.0.0.1:8081',
      'analytics.allowedLatenessSeconds': 5,
    });
    admin = await adminSession(r);
  });
  afterAll(async () => {
    // the jobs belong to the cluster, not to the platform: cancel this test's own
    for (const j of await rest.jobs())
      if (j.name.includes('-flk-') && ['RUNNING', 'RESTARTING', 'CREATED'].includes(j.state)) await rest.cancelJob(j.jid).catch(() => undefined);
    await r?.stop();
  });

  it('submits the correlation job, raises the brute-force alerts from its firings, and replaces it when a rule is disabled', async () => {
    type Status = { analyticsStatus: { engine: string; jobs: { rule: string; state: string; jobId: string | null; error: string | null }[] } };
    const status = await r.gql<Status>('{analyticsStatus{engine jobs{rule state jobId error}}}', {}, admin);
    expect(status.data!.analyticsStatus.engine).toBe('flink');
    const brute = status.data!.analyticsStatus.jobs.find((j) => j.rule === BRUTE)!;
    expect(brute).toMatchObject({ state: 'RUNNING', error: null });

    const token = (await r.gql<{ createApiToken: { token: string } }>('mutation{createApiToken(name:"fb",roles:[collector]){token}}', {}, admin)).data!
      .createApiToken.token;
    const lines = readFileSync(LOGHUB, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    // and a later success: moves event time past every window of the log
    lines.push('Dec 31 23:59:59 LabSZ sshd[1]: Accepted password for root from 10.255.255.1 port 1 ssh2');
    const body = lines.map((log, i) => JSON.stringify({ date: 1_700_000_000 + i, log })).join('\n');
    const res = await fetch(`${r.platform.url}/ingest/v1/fluent-bit/citysoc.openssh.cg.LabSZ`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body,
    });
    expect(res.status).toBe(200);

    // Flink's tumbling windows see fewer bursts than the embedded engine's sliding ones (the
    // flink-static-window warning): every address it reports is a guessing one, and it reports some.
    const guessing = new Set(bruteForceIps(lines));
    type Alerts = { alerts: { alerts: { rule: { id: string }; entities: { type: string; value: string }[]; department: string | null }[] } };
    let found: Alerts['alerts']['alerts'] = [];
    const deadline = Date.now() + 240_000;
    while (Date.now() < deadline && found.length === 0) {
      await new Promise((x) => setTimeout(x, 2_000));
      found = (await r.gql<Alerts>('{alerts(size:1000){alerts{rule{id} entities{type value} department}}}', {}, admin)).data!.alerts.alerts.filter(
        (a) => a.rule.id === BRUTE,
      );
    }
    expect(found.length).toBeGreaterThan(0);
    for (const a of found) {
      expect(guessing.has(a.entities.find((e) => e.type === 'ip')!.value)).toBe(true);
      expect(a.department).toBe('城管');
    }

    const off = await r.gql('mutation{setRuleEnabled(id:"' + BRUTE + '",enabled:false){enabled}}', {}, admin);
    expect(off.errors).toBeUndefined();
    const gone = Date.now() + 60_000;
    let state = 'RUNNING';
    while (Date.now() < gone && state === 'RUNNING') {
      await new Promise((x) => setTimeout(x, 1_000));
      state = (await rest.job(brute.jobId!)).state;
    }
    expect(['CANCELED', 'CANCELLING']).toContain(state);
    // the remaining rules run on in a new job
    let after: Status['analyticsStatus']['jobs'] = [];
    const resubmitted = Date.now() + 180_000;
    while (Date.now() < resubmitted) {
      after = (await r.gql<Status>('{analyticsStatus{engine jobs{rule state jobId error}}}', {}, admin)).data!.analyticsStatus.jobs;
      if (after.some((j) => j.state === 'RUNNING')) break;
      await new Promise((x) => setTimeout(x, 2_000));
    }
    expect(after.some((j) => j.rule === BRUTE)).toBe(false);
    expect(after.filter((j) => j.state === 'RUNNING').length).toBeGreaterThan(0);
    expect(after.find((j) => j.state === 'RUNNING')!.jobId).not.toBe(brute.jobId);
  });
});
