/**
 * Playbook runs through the real Node-RED runtime: alerts published on the spool bus, one playbook
 * alert in → enrich → update alert, every action through the Door (PDP, SQLite audit trail), the
 * alert updated in the SQLite alert store, and each run's step log written to the SQLite run store.
 * Prints runs/s (wall clock, and per CPU-second of this process: what one core gives, whatever
 * else the machine runs) and the latency from an alert's publish to its first action (the enrich).
 *
 * Two phases: the target rate (200 alerts/s) offered steadily, then a burst as fast as runs go.
 *
 * Run: npx tsx bench/playbooks.ts [alerts per phase=2000]   (figures only; no assertions)
 *      taskset -c 0 npx tsx bench/playbooks.ts           (everything on one core, audit writer thread included)
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { SpoolBus } from '../adapters/embedded/spool-bus';
import type { Alert } from '../core/alert';
import { PlaybooksConfigSchema } from '../playbooks/config';
import type { PlaybookHost } from '../playbooks/host';
import { openPlaybooks } from '../playbooks/playbooks';
import { openTestHost } from '../playbooks/test-support/test-host';

const N = Number(process.argv[2] ?? 2000);

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

const flow = [
  {
    id: 'bench-tab',
    type: 'tab',
    label: 'bench',
    env: [
      { name: 'CITYSOC_PLAYBOOK', value: 'bench' },
      { name: 'CITYSOC_PLAYBOOK_VERSION', value: '1' },
    ],
  },
  { id: 'b-in', type: 'citysoc-alert-in', z: 'bench-tab', rules: 'bench-rule', wires: [['b-enrich']] },
  { id: 'b-enrich', type: 'citysoc-enrich', z: 'bench-tab', wires: [['b-update']] },
  { id: 'b-update', type: 'citysoc-update-alert', z: 'bench-tab', status: 'acknowledged', comment: 'triaged by {{citysoc.playbookName}}', wires: [[]] },
];

function alert(i: number, at: string): Alert {
  return {
    id: `bench-${i}`,
    dedupKey: `bench-${i}`,
    rule: { id: 'bench-rule', name: 'Bench rule', type: 'sigma', severity: 'high', tags: [] },
    entities: [{ type: 'user', value: `bench-${i}` }],
    eventIds: [],
    firstSeen: at,
    lastSeen: at,
    count: 1,
    risk: 50,
    department: '城管',
    status: 'open',
    history: [],
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'citysoc-bench-playbooks-'));
  const flowsDir = path.join(dir, 'flows');
  mkdirSync(flowsDir);
  writeFileSync(path.join(flowsDir, 'bench.json'), JSON.stringify(flow));
  const bus = new SpoolBus({ file: path.join(dir, 'bus.db'), pollMs: 20 });
  const t = await openTestHost(dir, { bus });
  const published = new Map<string, number>();
  const firstAction: number[] = [];
  // The test host's enrich and update, each a door action; the enrich is the run's first action.
  const host: PlaybookHost = {
    ...t.host,
    enrich: (actor, input) => {
      const p = published.get(input.entities[0]!.value);
      if (p !== undefined) firstAction.push(performance.now() - p);
      return t.host.enrich(actor, input);
    },
  };
  const pb = await openPlaybooks({
    config: PlaybooksConfigSchema.parse({ enableShipped: true, editor: false }),
    dataDir: dir,
    state: t.state,
    bus,
    door: t.door,
    host,
    authenticate: () => null,
    log: { error: (o, m) => console.error(m, o), warn: (o, m) => console.error(m, o), info: () => undefined, debug: () => undefined },
    flowsDir,
  });
  // The alert writer stores an alert before it publishes it; that is not the playbooks' cost.
  const now = new Date().toISOString();
  const alerts = Array.from({ length: 2 * N }, (_, i) => alert(i, now));
  for (const a of alerts) await t.alerts.upsert(a, 0);

  const store = pb.engine.store;
  const finished = async (n: number) => {
    for (;;) {
      const done = (await store.listRuns({ status: ['succeeded'], limit: N * 2 + 10 })).length;
      if (done >= n) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const publishAt = new Map<string, number>();
  const publish = async (batch: Alert[]) => {
    const at = performance.now();
    const wall = Date.now();
    for (const a of batch) {
      published.set(a.entities[0]!.value, at);
      publishAt.set(a.id, wall);
    }
    await bus.publish(
      'citysoc.alerts',
      batch.map((a) => ({ key: a.id, value: a })),
    );
  };
  const endToEnd = async (ids: string[]) => {
    const runs = await store.listRuns({ limit: N * 2 + 10 });
    const byAlert = new Map(runs.map((r) => [r.trigger.alertId!, r]));
    return ids.map((id) => Date.parse(byAlert.get(id)!.endedAt!) - publishAt.get(id)!);
  };
  const report = (label: string, n: number, secs: number, cpuSecs: number, first: number[], end: number[]) => {
    console.log(
      `${label}: ${n} runs in ${secs.toFixed(1)} s = ${(n / secs).toFixed(0)} runs/s wall clock; ${(n / cpuSecs).toFixed(0)} runs per CPU-second of this process (${cpuSecs.toFixed(2)} CPU-s, all threads)`,
    );
    console.log(
      `  published → first action (enrich): p50 ${percentile(first, 50).toFixed(0)} ms, p95 ${percentile(first, 95).toFixed(0)} ms, p99 ${percentile(first, 99).toFixed(0)} ms`,
    );
    console.log(
      `  published → run succeeded (update alert done, step log written): p50 ${percentile(end, 50).toFixed(0)} ms, p95 ${percentile(end, 95).toFixed(0)} ms`,
    );
  };

  // 1. The target rate offered steadily: 200 alerts/s, published every 50 ms (10 at a time).
  const paced = alerts.slice(0, N);
  let cpu0 = process.cpuUsage();
  let t0 = performance.now();
  for (let i = 0; i < paced.length; i += 10) {
    await publish(paced.slice(i, i + 10));
    const due = t0 + ((i + 10) / 200) * 1000;
    await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
  }
  await finished(N);
  let secs = (performance.now() - t0) / 1000;
  let cpu = process.cpuUsage(cpu0);
  report('at 200 alerts/s offered', N, secs, (cpu.user + cpu.system) / 1e6, [...firstAction], await endToEnd(paced.map((a) => a.id)));

  // 2. Capacity: a burst of as many alerts at once, as fast as the runs go.
  firstAction.length = 0;
  const burst = alerts.slice(N);
  cpu0 = process.cpuUsage();
  t0 = performance.now();
  for (let i = 0; i < burst.length; i += 500) await publish(burst.slice(i, i + 500));
  await finished(2 * N);
  secs = (performance.now() - t0) / 1000;
  cpu = process.cpuUsage(cpu0);
  report(`a burst of ${N} alerts`, N, secs, (cpu.user + cpu.system) / 1e6, [...firstAction], await endToEnd(burst.map((a) => a.id)));

  const runs = await store.listRuns({ limit: 2 * N + 10 });
  const sample = await Promise.all(runs.slice(0, 20).map((r) => store.listSteps(r.id)));
  const failed = runs.filter((r) => r.status !== 'succeeded').length;
  const acknowledged = (await t.alerts.list({ status: ['acknowledged'], size: 1 })).total;
  const trail = (await t.audit.query({ action: 'alerts.update', size: 2 * N + 10 })).length;
  console.log(
    `machine: ${availableParallelism()} cores, load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} (other work included)`,
  );
  console.log(`runs: ${runs.length} (${runs.length - failed} succeeded), alerts acknowledged: ${acknowledged}, alerts.update audit records: ${trail}`);
  console.log(`step log: ${sample.map((s) => s.length).join('/')} steps per run (trigger, enrich, update alert), each with input, output and duration`);
  console.log('target: ≥ 200 runs/s and p95 ≤ 500 ms (published → first action) on one core');
  await pb.stop();
  await bus.close();
  await t.close();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
