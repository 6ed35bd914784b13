/**
 * UEBA, measured:
 *  1. detection: `citysoc simulate --users 500 --days 60 --seed 7` through the parsers and the
 *     embedded engine → recall against the answer key, explained recall (the alert's contributions
 *     name the injected behaviour), false alerts per 100 user-days, time to the first alert;
 *  2. throughput on one core with 10,000 users: feature extraction + scoring events/s in memory,
 *     and with state checkpointed to SQLite per 1,000-event batch (the module's runtime);
 *  3. state bytes per entity-feature (in memory and as stored);
 *  4. peer-group recomputation time for 10,000 users.
 * Prints measured figures only.
 *
 *   taskset -c 0 npx tsx bench/ueba.ts
 *   BENCH_UEBA_BIG_DAYS=3 BENCH_UEBA_SKIP_DETECTION=1 taskset -c 0 npx tsx bench/ueba.ts
 *   BENCH_UEBA_SEED=11 BENCH_UEBA_SKIP_THROUGHPUT=1 npx tsx bench/ueba.ts    (another city)
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Doc } from '../core/doc';
import type { DeliveredMessage } from '../core/ports';
import { defaultUebaConfig } from '../analytics/ueba/config';
import { FeatureEngine } from '../analytics/ueba/engine/engine';
import { runDetection } from '../analytics/ueba/measure';
import { modeled, entitySet } from '../analytics/ueba/features/definitions';
import { computePeers } from '../analytics/ueba/peers/groups';
import { UebaRuntime } from '../analytics/ueba/runtime';
import { UebaScorer } from '../analytics/ueba/scorer';
import { simulatedEvents } from '../analytics/ueba/simulator/ingest';
import { simulate } from '../analytics/ueba/simulator/simulate';
import { encodeEntity } from '../analytics/ueba/state/codec';

const SEED = Number(process.env.BENCH_UEBA_SEED ?? 7);
const BIG_USERS = Number(process.env.BENCH_UEBA_BIG_USERS ?? 10_000);
const BIG_DAYS = Number(process.env.BENCH_UEBA_BIG_DAYS ?? 3);
const cfg = defaultUebaConfig();
const fmt = (x: number, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function detection(root: string): Promise<void> {
  const dir = process.env.BENCH_UEBA_SIM_DIR ?? path.join(root, 'sim-500');
  let t = performance.now();
  if (!process.env.BENCH_UEBA_SIM_DIR) {
    const m = await simulate({ users: 500, days: 60, seed: SEED, out: dir });
    console.log(`simulate --users 500 --days 60 --seed ${SEED}: ${fmt(m.lines)} log lines in ${fmt((performance.now() - t) / 1000, 1)} s`);
  }
  t = performance.now();
  const r = await runDetection(dir, cfg);
  const e = r.evaluation;
  console.log(
    `read + parse + enrich: ${fmt(r.lines)} lines, ${fmt(r.deadLetters)} dead letters, ${fmt(r.parseMs / 1000, 1)} s (${fmt(r.lines / (r.parseMs / 1000))} lines/s)`,
  );
  console.log(
    `features + scoring: ${fmt(r.events)} events in ${fmt(r.scoreMs / 1000, 1)} s (${fmt(r.events / (r.scoreMs / 1000))} events/s), ${r.peerMs.length} peer recomputations ${fmt(r.peerMs.reduce((a, b) => a + b, 0) / 1000, 1)} s of it`,
  );
  console.log(
    `recall ${fmt(e.recall, 3)} (${e.scenarios.filter((s) => s.detected).length}/${e.scenarios.length}), explained ${fmt(e.explainedRecall, 3)}, alerts ${e.alerts}, false alerts ${e.falseAlerts} = ${fmt(e.falsePer100UserDays, 3)} per 100 user-days (${fmt(e.userDays)} user-days)`,
  );
  console.log('scenario               injected detected explained  first alert after (min)');
  for (const [type, c] of Object.entries(e.byType)) {
    const delays = e.scenarios.filter((s) => s.scenario === type && s.delayMinutes !== undefined).map((s) => s.delayMinutes!);
    console.log(
      `${type.padEnd(22)} ${String(c.injected).padStart(8)} ${String(c.detected).padStart(8)} ${String(c.explained).padStart(9)}  ${delays.join(', ')}`,
    );
  }
  for (const s of e.scenarios.filter((x) => !x.explained)) console.log(`  missed: ${s.id} ${s.user ?? ''}`);
  for (const u of e.unmatched.slice(0, 20)) console.log(`  false alert: ${u.entity} at ${u.time}: ${u.features.join(', ')}`);
  console.log(`(${fmt((performance.now() - t) / 1000, 1)} s)`);
}

/** A 10,000-person city for a few days, parsed once into a JSON lines file (parsing is not what is timed here). */
async function bigCity(root: string): Promise<{ file: string; events: number }> {
  const dir = path.join(root, 'sim-big');
  let t = performance.now();
  const m = await simulate({ users: BIG_USERS, days: BIG_DAYS, seed: 7, out: dir });
  console.log(`simulate --users ${BIG_USERS} --days ${BIG_DAYS}: ${fmt(m.lines)} lines in ${fmt((performance.now() - t) / 1000, 1)} s`);
  t = performance.now();
  const file = path.join(root, 'big.jsonl');
  const out = createWriteStream(file);
  let events = 0;
  for await (const p of simulatedEvents(dir)) {
    if (!p.event) continue;
    events++;
    if (!out.write(JSON.stringify(p.event) + '\n')) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
  rmSync(dir, { recursive: true, force: true });
  console.log(`parsed ${fmt(events)} events in ${fmt((performance.now() - t) / 1000, 1)} s`);
  return { file, events };
}

async function* chunks(file: string, size: number): AsyncGenerator<Doc[]> {
  let batch: Doc[] = [];
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (!line) continue;
    batch.push(JSON.parse(line) as Doc);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

async function throughput(root: string): Promise<void> {
  const { file, events } = await bigCity(root);
  // In memory: the engine and the scorer alone.
  const engine = new FeatureEngine(cfg);
  const scorer = new UebaScorer(cfg);
  let ms = 0;
  for await (const batch of chunks(file, 1000)) {
    const t = performance.now();
    for (const e of batch) engine.process(e);
    scorer.observe(engine.drain());
    ms += performance.now() - t;
  }
  const t0 = performance.now();
  engine.flush();
  scorer.observe(engine.drain());
  ms += performance.now() - t0;
  const peerMs = scorer.peerMillis.reduce((a, b) => a + b, 0);
  console.log(
    `${fmt(BIG_USERS)} users, in memory: ${fmt(events)} events, ${fmt(events / (ms / 1000))} events/s (peer recomputations ${fmt(peerMs / 1000, 1)} s included; ${fmt(events / ((ms - peerMs) / 1000))} events/s without)`,
  );

  // State per entity-feature: the baseline's typed arrays in memory, and the stored document.
  let entities = 0;
  let features = 0;
  let memory = 0;
  let stored = 0;
  for (const [type, states] of engine.states) {
    const width = modeled(entitySet(type)).length;
    for (const st of states.values()) {
      entities++;
      features += width;
      memory += st.baseline.bytes;
      stored += Buffer.byteLength(JSON.stringify(encodeEntity(st)));
    }
  }
  console.log(
    `state: ${fmt(entities)} entities × modelled features = ${fmt(features)} entity-features; baseline ${fmt(memory / features)} B per entity-feature in memory, ${fmt(stored / features)} B as stored (with open hours)`,
  );

  // Peer groups for everyone the run profiled.
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const model = computePeers(scorer.profiles, cfg, Number(engine.clock.maxTime), 1);
    runs.push(performance.now() - t);
    if (i === 0)
      console.log(
        `peer groups: ${fmt(model.users.size)} users, ${model.clusters} clusters (smallest ${Math.min(...model.clusterSizes)}), ${fmt(model.explained * 100, 1)}% variance kept`,
      );
  }
  console.log(
    `peer-group recomputation for ${fmt(scorer.profiles.users.size)} users: median ${fmt(median(runs) / 1000, 2)} s of ${runs.map((r) => fmt(r / 1000, 2)).join(', ')} s`,
  );

  // The module's runtime: the same events, state and offsets committed to SQLite per 1,000-event batch.
  const rt = new UebaRuntime(cfg, { file: path.join(root, 'ueba.db'), publish: async () => undefined });
  let offset = 0;
  let rms = 0;
  for await (const batch of chunks(file, 1000)) {
    const msgs: DeliveredMessage<unknown>[] = batch.map((value) => ({ topic: 'citysoc.events', key: '', value, offset: String(++offset) }));
    const t = performance.now();
    await rt.handle('citysoc.events', msgs);
    rms += performance.now() - t;
  }
  const sizes = rt.store.sizes();
  rt.close();
  console.log(
    `${fmt(BIG_USERS)} users, runtime with SQLite checkpoints per 1,000 events: ${fmt(events / (rms / 1000))} events/s (ratio to in memory ${fmt(ms / rms, 2)}); stored ${Object.entries(
      sizes,
    )
      .map(([k, v]) => `${k} ${fmt(v.rows)} rows ${fmt(v.bytes / 1048576, 1)} MiB`)
      .join(', ')}`,
  );
}

async function main(): Promise<void> {
  const root = mkdtempSync(path.join(tmpdir(), 'citysoc-bench-ueba-'));
  try {
    if (!process.env.BENCH_UEBA_SKIP_DETECTION) await detection(root);
    if (!process.env.BENCH_UEBA_SKIP_THROUGHPUT) await throughput(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

void main();
