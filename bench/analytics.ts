/**
 * Analytics on the bus, embedded profile, in one run:
 *  - log → alert latency (from the ingest acknowledgement to the alert written and published on
 *    citysoc.alerts): a single-event rule (an SSH login as root from outside, one line) and a
 *    5-minute correlation (the 10th failed password from one address), p50 / p99;
 *  - sustained events/s through ingest + detect + correlate + alerts with CitySOC's rules and the
 *    SigmaHQ corpus loaded, against ingest with detection off on the same events (the ratio).
 *
 *   npx tsx bench/analytics.ts
 *   BENCH_EVENTS=100000 BENCH_SAMPLES=50 BENCH_SIGMAHQ=0 npx tsx bench/analytics.ts
 *
 * BENCH_PROFILE=cluster measures the same on the cluster profile over the running stack
 * (Elasticsearch 9200, Kafka 9092, Flink 8081/8083: `citysoc stack up`), where correlation is the
 * Flink job's. Its windows tumble and close on the watermark (event time minus the allowed
 * lateness, BENCH_LATENESS seconds, default 5), so the correlation latency is measured from the
 * acknowledgement of the events that move event time past the window's close (sent to every
 * partition, as a busy city's traffic would) to the alert on citysoc.alerts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import type { Alert } from '../core/alert';
import { loadConfig } from '../core/config';
import { createLogger } from '../core/logging';
import { sharedPath } from '../core/shared-data';
import type { AlertFeed } from '../analytics/module';
import { moduleSections, type Platform, startPlatform } from '../server/platform';

const N = Number(process.env.BENCH_EVENTS ?? 60_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 30);
const SIGMAHQ = process.env.BENCH_SIGMAHQ !== '0';
const BATCH = 1000;
const ROOT = path.resolve(__dirname, '..');
const CLUSTER = process.env.BENCH_PROFILE === 'cluster';
const LATENESS_S = Number(process.env.BENCH_LATENESS ?? 5);
const RUN = `${process.pid}-${Date.now().toString(36)}`;
let platforms = 0;

/** The cluster profile over the local stack, each platform under prefixes of its own. */
function clusterSettings(): Record<string, unknown> {
  const tag = `bench-an-${RUN}-${platforms++}`;
  return {
    profile: 'cluster',
    'cluster.store': 'elasticsearch',
    'cluster.elasticsearch.node': 'http://127.0.0.1:9200',
    'cluster.kafka.brokers': '127.0.0.1:9092',
    'cluster.indexPrefix': tag,
    'cluster.topicPrefix': `${tag}.`,
    'cluster.replicas': 0,
    'cluster.flink.gatewayUrl': 'http://127.0.0.1:8083',
    'cluster.flink.restUrl': 'http://127.0.0.1:8081',
    'analytics.allowedLatenessSeconds': LATENESS_S,
  };
}

async function platform(detect: boolean): Promise<{ p: Platform; token: string; dir: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cs-bench-analytics-'));
  const rules = [path.join(ROOT, 'rules'), ...(SIGMAHQ ? [sharedPath('data/sigma/rules')] : [])];
  const config = loadConfig({
    sections: moduleSections(),
    env: {},
    overrides: {
      dataDir: dir,
      'server.port': 0,
      'log.level': 'silent',
      'detection.enabled': detect,
      'detection.rules': rules,
      'server.limits.callsPerSecond': 100_000,
      ...(CLUSTER ? clusterSettings() : {}),
    },
  });
  const p = await startPlatform(config, createLogger('silent'), { announce: () => undefined });
  const token = (await p.identity.issueApiToken('bench', ['collector'], 'bench')).token;
  return { p, token, dir };
}

const stamp = (ms: number) => {
  const d = new Date(ms);
  return `${['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${d.toISOString().slice(11, 19)}`;
};

