/**
 * Soak: the whole embedded platform (gateway → spool → store → detection with CitySOC's rules and
 * the SigmaHQ corpus → correlation → alerts) under a fixed offered rate from a loader in another
 * process (bench/soak-loader.ts), for a given duration. Every 10 s: offered and acknowledged
 * rates, consumer lag, spool, correlation checkpoint, RSS. At the end:
 *  - offered vs acknowledged events/s, per-request acknowledgement p50/p99;
 *  - end-to-end lag p50/p99 from the moment an event was sent: to searchable (each batch's first
 *    event is a marker, looked for in the store every 100 ms: the figure includes up to that
 *    polling step) and to its alert raised (seeded brute-force bursts, timed on the alert feed);
 *  - RSS every 10 s and its least-squares slope after warm-up, in MiB/h;
 *  - spool bytes, correlation state (the detect consumer's checkpoint, read from its SQLite file),
 *    how many checkpoints were written and the time they took, events too late for every window;
 *  - brute-force alerts raised vs bursts seeded (the missing ones named), other alerts by rule;
 *  - events in the store vs events acknowledged (they must be equal).
 *
 *   npx tsx bench/soak.ts                                   # 10,000 events/s for 60 s
 *   npx tsx bench/soak.ts --rate 2000 --duration 120
 *   npx tsx bench/soak.ts --duration 3600                   # the hour the target is set for
 *   options: --batch 1000 --in-flight 32 --burst-every 10 --warmup <s> --no-sigmahq
 */
import { fork } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { parseAllDocuments } from 'yaml';
import type { Alert } from '../core/alert';
import type { AlertFeed } from '../analytics/module';
import { DETECT_GROUP } from '../analytics/runtime/consumers';
import { loadConfig } from '../core/config';
import { createLogger } from '../core/logging';
import { sharedPath } from '../core/shared-data';
import { indexerDrained } from '../events/indexer';
import { moduleSections, type Platform, startPlatform } from '../server/platform';
import type { BatchReport, BatchSent, LoaderDone, LoaderPlan } from './soak-loader';

