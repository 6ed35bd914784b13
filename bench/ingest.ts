/**
 * The ingest pipeline on one core: parse + normalize (+ enrich, validate) events/s for Fluent
 * Bit JSON payloads of structured records (data-sharing API access logs) and for raw OpenSSH
 * lines (loghub OpenSSH_2k, repeated), each next to JSON.parse + JSON.stringify of the same
 * bytes (the ceiling); RSS. Then the gateway over HTTP into the embedded store: acknowledged
 * events/s, p50/p99 acknowledgement latency, and the rate until everything is stored, with one
 * client and with four (client, gateway and indexer share the process, as in `citysoc up`).
 *
 *   taskset -c 0 npx tsx bench/ingest.ts
 *   BENCH_EVENTS=200000 BENCH_HTTP_EVENTS=100000 taskset -c 0 npx tsx bench/ingest.ts
 *   BENCH_HTTP_EVENTS=0 taskset -c 0 npx tsx bench/ingest.ts   (the one-core pipeline only)
 */
import { indexerDrained } from '../events/indexer';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Enricher } from '../collectors/enrich/enricher';
import { decodeFluentBit } from '../collectors/gateway/fluent-bit';
import { Pipeline } from '../collectors/pipeline/pipeline';
import { loadConfig } from '../core/config';
import { createLogger } from '../core/logging';
import { startPlatform } from '../server/platform';
import { sharedPath } from '../core/shared-data';

const N = Number(process.env.BENCH_EVENTS ?? 200_000);
const HTTP_N = Number(process.env.BENCH_HTTP_EVENTS ?? 100_000);
const PAYLOAD = 1000;

const enricher = new Enricher({
  assets: Array.from({ length: 500 }, (_, i) => ({ id: `a${i}`, hostnames: [`host-${i}`], ips: [`10.0.${i >> 8}.${i & 255}`], department: '大数据局' })),
  identities: Array.from({ length: 2000 }, (_, i) => ({ user: `user${i}`, aliases: [], roles: ['analyst'], privileged: i % 50 === 0, department: '公安局' })),
  datasets: Array.from({ length: 200 }, (_, i) => ({
    dataset: `ds.${i}`,
    resources: [`/data/ds${i}`],
    classification: '敏感' as const,
    owner_department: '公安局',
  })),
});
const pipeline = new Pipeline({ enricher: () => enricher });

function apiRecord(i: number): object {
  return {
    date: 1763700000 + i / 1000,
    timestamp: new Date(Date.UTC(2026, 10, 20, 8, 0, 0) + i).toISOString(),
    user: { name: `user${i % 2500}`, id: `u-${i % 2500}`, department: '城管局' },
    dataset: `ds.${i % 250}`,
    action: i % 7 === 0 ? 'export' : 'query',
    records: (i * 37) % 100000,
    bytes: (i * 1013) % 10_000_000,
    app: 'grid-portal',
    client_ip: `10.6.${(i >> 8) & 255}.${i & 255}`,
    method: 'POST',
    path: `/v1/datasets/ds.${i % 250}/query`,
    status: 200,
    request_id: `r-${i}`,
  };
}

// Distinct payloads held in memory; they are cycled to reach N, so RSS reflects the pipeline, not the input.
const DISTINCT = 20;

function payloads(make: (i: number) => object): string[] {
  const out: string[] = [];
  for (let p = 0; p < DISTINCT; p++) out.push(Array.from({ length: PAYLOAD }, (_, k) => JSON.stringify(make(p * PAYLOAD + k))).join('\n'));
  return out;
}

function measure(label: string, bodies: string[], work: (body: string) => number): number {
  work(bodies[0]!); // warm up the JIT on one payload
  const t0 = process.hrtime.bigint();
  let events = 0;
  for (let p = 0; p < N / PAYLOAD; p++) events += work(bodies[p % bodies.length]!);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const rate = events / s;
  console.log(
    `  ${label.padEnd(58)} ${Math.round(rate).toLocaleString('en-US').padStart(10)} events/s  (${events.toLocaleString('en-US')} in ${s.toFixed(2)} s)`,
  );
  return rate;
}

const passThrough = (body: string) => {
  let n = 0;
  for (const line of body.split('\n')) {
    JSON.stringify(JSON.parse(line));
    n++;
  }
  return n;
};