/** Mixed sshd traffic: accepted keys, failed passwords from many addresses, disconnects. */
function line(i: number, t0: number): string {
  const t = stamp(t0 + i * 20);
  const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  switch (i % 4) {
    case 0:
      return `${t} web-${i % 50} sshd[${i % 30000}]: Accepted publickey for app from ${ip} port ${1024 + (i % 60000)} ssh2`;
    case 1:
      return `${t} web-${i % 50} sshd[${i % 30000}]: Failed password for invalid user u${i % 900} from ${ip} port ${1024 + (i % 60000)} ssh2`;
    case 2:
      return `${t} web-${i % 50} sshd[${i % 30000}]: Received disconnect from ${ip} port ${1024 + (i % 60000)}:11: Bye Bye [preauth]`;
    default:
      return `${t} web-${i % 50} sshd[${i % 30000}]: Connection closed by ${ip} port ${1024 + (i % 60000)} [preauth]`;
  }
}

async function post(p: Platform, token: string, lines: string[]): Promise<void> {
  const body = lines.map((log, i) => JSON.stringify({ date: 1_763_596_800 + i, log })).join('\n');
  const res = await fetch(`${p.url}/ingest/v1/fluent-bit/citysoc.openssh.cg.bench`, { method: 'POST', body, headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
}

async function sustained(detect: boolean): Promise<number> {
  const { p, token, dir } = await platform(detect);
  const t0 = Date.UTC(2026, 10, 20, 0, 0, 0);
  const start = process.hrtime.bigint();
  let sent = 0;
  const client = async () => {
    for (;;) {
      const from = sent;
      if (from >= N) return;
      sent += BATCH;
      await post(
        p,
        token,
        Array.from({ length: Math.min(BATCH, N - from) }, (_, k) => line(from + k, t0)),
      );
    }
  };
  await Promise.all([client(), client()]);
  if (detect) await p.analytics.idle(600_000);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  await p.close();
  await cancelBenchJobs();
  rmSync(dir, { recursive: true, force: true });
  return (N / ms) * 1000;
}

function pct(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

/** One latency sample: the alert's arrival after the request was sent and after it was acknowledged. */
interface Sample {
  readonly fromSend: number;
  readonly fromAck: number;
}

/** Sends a request, and answers when it was sent and when its acknowledgement arrived. */
async function timedPost(p: Platform, token: string, lines: string[]): Promise<{ sent: number; acked: number }> {
  const sent = performance.now();
  await post(p, token, lines);
  return { sent, acked: performance.now() };
}

const sample = (alertAt: number, t: { sent: number; acked: number }): Sample => ({ fromSend: alertAt - t.sent, fromAck: alertAt - t.acked });

/** Events whose time is past the window's end plus the lateness, on every partition: the window starting at `at` closes. */
function windowClosers(at: number, s: number): string[] {
  const close = at + 300_000 + LATENESS_S * 1000 + 1_000;
  return Array.from(
    { length: 64 },
    (_, k) => `${stamp(close)} web-${s}-${k} sshd[3]: Accepted publickey for app from 10.9.${s & 255}.${k} port ${6000 + k} ssh2`,
  );
}

async function latency(): Promise<{ single: Sample[]; correlation: Sample[] }> {
  const { p, token, dir } = await platform(true);
  const feed = p.service<{ feed: AlertFeed }>('analytics').feed;
  const wait = (pred: (a: Alert) => boolean) =>
    new Promise<number>((resolve) => {
      const off = feed.on((a) => {
        if (pred(a)) {
          off();
          resolve(performance.now());
        }
      });
    });
  const single: Sample[] = [];
  const correlation: Sample[] = [];
  if (CLUSTER) await flinkJobRunning();
  // Cluster: each sample has a 5-minute tumbling window of its own, aligned as Flink aligns them,
  // its events a second or two into it.
  const t0 = CLUSTER ? Math.floor((Date.now() - 30 * 86_400_000) / 300_000) * 300_000 : Date.now() - 3_600_000;
  const spacing = CLUSTER ? 600_000 : 1_000;
  const lead = CLUSTER ? 1_000 : 0;
  for (let s = 0; s < SAMPLES; s++) {
    const at = t0 + s * spacing;
    // single-event: a root login accepted from outside
    const ip = `203.0.${s >> 8}.${s & 255}`;
    const seen = wait((a) => a.entities.some((e) => e.value === ip) && a.rule.type === 'sigma');
    const t = await timedPost(p, token, [`${stamp(at + lead)} gw-${s} sshd[1]: Accepted password for root from ${ip} port 4000 ssh2`]);
    single.push(sample(await seen, t));
    // correlation: ten failures from one address within the 5-minute window
    const guess = `198.51.${s >> 8}.${s & 255}`;
    const fired = wait((a) => a.rule.type === 'correlation' && a.entities.some((e) => e.value === guess));
    const burst = Array.from(
      { length: 10 },
      (_, k) => `${stamp(at + 2 * lead + k * 10)} gw-${s} sshd[2]: Failed password for root from ${guess} port ${5000 + k} ssh2`,
    );
    // Embedded: the 10th failure fires it. Cluster: the window fires when events past its end close it.
    if (CLUSTER) await post(p, token, burst);
    const timed = await timedPost(p, token, CLUSTER ? windowClosers(at, s) : burst);
    correlation.push(sample(await fired, timed));
  }
  await p.close();
  await cancelBenchJobs();
  rmSync(dir, { recursive: true, force: true });
  return { single, correlation };
}

/** The Flink jobs belong to the cluster, not to the platform: the bench cancels its own when done. */
async function cancelBenchJobs(): Promise<void> {
  if (!CLUSTER) return;
  const jobs = (await fetch('http://127.0.0.1:8081/jobs/overview').then((r) => r.json())) as { jobs: { jid: string; name: string; state: string }[] };
  for (const j of jobs.jobs)
    if (j.name.includes(`bench-an-${RUN}-`) && ['RUNNING', 'RESTARTING', 'CREATED'].includes(j.state))
      await fetch(`http://127.0.0.1:8081/jobs/${j.jid}?mode=cancel`, { method: 'PATCH' });
}

/** Waits until the Flink correlation job of the newest platform runs (it is submitted at start). */
async function flinkJobRunning(): Promise<void> {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    const jobs = (await fetch('http://127.0.0.1:8081/jobs/overview').then((r) => r.json())) as { jobs: { name: string; state: string }[] };
    if (jobs.jobs.some((j) => j.state === 'RUNNING' && j.name.includes(`bench-an-${RUN}-${platforms - 1}`))) return;
    await new Promise((x) => setTimeout(x, 1_000));
  }
  throw new Error('the Flink correlation job did not reach RUNNING within 180 s: is the stack up (citysoc stack up)?');
}

async function main(): Promise<void> {
  const load = () =>
    loadavg()
      .map((x) => x.toFixed(1))
      .join(' ');
  console.log(`load average at the start: ${load()}`);
  console.log(
    `analytics on the bus, ${CLUSTER ? `cluster (Elasticsearch, Kafka, Flink; allowed lateness ${LATENESS_S} s)` : 'embedded'}; rules: CitySOC${SIGMAHQ ? ' + SigmaHQ corpus' : ''}`,
  );
  const lat = await latency();
  // In one process the alert can be published before the acknowledgement reaches the client:
  // such a sample counts 0 ms after the acknowledgement, and how many there were is printed.
  const describe = (xs: Sample[]) => {
    const ack = xs.map((x) => Math.max(0, x.fromAck));
    const before = xs.filter((x) => x.fromAck < 0).length;
    const send = xs.map((x) => x.fromSend);
    return `after the acknowledgement p50 ${pct(ack, 0.5).toFixed(1)} ms, p99 ${pct(ack, 0.99).toFixed(1)} ms${before ? ` (the alert came first in ${before} of ${xs.length})` : ''}; after sending p50 ${pct(send, 0.5).toFixed(1)} ms, p99 ${pct(send, 0.99).toFixed(1)} ms`;
  };
  console.log(`log → alert, single-event rule (${SAMPLES} samples): ${describe(lat.single)}`);
  console.log(`log → alert, 5-minute correlation (${CLUSTER ? 'window closed' : '10th failure'}): ${describe(lat.correlation)}`);
  // Alternating rounds, so neither side gets the quieter machine.
  const off1 = await sustained(false);
  const on1 = await sustained(true);
  const on2 = await sustained(true);
  const off2 = await sustained(false);
  const off = (off1 + off2) / 2;
  const on = (on1 + on2) / 2;
  console.log(
    `sustained, ${N} sshd events, 2 clients: detection off ${off.toFixed(0)} events/s; ingest + detect + correlate + alerts ${on.toFixed(0)} events/s; ratio ${(on / off).toFixed(2)}`,
  );
  console.log(`load average at the end: ${load()}`);
}

void main();
