/**
 * The id ledger over the cluster profile's event store, on real Elasticsearch and OpenSearch:
 * the same decisions as with ids it remembers, one store search per batch however many ids it
 * holds, and a store that cannot answer fails the decision (the gateway answers 503 then).
 */
import type { EcsEvent } from '../../core/event';
import { elasticsearchApi, type EngineApi, openSearchApi } from '../../adapters/search/engine-api';
import { SearchEventStore } from '../../adapters/search/event-store';
import { IdLedger } from './id-ledger';
import type { PipelineResult } from './types';

const run = `${process.pid}-${Date.now().toString(36)}`;
let n = 0;

const result = (id: string, original: string, second = 0): PipelineResult => ({
  ok: true,
  source: 'ecs',
  event: { '@timestamp': new Date(Date.UTC(2026, 10, 20, 0, 0, second)).toISOString(), event: { id, kind: 'event', original }, message: original } as EcsEvent,
});

/** What the gateway hands the bus, and the indexer then stores: everything but the repeats. */
async function publish(store: SearchEventStore, batch: readonly PipelineResult[], decided: readonly { kind: string }[]): Promise<void> {
  const r = await store.write(batch.filter((_, i) => decided[i]!.kind !== 'repeat').map((b) => b.event));
  expect(r.failed).toEqual([]);
  await store.refresh();
}

function describeLedgerOn(engine: string, connect: () => EngineApi): void {
  describe(`the id ledger over ${engine}`, () => {
    let searches = 0;
    let store: SearchEventStore;
    beforeAll(() => {
      const api = connect();
      // Counts the searches the ledger causes: one per batch is what this suite is about.
      const counted: EngineApi = {
        ...api,
        search: (index, body) => {
          searches++;
          return api.search(index, body);
        },
      };
      store = new SearchEventStore(counted, { prefix: `idl-${run}-${n++}`, refreshInterval: '-1' });
    });
    afterAll(async () => store.close());

    it('ids it no longer remembers are looked up in the store: repeat, duplicate, new', async () => {
      await publish(store, [result('old', 'kept')], [{ kind: 'new' }]);
      const ledger = new IdLedger(1000, store);
      expect(await ledger.decide([result('old', 'kept'), result('old', 'tampered'), result('fresh', 'z')])).toEqual([
        { kind: 'repeat' },
        { kind: 'duplicate', of: 'old' },
        { kind: 'new' },
      ]);
    });

    it('batches of 500 with duplicates inside and across them: one search for the ids and one for the ids the conflicts take, the same decisions as from memory', async () => {
      // Batch 1: 480 ids, 10 of them sent twice with the same content, 10 twice with other content.
      const first: PipelineResult[] = Array.from({ length: 480 }, (_, i) => result(`b${i}`, `line ${i}`, i % 60));
      for (let i = 0; i < 10; i++) first.push(result(`b${i}`, `line ${i}`, i % 60));
      for (let i = 10; i < 20; i++) first.push(result(`b${i}`, `other ${i}`, i % 60));
      // Batch 2: 200 of batch 1 again, 50 of its ids with other content, 10 retries of its duplicates, 240 new.
      const second: PipelineResult[] = [
        ...Array.from({ length: 200 }, (_, i) => result(`b${i + 100}`, `line ${i + 100}`, (i + 100) % 60)),
        ...Array.from({ length: 50 }, (_, i) => result(`b${i + 300}`, `changed ${i + 300}`, (i + 300) % 60)),
        ...Array.from({ length: 10 }, (_, i) => result(`b${i + 10}`, `other ${i + 10}`, (i + 10) % 60)),
        ...Array.from({ length: 240 }, (_, i) => result(`c${i}`, `new ${i}`, i % 60)),
      ];
      expect([first.length, second.length]).toEqual([500, 500]);

      // The reference: one ledger that remembers everything, deciding both batches from memory.
      const reference = new IdLedger(10_000);
      const expectedFirst = await reference.decide(first.map((r) => structuredClone(r)));
      const expectedSecond = await reference.decide(second.map((r) => structuredClone(r)));
      const kinds = (d: readonly { kind: string }[]) => d.reduce<Record<string, number>>((m, x) => ({ ...m, [x.kind]: (m[x.kind] ?? 0) + 1 }), {});
      expect(kinds(expectedFirst)).toEqual({ new: 480, repeat: 10, duplicate: 10 });
      expect(kinds(expectedSecond)).toEqual({ new: 240, repeat: 210, duplicate: 50 });

      // Over the store: a ledger that forgets between batches (a restart, or another replica's gateway).
      const before = searches;
      const decidedFirst = await new IdLedger(1000, store).decide(first);
      expect([decidedFirst, searches - before]).toEqual([expectedFirst, 2]);
      await publish(store, first, decidedFirst);

      const beforeSecond = searches;
      const decidedSecond = await new IdLedger(1000, store).decide(second);
      expect([decidedSecond, searches - beforeSecond]).toEqual([expectedSecond, 2]);
      expect(second.slice(200, 250).every((r, i) => r.event.event.id.startsWith(`b${i + 300}~`))).toBe(true);
    });

    it('a store that cannot answer fails the decision, which the gateway answers with 503 UNAVAILABLE', async () => {
      const unreachable = new SearchEventStore(
        engine === 'Elasticsearch' ? elasticsearchApi({ node: ['http://127.0.0.1:1'] }) : openSearchApi({ node: ['http://127.0.0.1:1'] }),
        { prefix: `idl-${run}-down` },
      );
      try {
        await expect(new IdLedger(1000, unreachable).decide([result('lost', 'x')])).rejects.toThrow(/ECONNREFUSED|connect|Connection/i);
      } finally {
        await unreachable.close();
      }
    });
  });
}

describeLedgerOn('Elasticsearch', () => elasticsearchApi({ node: ['http://127.0.0.1:9200'] }));
describeLedgerOn('OpenSearch', () => openSearchApi({ node: ['http://127.0.0.1:9210'] }));
