/**
 * The gateway's duplicate check (IdLedger) against the cluster profile's event store on the real
 * engines (start them with `citysoc stack up`), two ways in one run, rounds in A-B-B-A order:
 * - per id: one store search per id, 16 at a time (how the ledger looked ids up before);
 * - per batch: the store's getMany, one ids lookup per batch.
 * Batches of 500 ids, BENCH_REPEATS of them already stored (a retried batch's share), the rest new;
 * a fresh ledger per batch, so that every id not in the batch goes to the store.
 *
 *   BENCH_BATCHES=40 BENCH_ROUNDS=2 npx tsx bench/id-ledger.ts
 */
import { elasticsearchApi, openSearchApi } from '../adapters/search/engine-api';
import { SearchEventStore } from '../adapters/search/event-store';
import { IdLedger, type StoredEvents } from '../collectors/pipeline/id-ledger';
import type { PipelineResult } from '../collectors/pipeline/types';
import type { EcsEvent } from '../core/event';
import { makeEvent, rng } from './events';

const BATCH = 500;
const BATCHES = Number(process.env.BENCH_BATCHES ?? 40);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 50);
const STORED = 20_000;
const run = Date.now().toString(36);

/** The lookup as it was: every id its own search, 16 in flight. */
function perId(store: SearchEventStore): StoredEvents {
  return {
    async getMany(ids) {
      const out: EcsEvent[] = [];
      for (let i = 0; i < ids.length; i += 16) {
        for (const ev of await Promise.all(ids.slice(i, i + 16).map((id) => store.get(id)))) if (ev) out.push(ev);
      }
      return out;
    },
  };
}

const asResult = (event: EcsEvent): PipelineResult => ({ ok: true, source: 'ecs', event: structuredClone(event) });

async function side(stored: StoredEvents, batches: EcsEvent[][], expectRepeats: number): Promise<{ secs: number; perBatchMs: number[] }> {
  const perBatchMs: number[] = [];
  const t0 = performance.now();
  let repeats = 0;
  for (const b of batches) {
    const t = performance.now();
    const decided = await new IdLedger(1000, stored).decide(b.map(asResult));
    perBatchMs.push(performance.now() - t);
    repeats += decided.filter((d) => d.kind === 'repeat').length;
  }
  if (repeats !== expectRepeats) throw new Error(`decided ${repeats} repeats, expected ${expectRepeats}`);
  return { secs: (performance.now() - t0) / 1000, perBatchMs };
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function engine(kind: 'elasticsearch' | 'opensearch', url: string): Promise<void> {
  const api = kind === 'elasticsearch' ? elasticsearchApi({ node: [url] }) : openSearchApi({ node: [url] });
  const store = new SearchEventStore(api, { prefix: `bench-ledger-${kind.slice(0, 2)}-${run}`, replicas: 0 });
  const r = rng(11);
  const start = Date.parse('2026-11-01T00:00:00Z');
  const stored = Array.from({ length: STORED }, (_, i) => makeEvent(i, start, 5 * 86_400_000, r));
  for (let i = 0; i < stored.length; i += 1000) await store.write(stored.slice(i, i + 1000));
  await store.refresh();
  const batches = Array.from({ length: BATCHES }, (_, b) => [
    ...Array.from({ length: REPEATS }, (_, k) => stored[(b * REPEATS + k) % STORED]!),
    ...Array.from({ length: BATCH - REPEATS }, (_, k) => makeEvent(STORED + b * BATCH + k, start, 5 * 86_400_000, r)),
  ]);
  const sides = { 'per id': perId(store), 'per batch': store as StoredEvents };
  const totals: Record<string, { secs: number; ms: number[] }> = { 'per id': { secs: 0, ms: [] }, 'per batch': { secs: 0, ms: [] } };
  const order = Array.from({ length: ROUNDS }, (_, i) => (i % 2 === 0 ? (['per id', 'per batch'] as const) : (['per batch', 'per id'] as const))).flat();
  for (const name of order) {
    const s = await side(sides[name], batches, BATCHES * REPEATS);
    totals[name]!.secs += s.secs;
    totals[name]!.ms.push(...s.perBatchMs);
  }
  const ids = BATCHES * BATCH * ROUNDS;
  const line = (name: string) => {
    const t = totals[name]!;
    return `${name}: ${Math.round(ids / t.secs).toLocaleString('en-US')} ids/s, per batch of ${BATCH} p50 ${pct(t.ms, 50).toFixed(1)} ms, p99 ${pct(t.ms, 99).toFixed(1)} ms`;
  };
  console.log(`${kind} (${STORED.toLocaleString('en-US')} events stored, ${BATCHES} batches × ${ROUNDS} rounds, ${REPEATS} repeats per batch)`);
  console.log(`  ${line('per id')}`);
  console.log(`  ${line('per batch')}`);
  console.log(`  ratio per batch / per id: ${(totals['per id']!.secs / totals['per batch']!.secs).toFixed(1)}×`);
  await store.enforceRetention(new Date('2100-01-01T00:00:00Z'), 1);
  await store.close();
}

async function main(): Promise<void> {
  await engine('elasticsearch', process.env.BENCH_ES_URL ?? 'http://127.0.0.1:9200');
  await engine('opensearch', process.env.BENCH_OS_URL ?? 'http://127.0.0.1:9210');
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
