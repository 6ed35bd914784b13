/**
 * Cluster adapters against the real engines (start them with `citysoc stack up`):
 * - bulk indexing of N normalized events through SearchEventStore.write vs the engine's own
 *   _bulk driven directly with the same client, batch size and mappings, in the same run;
 * - Kafka publish and consume through the Bus.
 *
 *   BENCH_EVENTS=200000 BENCH_ROUNDS=2 npx tsx bench/cluster.ts
 */
import { KafkaBus } from '../adapters/kafka/kafka-bus';
import { elasticsearchApi, openSearchApi } from '../adapters/search/engine-api';
import { SearchEventStore } from '../adapters/search/event-store';
import type { EcsEvent } from '../core/event';
import { makeEvent, rng } from './events';
import { directBulk as direct } from './search-bulk';

const N = Number(process.env.BENCH_EVENTS ?? 200_000);
const BATCH = 1000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const run = Date.now().toString(36);

function data(seed: number): EcsEvent[][] {
  const r = rng(seed);
  const out: EcsEvent[][] = [];
  for (let b = 0; b < N / BATCH; b++)
    out.push(Array.from({ length: BATCH }, (_, k) => makeEvent(b * BATCH + k, Date.parse('2026-11-01T00:00:00Z'), 5 * 86_400_000, r)));
  return out;
}

async function timed(f: () => Promise<void>): Promise<number> {
  const t = performance.now();
  await f();
  return (performance.now() - t) / 1000;
}

/** CitySOC's SearchEventStore.write (validation, daily index, idempotent create, retries) into a fresh prefix. */
async function adapter(kind: 'elasticsearch' | 'opensearch', url: string, batches: EcsEvent[][], prefix: string): Promise<number> {
  const api = kind === 'elasticsearch' ? elasticsearchApi({ node: [url] }) : openSearchApi({ node: [url] });
  const store = new SearchEventStore(api, { prefix, replicas: 0 });
  // The direct side creates its index before the clock starts; so does this side (template
  // and daily index, by storing the first event, which the timed run then finds as a duplicate).
  await store.write([batches[0]![0]!]);
  let stored = 0;
  const secs = await timed(async () => {
    for (const b of batches) {
      const r = await store.write(b);
      stored += r.written + r.duplicates;
    }
  });
  if (stored !== N) throw new Error(`${kind}: the adapter stored ${stored} of ${N} events`);
  await store.enforceRetention(new Date('2100-01-01T00:00:00Z'), 1);
  await store.close();
  return secs;
}

/**
 * Rounds in A-B-B-A order (direct, adapter, adapter, direct, ...) so that the engine warming up,
 * merging or the machine being busy weighs on both sides alike; the ratio is over summed times.
 */
async function searchEngine(kind: 'elasticsearch' | 'opensearch', url: string): Promise<void> {
  const batches = data(7);
  const times = { direct: 0, adapter: 0 };
  console.log(`${kind}: ${N.toLocaleString('en')} events, batches of ${BATCH}, ${ROUNDS} rounds of each`);
  for (let round = 1; round <= ROUNDS; round++) {
    for (const side of round % 2 === 1 ? (['direct', 'adapter'] as const) : (['adapter', 'direct'] as const)) {
      const tag = `${kind.slice(0, 2)}-${run}-${round}`;
      const secs = side === 'direct' ? await direct(kind, url, batches, `bench-direct-${tag}`) : await adapter(kind, url, batches, `bench-${tag}`);
      times[side] += secs;
      console.log(`  round ${round} ${side.padEnd(8)}: ${(N / secs).toFixed(0)} docs/s`);
    }
  }
  const rate = (secs: number) => ((N * ROUNDS) / secs).toFixed(0);
  console.log(`  engine _bulk directly      : ${rate(times.direct)} docs/s`);
  console.log(`  CitySOC SearchEventStore   : ${rate(times.adapter)} docs/s   ratio ${(times.direct / times.adapter).toFixed(2)}`);
}

async function kafka(): Promise<void> {
  const bus = new KafkaBus({ brokers: ['127.0.0.1:9092'], prefix: `bench-${run}.`, partitions: 3 });
  const batches = data(9);
  const publishSecs = await timed(async () => {
    for (const b of batches)
      await bus.publish(
        'citysoc.events',
        b.map((e) => ({ key: (e as { host?: { name?: string } }).host?.name ?? 'x', value: e })),
      );
  });
  let got = 0;
  const t = performance.now();
  const sub = await bus.subscribe<EcsEvent>('citysoc.events', 'bench', async (batch) => {
    got += batch.length;
  });
  while (got < N) await new Promise((r) => setTimeout(r, 20));
  const consumeSecs = (performance.now() - t) / 1000;
  await sub.stop();
  await bus.close();
  console.log(`kafka bus: ${N.toLocaleString('en')} events`);
  console.log(`  publish (acks=all, idempotent, batches of ${BATCH}) : ${(N / publishSecs).toFixed(0)} events/s`);
  console.log(`  consume (group join + commit per batch)           : ${(N / consumeSecs).toFixed(0)} events/s`);
}

async function main(): Promise<void> {
  await searchEngine('elasticsearch', 'http://127.0.0.1:9200');
  await searchEngine('opensearch', 'http://127.0.0.1:9210');
  await kafka();
}

void main();