const ROOT = path.resolve(__dirname, '..');
const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '10000' },
    duration: { type: 'string', default: '60' },
    batch: { type: 'string', default: '1000' },
    'in-flight': { type: 'string', default: '32' },
    'burst-every': { type: 'string', default: '10' },
    warmup: { type: 'string' },
    'no-sigmahq': { type: 'boolean', default: false },
  },
});
const RATE = Number(args.rate);
const DURATION = Number(args.duration);
const BATCH = Number(args.batch);
const WARMUP = args.warmup !== undefined ? Number(args.warmup) : Math.min(300, Math.max(20, DURATION / 4));
for (const [k, v] of Object.entries({ rate: RATE, duration: DURATION, batch: BATCH, warmup: WARMUP }))
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${k} must be a positive number, got ${String(v)}`);

const MiB = 1048576;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (xs: readonly number[], q: number): number => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const ms = (x: number) => (Number.isNaN(x) ? 'n/a' : `${fmt(x)} ms`);

/** Least-squares slope of y over x. */
function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const num = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const den = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return num / den;
}

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    n += e.isDirectory() ? dirBytes(p) : e.isFile() ? statSync(p).size : 0;
  }
  return n;
}

function largestFiles(dir: string): string {
  const files: [string, number][] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) files.push([path.relative(dir, p), statSync(p).size]);
    }
  };
  walk(dir);
  return files
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([f, n]) => `${f} ${(n / MiB).toFixed(0)} MiB`)
    .join(', ');
}

const metric = (text: string, name: string): number => {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : Number.NaN;
};

/** The shipped SSH brute-force correlation's id, read from the rule (what its alerts carry). */
function bruteForceRuleId(): string {
  const docs = parseAllDocuments(readFileSync(path.join(ROOT, 'rules/ssh/ssh_brute_force.yml'), 'utf8'));
  const id = (docs[0]?.toJS() as { id?: string } | undefined)?.id;
  if (!id) throw new Error('rules/ssh/ssh_brute_force.yml: no id');
  return id;
}

/** The detect consumer's checkpoint (its correlation windows): bytes, and at the end groups and entries. */
class CorrelationCheckpoint {
  private db: Database.Database | null = null;
  constructor(private readonly file: string) {}
  private open(): Database.Database | null {
    try {
      return (this.db ??= new Database(this.file, { readonly: true, fileMustExist: true }));
    } catch {
      return null;
    }
  }
  bytes(): number {
    const row = this.open()?.prepare("SELECT length(state) AS n FROM checkpoints WHERE name = 'detect'").get() as { n: number } | undefined;
    return row?.n ?? Number.NaN;
  }
  shape(): { groups: number; entries: number; seen: number; biggest: string; lateDropped: number; lateAccepted: number } | null {
    const row = this.open()?.prepare("SELECT state FROM checkpoints WHERE name = 'detect'").get() as { state: string } | undefined;
    if (!row) return null;
    const state = JSON.parse(row.state) as {
      correlations: {
        lateDropped: number;
        lateAccepted: number;
        rules: Record<string, { groups: [string, unknown, [number, number, string | null][]][]; seen: unknown[] }>;
      };
    };
    const rules = state.correlations.rules;
    let groups = 0;
    let entries = 0;
    let seen = 0;
    let biggest = '';
    let most = -1;
    for (const [key, r] of Object.entries(rules)) {
      const e = r.groups.reduce((s, g) => s + g[2].length, 0);
      // Ids remembered: those of the open entries and those listed apart (snapshot version 2).
      const ids = r.seen.length + r.groups.reduce((s, g) => s + g[2].filter((x) => x[2] !== null).length, 0);
      groups += r.groups.length;
      entries += e;
      seen += ids;
      if (e > most) [most, biggest] = [e, `${key} (${fmt(r.groups.length)} groups, ${fmt(e)} entries, ${fmt(ids)} ids seen)`];
    }
    return { groups, entries, seen, biggest, lateDropped: state.correlations.lateDropped, lateAccepted: state.correlations.lateAccepted };
  }
  close(): void {
    this.db?.close();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cs-bench-soak-'));
  const rules = [path.join(ROOT, 'rules'), ...(args['no-sigmahq'] ? [] : [sharedPath('data/sigma/rules')])];
  const config = loadConfig({
    sections: moduleSections(),
    env: {},
    overrides: {
      dataDir: dir,
      'server.port': 0,
      'log.level': 'silent',
      'detection.enabled': true,
      'detection.rules': rules,
      'server.limits.callsPerSecond': 100_000,
    },
  });
  const bootAt = performance.now();
  const p: Platform = await startPlatform(config, createLogger('silent'), { announce: () => undefined });
  const token = (await p.identity.issueApiToken('soak', ['collector'], 'bench')).token;
  const status = p.service<{
    status: () => Promise<{ rules: number; lateEvents: number; checkpoints: { count: number; totalMs: number; maxMs: number; lastSize: number } }>;
  }>('analytics').status;
  console.log(
    `soak, embedded platform: ${(await status()).rules} rules in force (CitySOC${args['no-sigmahq'] ? '' : ' + SigmaHQ corpus'}), started in ${((performance.now() - bootAt) / 1000).toFixed(1)} s`,
  );
  console.log(
    `offered ${fmt(RATE)} events/s for ${DURATION} s in batches of ${BATCH} (loader in its own process, ≤ ${args['in-flight']} requests in flight), brute-force burst every ${args['burst-every']} s, warm-up ${WARMUP} s`,
  );

  const bruteId = bruteForceRuleId();
  const checkpoint = new CorrelationCheckpoint(path.join(dir, 'analytics.db'));
  const feed = p.service<{ feed: AlertFeed }>('analytics').feed;
  const alertsByRule = new Map<string, number>();
  const burstSent = new Map<string, number>(); // ip → sent at
  const burstAcked = new Set<string>();
  const bruteAlerted = new Map<string, number>(); // ip → first brute-force alert raised at
  const burstAlerted = () => [...burstAcked].filter((ip) => bruteAlerted.has(ip));
  feed.on((a: Alert, created: boolean) => {
    const now = Date.now();
    if (created) alertsByRule.set(a.rule.name, (alertsByRule.get(a.rule.name) ?? 0) + 1);
    if (a.rule.id !== bruteId) return;
    // Matched with the bursts at the end: an alert may be raised before the loader's IPC note of its burst is read.
    for (const e of a.entities) if (e.type === 'ip' && !bruteAlerted.has(e.value)) bruteAlerted.set(e.value, now);
  });

  // Markers: sent, not yet found in the store.
  const pending = new Map<string, { field: string; sentAt: number; acked: boolean }>();
  const searchLag: number[] = [];
  const ackLatency: number[] = [];
  let acked = 0;
  let ackedBatches = 0;
  let deadLetters = 0;
  let repeats = 0;
  let refused = 0;
  const refusals = new Map<string, number>();
  let done: LoaderDone | null = null;

  const loader = fork(path.join(__dirname, 'soak-loader.ts'), [], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const loaderExit = new Promise<number | null>((resolve) => loader.once('exit', (code) => resolve(code)));
  loader.on('message', (m: BatchReport | BatchSent | LoaderDone) => {
    if (m.type === 'sent') {
      pending.set(m.marker.value, { field: m.marker.field, sentAt: m.sentAt, acked: false });
      if (m.burst) burstSent.set(m.burst.ip, m.sentAt);
    } else if (m.type === 'batch') {
      if (m.status === 200) {
        acked += m.received;
        ackedBatches++;
        deadLetters += m.deadLetters;
        repeats += m.repeats;
        ackLatency.push(m.answeredAt - m.sentAt);
        if (m.burst) burstAcked.add(m.burst.ip);
        const mk = pending.get(m.marker.value);
        if (mk) mk.acked = true;
      } else {
        refused += m.events;
        const why = `${m.status} ${m.error ?? ''}`.slice(0, 120);
        refusals.set(why, (refusals.get(why) ?? 0) + 1);
        // Not acknowledged: not expected in the store, nor its burst alerted.
        pending.delete(m.marker.value);
        if (m.burst) burstSent.delete(m.burst.ip);
      }
    } else done = m;
  });

  // Looks for up to 50 of the oldest pending markers in one query, every 100 ms.
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const batch = [...pending].slice(0, 50);
      if (batch.length > 0) {
        const query = batch.map(([v, mk]) => `${mk.field}:"${v}"`).join(' OR ');
        const r = await p.ports.events.search({ query, size: batch.length });
        const now = Date.now();
        for (const e of r.events) {
          const doc = e as unknown as { user?: { name?: string }; host?: { name?: string } };
          for (const v of [doc.user?.name, doc.host?.name]) {
            const mk = v === undefined ? undefined : pending.get(v);
            if (mk) {
              searchLag.push(now - mk.sentAt);
              pending.delete(v!);
            }
          }
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();

  const loadStart = Date.now();
  const plan: LoaderPlan = {
    url: p.url,
    token,
    rate: RATE,
    durationS: DURATION,
    batch: BATCH,
    maxInFlight: Number(args['in-flight']),
    burstEvery: Number(args['burst-every']),
    burstSize: 12,
  };
  loader.send(plan);

  const rss: { x: number; y: number }[] = [];
  let lastAcked = 0;
  let lastT = loadStart;
  let lastLag = 0;
  const sample = async (final = false) => {
    const now = Date.now();
    const t = (now - loadStart) / 1000;
    const mem = process.memoryUsage();
    if (!final) rss.push({ x: t, y: mem.rss / MiB });
    const m = (await p.gateway.metrics.text()).body;
    const spool = metric(m, 'citysoc_spool_bytes');
    const written = metric(m, 'citysoc_store_events_written_total');
    const idxLag = metric(m, 'citysoc_bus_lag_messages');
    const detLag = await p.ports.bus.lag('citysoc.events', DETECT_GROUP);
    const lags = searchLag.slice(lastLag);
    lastLag = searchLag.length;
    console.log(
      `[${t.toFixed(0).padStart(5)} s] acked ${fmt(acked)} (${fmt(((acked - lastAcked) * 1000) / Math.max(1, now - lastT))}/s)  stored ${fmt(written)}  lag: indexer ${fmt(idxLag)} detect ${fmt(detLag)} msgs  searchable p99 ${ms(pct(lags, 0.99))}  spool ${(spool / MiB).toFixed(1)} MiB  correlation checkpoint ${(checkpoint.bytes() / MiB).toFixed(2)} MiB  RSS ${(mem.rss / MiB).toFixed(0)} MiB (heap ${(mem.heapUsed / MiB).toFixed(0)})  bursts alerted ${burstAlerted().length}/${burstAcked.size}`,
    );
    lastAcked = acked;
    lastT = now;
    return { spool, written };
  };
  const ticker = setInterval(() => void sample(), 10_000);
  const exitCode = await loaderExit;
  clearInterval(ticker);
  if (!done) throw new Error(`the loader exited (${String(exitCode)}) without its final report`);
  const d = done as LoaderDone;
  const sendS = (d.endedAt - d.startedAt) / 1000;

  // Let the platform catch up, then look for what is still missing.
  const drainStart = Date.now();
  const drainBudget = Math.min(600_000, Math.max(120_000, DURATION * 1000));
  const indexed = await indexerDrained(p.ports.bus, drainBudget);
  const idle = await p.analytics.idle(Math.max(1, drainBudget - (Date.now() - drainStart)));
  const drainS = (Date.now() - drainStart) / 1000;
  const settle = Date.now() + 30_000;
  while ((pending.size > 0 || burstAlerted().length < burstAcked.size) && Date.now() < settle) await new Promise((r) => setTimeout(r, 200));
  polling = false;
  await poller;
  const end = await sample(true);
  await p.ports.events.refresh();
  const inStore = (await p.ports.events.search({ size: 1 })).total;
  const shape = checkpoint.shape();
  const cpBytes = checkpoint.bytes();
  checkpoint.close();

  const after = rss.filter((r) => r.x >= WARMUP);
  const slopeMiBh = slope(after) * 3600;
  const missingBursts = [...burstAcked].filter((ip) => !bruteAlerted.has(ip));
  const alertLag = burstAlerted().map((ip) => bruteAlerted.get(ip)! - burstSent.get(ip)!);
  const unseeded = [...bruteAlerted.keys()].filter((ip) => !burstSent.has(ip));

  console.log('— result');
  console.log(
    `offered ${fmt(RATE)}/s; sent ${fmt(d.events)} events in ${sendS.toFixed(1)} s (${fmt(d.events / sendS)}/s, the loader left a batch up to ${fmt(d.maxLateMs)} ms after its time); acknowledged ${fmt(acked)} (${fmt(acked / sendS)}/s over the sending time) in ${fmt(ackedBatches)} requests; refused or failed ${fmt(refused)}`,
  );
  for (const [why, n] of refusals) console.log(`  refused ×${n}: ${why}`);
  console.log(`acknowledgement per ${BATCH}-event request: p50 ${ms(pct(ackLatency, 0.5))}, p99 ${ms(pct(ackLatency, 0.99))}`);
  console.log(
    `drain after the last request: indexer ${indexed ? 'caught up' : 'NOT caught up'}, analytics ${idle ? 'idle' : 'NOT idle'} after ${drainS.toFixed(1)} s`,
  );
  console.log(
    `sent → searchable: p50 ${ms(pct(searchLag, 0.5))}, p99 ${ms(pct(searchLag, 0.99))}, max ${ms(Math.max(...searchLag))} (${fmt(searchLag.length)} markers found, ${fmt([...pending.values()].filter((m) => m.acked).length)} acknowledged ones never found)`,
  );
  console.log(`sent → brute-force alert raised: p50 ${ms(pct(alertLag, 0.5))}, p99 ${ms(pct(alertLag, 0.99))} (${alertLag.length} bursts)`);
  console.log(
    `brute-force alerts: ${burstAcked.size - missingBursts.length} of ${burstAcked.size} acknowledged bursts${missingBursts.length > 0 ? `; MISSING: ${missingBursts.join(', ')}` : ''}; brute-force alerts for addresses not seeded: ${unseeded.length}${unseeded.length > 0 ? ` (${unseeded.slice(0, 10).join(', ')})` : ''}`,
  );
  const other = [...alertsByRule].sort((a, b) => b[1] - a[1]);
  console.log(`alerts created: ${fmt(other.reduce((s, [, n]) => s + n, 0))}; by rule: ${other.map(([r, n]) => `${r} ${n}`).join('; ') || 'none'}`);
  console.log(
    `RSS every 10 s (MiB): ${rss.map((r) => r.y.toFixed(0)).join(' ')}; slope after ${WARMUP} s warm-up: ${Number.isNaN(slopeMiBh) ? 'n/a (too few samples)' : `${slopeMiBh.toFixed(0)} MiB/h`} (${after.length} samples); loader RSS ${d.rssMiB.toFixed(0)} MiB`,
  );
  console.log(
    `spool at the end: ${(end.spool / MiB).toFixed(1)} MiB; data directory ${(dirBytes(dir) / MiB).toFixed(0)} MiB (largest files: ${largestFiles(dir)}); correlation checkpoint ${(cpBytes / MiB).toFixed(2)} MiB${shape ? ` (${fmt(shape.groups)} groups, ${fmt(shape.entries)} window entries, ${fmt(shape.seen)} event ids remembered, ${fmt(shape.lateDropped)} events too late for a window, ${fmt(shape.lateAccepted)} late but in time; largest: ${shape.biggest})` : ''}`,
  );
  const st = await status();
  console.log(
    `correlation checkpoints: ${fmt(st.checkpoints.count)} written, ${fmt(st.checkpoints.totalMs)} ms in all (mean ${ms(st.checkpoints.totalMs / Math.max(1, st.checkpoints.count))}, max ${ms(st.checkpoints.maxMs)}), last ${(st.checkpoints.lastSize / MiB).toFixed(2)} MiB; events too late for every window they belong to: ${fmt(st.lateEvents)}`,
  );
  console.log(
    `store: ${fmt(inStore)} events (${fmt(deadLetters)} of them dead letters), acknowledged ${fmt(acked)} (${fmt(repeats)} repeats): ${inStore === acked - repeats ? 'every acknowledged event is searchable' : `MISMATCH by ${fmt(acked - repeats - inStore)}`}`,
  );
  await p.close();
  rmSync(dir, { recursive: true, force: true });
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
