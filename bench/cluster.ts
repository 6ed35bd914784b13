/**
 * Cluster adapters against the real engines (start them with `citysoc stack up`):
 * - bulk indexing of N normalized events through SearchEventStore.write vs the engine's own
 *   _bulk driven directly with the same client, batch size and mappings, in the same run;
 * - Kafka publish and consume through the Bus.
 *
 *   BENCH_EVENTS=200000 npx tsx bench/cluster.ts
 */
import { Client as EsClient } from '@elastic/elasticsearch';
import { Client as OsClient } from '@opensearch-project/opensearch';
import { KafkaBus } from '../core/adapters/kafka/kafka-bus';
import { elasticsearchApi, openSearchApi } from '../core/adapters/search/engine-api';
import { SearchEventStore } from '../core/adapters/search/event-store';
import type { EcsEvent } from '../core/event';
import { eventMappings } from '../core/adapters/search/mappings';
import { makeEvent, rng } from './events';

const N = Number(process.env.BENCH_EVENTS ?? 200_000);
const BATCH = 1000;
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

async function searchEngine(kind: 'elasticsearch' | 'opensearch', url: string): Promise<void> {
  const batches = data(7);
  const direct = `bench-direct-${kind.slice(0, 2)}-${run}`;
  let directSecs: number;
  if (kind === 'elasticsearch') {
    const c = new EsClient({ node: url });
    await c.indices.create({ index: direct, settings: { number_of_shards: 1, number_of_replicas: 0 }, mappings: eventMappings() as never });
    directSecs = await timed(async () => {
      for (const b of batches) await c.bulk({ operations: b.flatMap((e) => [{ index: { _index: direct, _id: e.event.id } }, e]) });
    });
    await c.indices.delete({ index: direct });
    await c.close();
  } else {
    const c = new OsClient({ node: url });
    await c.indices.create({ index: direct, body: { settings: { number_of_shards: 1, number_of_replicas: 0 }, mappings: eventMappings() as never } });
    directSecs = await timed(async () => {
      for (const b of batches) await c.bulk({ body: b.flatMap((e) => [{ index: { _index: direct, _id: e.event.id } }, e]) as never });
    });
    await c.indices.delete({ index: direct });
    await c.close();
  }
  const api = kind === 'elasticsearch' ? elasticsearchApi({ node: [url] }) : openSearchApi({ node: [url] });
  const store = new SearchEventStore(api, { prefix: `bench-${kind.slice(0, 2)}-${run}`, replicas: 0 });
  let written = 0;
  const storeSecs = await timed(async () => {
    for (const b of batches) written += (await store.write(b)).written;
  });
  await store.enforceRetention(new Date('2100-01-01T00:00:00Z'), 1);
  await store.close();
  console.log(`${kind}: ${N.toLocaleString('en')} events, batches of ${BATCH}`);
  console.log(`  engine _bulk directly      : ${(N / directSecs).toFixed(0)} docs/s`);
  console.log(`  CitySOC SearchEventStore   : ${(N / storeSecs).toFixed(0)} docs/s (${written} written)   ratio ${(directSecs / storeSecs).toFixed(2)}`);
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