function pipelineRun(source: string | undefined) {
  return (body: string) => {
    const inputs = decodeFluentBit(body, { source }, 'bench', new Date()).flatMap((r) => (r.input ? [r.input] : []));
    let ok = 0;
    for (const i of inputs) {
      const r = pipeline.process(i.raw, i.hint);
      if (r.ok) ok++;
      JSON.stringify(r.event); // what the bus does with it
    }
    return ok === inputs.length
      ? inputs.length
      : (() => {
          throw new Error(`${inputs.length - ok} events failed`);
        })();
  };
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

async function httpEndToEnd(clients: number, total: number): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'citysoc-bench-ingest-'));
  const config = loadConfig({ env: {}, overrides: { dataDir: dir, 'server.port': 0 } });
  const platform = await startPlatform(config, createLogger('silent'), { announce: () => {} });
  try {
    const token = (await platform.identity.issueApiToken('bench', ['collector'], 'bench')).token;
    const ssh = readFileSync(sharedPath('data/loghub/OpenSSH/OpenSSH_2k.log'), 'utf8').split(/\r?\n/).filter(Boolean);
    const now = Math.floor(Date.now() / 1000);
    const bodies = Array.from({ length: total / PAYLOAD }, (_, p) =>
      Array.from({ length: PAYLOAD }, (_, k) =>
        JSON.stringify({ date: now, log: ssh[(p * PAYLOAD + k) % ssh.length], file_path: '/var/log/secure', file_offset: p * PAYLOAD + k }),
      ).join('\n'),
    );
    const latencies: number[] = [];
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async () => {
        for (let b = next++; b < bodies.length; b = next++) {
          const s = performance.now();
          const res = await fetch(`${platform.url}/ingest/v1/fluent-bit/citysoc.openssh.bench.host-1`, {
            method: 'POST',
            body: bodies[b],
            headers: { authorization: `Bearer ${token}` },
          });
          await res.arrayBuffer();
          if (res.status !== 200) throw new Error(`status ${res.status}`);
          latencies.push(performance.now() - s);
        }
      }),
    );
    const acked = (performance.now() - t0) / 1000;
    await indexerDrained(platform.ports.bus, Number.POSITIVE_INFINITY);
    const stored = (performance.now() - t0) / 1000;
    console.log(`  ${total.toLocaleString('en-US')} OpenSSH lines, ${clients} client(s), ${PAYLOAD} events per request (json_lines)`);
    console.log(
      `  acknowledged (fsync'd in the spool): ${Math.round(total / acked).toLocaleString('en-US')} events/s; latency per request p50 ${pct(latencies, 50).toFixed(1)} ms, p99 ${pct(latencies, 99).toFixed(1)} ms`,
    );
    console.log(`  stored (indexer caught up):          ${Math.round(total / stored).toLocaleString('en-US')} events/s (${stored.toFixed(2)} s)`);
  } finally {
    await platform.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(`ingest pipeline, one thread, ${N.toLocaleString('en-US')} events per case`);
  const api = payloads(apiRecord);
  const ceilingJson = measure('ceiling: JSON.parse + JSON.stringify (API records)', api, passThrough);
  const pipeJson = measure('Fluent Bit json_lines → data-api records → ECS', api, pipelineRun('data-api'));
  const ssh = readFileSync(sharedPath('data/loghub/OpenSSH/OpenSSH_2k.log'), 'utf8').split(/\r?\n/).filter(Boolean);
  const sshBodies = payloads((i) => ({ date: 1763700000, log: ssh[i % ssh.length] }));
  const ceilingSsh = measure('ceiling: JSON.parse + JSON.stringify (OpenSSH records)', sshBodies, passThrough);
  const pipeSsh = measure('Fluent Bit json_lines → raw OpenSSH lines (tagged) → ECS', sshBodies, pipelineRun('openssh'));
  const pipeAuto = measure('Fluent Bit json_lines → raw OpenSSH lines (auto-detect) → ECS', sshBodies, pipelineRun(undefined));
  console.log(
    `  ratio to the ceiling: JSON ${(pipeJson / ceilingJson).toFixed(2)}, OpenSSH tagged ${(pipeSsh / ceilingSsh).toFixed(2)}, auto ${(pipeAuto / ceilingSsh).toFixed(2)}`,
  );
  const mem = process.memoryUsage();
  console.log(
    `  RSS ${(mem.rss / 1048576).toFixed(0)} MiB, V8 heap used ${(mem.heapUsed / 1048576).toFixed(0)} MiB (inputs held in memory: ${((api.join('').length + sshBodies.join('').length) / 1048576).toFixed(0)} MiB)`,
  );
  if (HTTP_N <= 0) return; // BENCH_HTTP_EVENTS=0: the one-core pipeline figures only
  console.log('gateway over HTTP into the embedded store');
  await httpEndToEnd(1, HTTP_N / 2);
  await httpEndToEnd(4, HTTP_N);
  console.log(`  RSS ${(process.memoryUsage().rss / 1048576).toFixed(0)} MiB`);
}

void main();
