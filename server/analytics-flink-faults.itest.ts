/**
 * Correlation on Flink survives the loss of its TaskManager with exactly the alerts it would have
 * raised without it. The loghub OpenSSH log goes through the gateway in two batches twice: once to
 * a cluster-profile platform whose Flink job runs undisturbed (the reference), once to another
 * where the TaskManager is killed with SIGKILL after the job has checkpointed the first batch,
 * the second batch is ingested while no TaskManager runs, and the TaskManager is then started
 * again. The job restarts from its last checkpoint and replays what came after it; the firings it
 * repeats carry the ids of the first ones, so each brute-force alert must end with exactly the
 * reference's count and event ids: nothing lost, nothing counted twice.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sharedPath } from '../core/shared-data';
import { FlinkRestClient } from '../analytics/flink';
import { stackUp } from '../stack';
import { findDaemon } from '../stack/process';
import { adminSession, clusterOverrides, type Running, startTestPlatform } from './test-support/harness';

jest.setTimeout(900_000);

const REST = 'http://127.0.0.1:8081';
const ROOT = path.resolve(__dirname, '..');
const LOGHUB = sharedPath('data/loghub/OpenSSH/OpenSSH_2k.log');
const BRUTE = 'ad814613-1f7e-4fdb-880b-033b3f69c4b8';
const rest = new FlinkRestClient({ url: REST });

type AlertView = { rule: { id: string }; entities: { type: string; value: string }[]; count: number; eventIds: string[] };
/** Per source address: the alert's count (of the windows that fired) and its event ids, sorted. */
type Outcome = Record<string, { count: number; eventIds: string[] }>;

const sleep = (ms: number) => new Promise((x) => setTimeout(x, ms));

async function json<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** The brute-force alerts as they stand. */
async function outcome(r: Running, admin: string): Promise<Outcome> {
  const got = await r.gql<{ alerts: { alerts: AlertView[] } }>('{alerts(size:1000){alerts{rule{id} entities{type value} count eventIds}}}', {}, admin);
  if (got.errors) throw new Error(JSON.stringify(got.errors));
  const out: Outcome = {};
  for (const a of got.data!.alerts.alerts.filter((x) => x.rule.id === BRUTE)) {
    const ip = a.entities.find((e) => e.type === 'ip')!.value;
    out[ip] = { count: a.count, eventIds: [...a.eventIds].sort() };
  }
  return out;
}

/** The platform's correlation job, once it runs. */
async function runningJob(r: Running, admin: string): Promise<string> {
  type Status = { analyticsStatus: { jobs: { rule: string; state: string; jobId: string | null }[] } };
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    const jobs = (await r.gql<Status>('{analyticsStatus{jobs{rule state jobId}}}', {}, admin)).data?.analyticsStatus.jobs ?? [];
    const brute = jobs.find((j) => j.rule === BRUTE && j.state === 'RUNNING' && j.jobId);
    if (brute) return brute.jobId!;
    await sleep(2_000);
  }
  throw new Error('the correlation job did not reach RUNNING within 180 s');
}

async function completedCheckpoints(jobId: string): Promise<number> {
  return (await json<{ counts: { completed: number } }>(`${REST}/jobs/${jobId}/checkpoints`)).counts.completed;
}

async function untilCheckpointAfter(jobId: string, count: number, timeoutMs = 120_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const now = await completedCheckpoints(jobId).catch(() => count);
    if (now > count) return now;
    await sleep(1_000);
  }
  throw new Error(`job ${jobId} completed no checkpoint after #${count} within ${timeoutMs / 1000} s`);
}

