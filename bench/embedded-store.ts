/**
 * The embedded store: write rate in batches of 1,000 (~1 KB ECS events), side by side in one run
 * with a bare better-sqlite3 insert of the same JSON (no indexes, no full text: the ceiling) and,
 * when it answers, single-node Elasticsearch's own `_bulk` of the same events (the engine the
 * embedded profile stands in for; `citysoc stack up --only elasticsearch`); then the p50/p95
 * latency of a filtered search with a date histogram over all events. Wall and CPU time are both
 * printed: on a shared machine the CPU time per event is the steadier figure (it counts every
 * thread of this process, the checkpointer included; Elasticsearch's CPU is its own process's).
 *
 *   npx tsx bench/embedded-store.ts            # 1,000,000 events
 *   BENCH_EVENTS=200000 npx tsx bench/embedded-store.ts
 *   BENCH_ES_URL=none npx tsx bench/embedded-store.ts   # without the Elasticsearch side
 */
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteEventStore } from '../adapters/sqlite/event-store';
import { makeEvent, rng } from './events';
import { directBulk } from './search-bulk';

const N = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const BATCH = 1000;
const START = Date.parse('2026-10-01T00:00:00Z');
const SPAN = 30 * 86_400_000;
const ES_URL = process.env.BENCH_ES_URL ?? 'http://127.0.0.1:9200';

async function esAnswers(): Promise<boolean> {
  if (ES_URL === 'none') return false;
  try {
    return (await fetch(ES_URL, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

/** Wall seconds and this process's CPU seconds (all its threads) of f. */
/**
 * CPU seconds of the main thread (Linux: /proc/self/task/<pid>/stat, clock ticks of 10 ms), or
 * NaN elsewhere: what a write costs the thread that also serves requests and runs detection.
 */
function mainThreadCpu(): number {
  try {
    const f = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

async function measured(f: () => Promise<void> | void): Promise<{ wall: number; cpu: number; main: number }> {
  const t = performance.now();
  const c = process.cpuUsage();
  const m = mainThreadCpu();
  await f();
  const used = process.cpuUsage(c);
  return { wall: (performance.now() - t) / 1000, cpu: (used.user + used.system) / 1e6, main: mainThreadCpu() - m };
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'citysoc-bench-'));
  try {
    const r = rng(42);
    const batches = () => {
      const out = [];
      for (let b = 0; b < N / BATCH; b++) out.push(Array.from({ length: BATCH }, (_, k) => makeEvent(b * BATCH + k, START, SPAN, r)));
      return out;
    };
    const data = batches();
    const bytes = data.reduce((n, b) => n + b.reduce((m, e) => m + JSON.stringify(e).length, 0), 0);

    // Baseline: the same JSON into a plain table, one transaction per batch.
    const raw = new Database(path.join(dir, 'raw.db'));
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');
    raw.exec('CREATE TABLE t (id TEXT PRIMARY KEY, doc TEXT)');
    const ins = raw.prepare('INSERT INTO t VALUES (?, ?)');
    const tx = raw.transaction((b: ReturnType<typeof makeEvent>[]) => {
      for (const e of b) ins.run(e.event.id, JSON.stringify(e));
    });
    const bare = await measured(() => {
      for (const b of data) tx(b);
    });
    raw.close();

    const store = new SqliteEventStore(path.join(dir, 'events.db'));
    const citysoc = await measured(async () => {
      for (const b of data) await store.write(b);
    });

    const es = (await esAnswers()) ? { wall: await directBulk('elasticsearch', ES_URL, data, `bench-embedded-${Date.now().toString(36)}`) } : null;

    const queries = [
      { query: 'event.outcome:failure AND event.action:ssh_login', range: { from: '2026-10-08T00:00:00Z', to: '2026-10-15T00:00:00Z' } },
      { query: 'organization.name:公安 AND event.category:file', range: { from: '2026-10-01T00:00:00Z', to: '2026-10-31T00:00:00Z' } },
      { query: 'host.name:host-01* AND NOT event.outcome:success', range: { from: '2026-10-10T00:00:00Z', to: '2026-10-12T00:00:00Z' } },
      { query: 'source.ip:10.1.0.0/16 AND event.outcome:failure', range: { from: '2026-10-01T00:00:00Z', to: '2026-10-08T00:00:00Z' } },
      { query: 'Failed AND hdfs_open', range: { from: '2026-10-20T00:00:00Z', to: '2026-10-21T00:00:00Z' } },
    ];
    const lat: Record<string, number[]> = {};
    for (let rep = 0; rep < 20; rep++) {
      for (const q of queries) {
        const s = performance.now();
        await store.search({ ...q, size: 50 });
        await store.aggregate({ ...q, aggs: { h: { type: 'date_histogram', interval: '1h' } } });
        (lat[q.query] ??= []).push(performance.now() - s);
      }
    }
    const all = Object.values(lat).flat();
    await store.close();

    console.log(`embedded store, ${N.toLocaleString('en')} events of ${(bytes / N).toFixed(0)} B average, batches of ${BATCH}`);
    const rate = (secs: number) => (N / secs).toFixed(0).padStart(7);
    const perEvent = (secs: number) => ((secs / N) * 1e6).toFixed(1);
    console.log(
      `  write, CitySOC SQLite store      : ${rate(citysoc.wall)} events/s, CPU ${perEvent(citysoc.cpu)} µs/event (${rate(citysoc.cpu)} events per CPU-second), of which the main thread ${perEvent(citysoc.main)} µs/event`,
    );
    console.log(
      `  write, bare SQLite insert        : ${rate(bare.wall)} events/s, CPU ${perEvent(bare.cpu)} µs/event   ratio CitySOC/bare ${(bare.wall / citysoc.wall).toFixed(2)} (CPU ${(bare.cpu / citysoc.cpu).toFixed(2)})`,
    );
    if (es)
      console.log(
        `  write, Elasticsearch _bulk direct : ${rate(es.wall)} events/s (1 shard, same mappings)   ratio CitySOC/Elasticsearch ${(es.wall / citysoc.wall).toFixed(2)}`,
      );
    else
      console.log(
        `  write, Elasticsearch _bulk direct : not measured (${ES_URL === 'none' ? 'BENCH_ES_URL=none' : `nothing answers at ${ES_URL}; citysoc stack up --only elasticsearch`})`,
      );
    console.log(`  filtered search (50 hits + total) + 1h date histogram, 20 runs of each query:`);
    for (const [q, xs] of Object.entries(lat)) console.log(`    p50 ${pct(xs, 50).toFixed(1)} ms  p95 ${pct(xs, 95).toFixed(1)} ms   ${q}`);
    console.log(`    all queries: p50 ${pct(all, 50).toFixed(1)} ms, p95 ${pct(all, 95).toFixed(1)} ms`);
    console.log(`  RSS ${(process.memoryUsage().rss / 1048576).toFixed(0)} MiB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
