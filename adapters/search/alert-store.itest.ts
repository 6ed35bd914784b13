import { describeAlertStoreContract, sampleAlert } from '../../core/contracts/alert-store.contract';
import { elasticsearchApi, type EngineApi, openSearchApi } from './engine-api';
import { SearchAlertStore } from './alert-store';

jest.setTimeout(60_000);
let n = 0;
const run = `${process.pid}-${Date.now().toString(36)}`;

const engines: [string, () => EngineApi][] = [
  ['Elasticsearch', () => elasticsearchApi({ node: ['http://127.0.0.1:9200'] })],
  ['OpenSearch', () => openSearchApi({ node: ['http://127.0.0.1:9210'] })],
];

for (const [name, api] of engines) {
  describeAlertStoreContract(name, { open: async () => new SearchAlertStore(api(), { prefix: `at-${run}-${n++}` }) });

  describe(`SearchAlertStore on ${name}: replicas sharing one alert index`, () => {
    it('occurrences upserted at once through two replicas fold into one alert, with every count kept', async () => {
      const prefix = `at-${run}-${n++}`;
      const a = new SearchAlertStore(api(), { prefix });
      const b = new SearchAlertStore(api(), { prefix });
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          (i % 2 ? a : b).upsert(
            sampleAlert(`race-${i}`, { dedupKey: 'ssh|10.9.9.9', eventIds: [`e${i}`], lastSeen: `2026-11-01T00:0${i % 10}:00.000Z` }),
            3_600_000,
          ),
        ),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      const list = await a.list({});
      expect(list.total).toBe(1);
      expect(list.alerts[0]!.count).toBe(12);
      expect([...list.alerts[0]!.eventIds].sort()).toEqual(Array.from({ length: 12 }, (_, i) => `e${i}`).sort());
      // the other replica sees the same alert, and a status move made on one is seen on the other
      const id = list.alerts[0]!.id;
      await b.transition(id, 'acknowledged', 'analyst-1');
      expect((await a.get(id))!.status).toBe('acknowledged');
      await a.close();
      await b.close();
    });
  });
}