describe('correlation on Flink when its TaskManager is killed', () => {
  const lines = readFileSync(LOGHUB, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  // A later success moves event time past every window of the log, so every window fires.
  lines.push('Dec 31 23:59:59 LabSZ sshd[1]: Accepted password for root from 10.255.255.1 port 1 ssh2');
  const half = Math.floor(lines.length / 2);
  const batches = [lines.slice(0, half), lines.slice(half)].map((part, b) =>
    part.map((log, i) => JSON.stringify({ date: 1_700_000_000 + b * half + i, log })).join('\n'),
  );
  const running: Running[] = [];
  /** The checkout whose stack runs Flink: the engines may have been started from another, and are then reused as they are. */
  let stackRoot = ROOT;

  const start = async (tag: string): Promise<{ r: Running; admin: string; send: (b: number) => Promise<void> }> => {
    const r = await startTestPlatform(undefined, false, {
      ...clusterOverrides('elasticsearch', tag),
      'cluster.flink.gatewayUrl': 'http://127.0.0.1:8083',
      'cluster.flink.restUrl': REST,
      'analytics.allowedLatenessSeconds': 5,
    });
    running.push(r);
    const admin = await adminSession(r);
    // The same token name on both platforms: the event ids (which hash it) are the same in both.
    const token = (await r.gql<{ createApiToken: { token: string } }>('mutation{createApiToken(name:"fb",roles:[collector]){token}}', {}, admin)).data!
      .createApiToken.token;
    const send = async (b: number) => {
      const res = await fetch(`${r.platform.url}/ingest/v1/fluent-bit/citysoc.openssh.cg.LabSZ`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: batches[b],
      });
      expect(res.status).toBe(200);
    };
    return { r, admin, send };
  };

  /** Waits until the alerts equal the reference (they only grow: a double count never does), or the deadline. */
  const settle = async (r: Running, admin: string, want: Outcome | null, timeoutMs: number): Promise<Outcome> => {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    let stableSince = Date.now();
    for (;;) {
      const now = await outcome(r, admin);
      const text = JSON.stringify(now);
      if (text !== last) {
        last = text;
        stableSince = Date.now();
      }
      if (want ? text === JSON.stringify(want) : Object.keys(now).length > 0 && Date.now() - stableSince >= 20_000) return now;
      if (Date.now() > deadline) return now;
      await sleep(2_000);
    }
  };

  afterAll(async () => {
    // The jobs belong to the cluster, not to the platforms: cancel this test's own.
    for (const j of await rest.jobs().catch(() => []))
      if ((j.name.includes('-fref-') || j.name.includes('-fkil-')) && ['RUNNING', 'RESTARTING', 'CREATED'].includes(j.state))
        await rest.cancelJob(j.jid).catch(() => undefined);
    for (const r of running) await r.stop().catch(() => undefined);
    // Whatever happened above, the TaskManager runs again for the tests after this one.
    await stackUp({ root: stackRoot, only: ['flink'] });
  });

  it('ends with exactly the alerts of an undisturbed run: no firing lost, none counted twice', async () => {
    const ref = await start('fref');
    const refJob = await runningJob(ref.r, ref.admin);
    await ref.send(0);
    await ref.send(1);
    const reference = await settle(ref.r, ref.admin, null, 300_000);
    expect(Object.keys(reference).length).toBeGreaterThan(0);
    for (const o of Object.values(reference)) {
      // count: the windows that fired; each fired on at least 10 failed passwords, all distinct.
      expect(o.count).toBeGreaterThanOrEqual(1);
      expect(o.eventIds.length).toBeGreaterThanOrEqual(10);
      expect(new Set(o.eventIds).size).toBe(o.eventIds.length);
    }
    await rest.cancelJob(refJob);

    const hit = await start('fkil');
    const job = await runningJob(hit.r, hit.admin);
    const before = await completedCheckpoints(job);
    await hit.send(0);
    // A checkpoint that covers part of the stream: the restart resumes from it, not from the start.
    await untilCheckpointAfter(job, before);
    await untilCheckpointAfter(job, before + 1);

    const tm = findDaemon('flink-taskmanager');
    expect(tm).toBeDefined();
    stackRoot = tm!.root;
    process.kill(tm!.pid, 'SIGKILL');
    // Events keep arriving while no TaskManager runs: Kafka holds them for the job.
    await hit.send(1);
    const gone = Date.now() + 120_000;
    while (Date.now() < gone && ((await json<{ taskmanagers: number }>(`${REST}/overview`)).taskmanagers ?? 0) > 0) await sleep(2_000);
    expect((await json<{ taskmanagers: number }>(`${REST}/overview`)).taskmanagers).toBe(0);
    expect(['RESTARTING', 'RUNNING', 'CREATED']).toContain((await rest.job(job)).state);

    const up = await stackUp({ root: stackRoot, only: ['flink'] });
    expect(up.every((s) => s.healthy)).toBe(true);
    await rest.waitForState(job, ['RUNNING'], { timeoutMs: 180_000 });
    const restored = await json<{ latest: { restored: { id: number } | null } }>(`${REST}/jobs/${job}/checkpoints`);
    expect(restored.latest.restored).not.toBeNull();

    const after = await settle(hit.r, hit.admin, reference, 300_000);
    expect(after).toEqual(reference);
    // Still exactly so once the restarted job has checkpointed again: no repeated firing came late.
    await untilCheckpointAfter(job, await completedCheckpoints(job));
    await sleep(10_000);
    expect(await outcome(hit.r, hit.admin)).toEqual(reference);
  });
});
