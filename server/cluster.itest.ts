/** The cluster profile end to end: ingest → Kafka → indexer group → Elasticsearch/OpenSearch → GraphQL. */
import { adminSession, clusterOverrides, type Running, startTestPlatform } from './test-support/harness';

jest.setTimeout(120_000);

for (const store of ['elasticsearch', 'opensearch'] as const) {
  describe(`the cluster profile on ${store} and Kafka`, () => {
    let r: Running;
    let admin: string;
    beforeAll(async () => {
      r = await startTestPlatform(undefined, false, clusterOverrides(store, 'it'));
      admin = await adminSession(r);
    });
    afterAll(async () => r.stop());

    it('an event accepted by the gateway is searchable through the API', async () => {
      const token = (await r.gql<{ createApiToken: { token: string } }>('mutation{createApiToken(name:"fb",roles:[collector]){token}}', {}, admin)).data!
        .createApiToken.token;
      const body = ['10.1.1.1', '10.1.1.1', '10.2.2.2']
        .map((ip, i) =>
          JSON.stringify({
            '@timestamp': `2026-11-20T08:00:0${i}Z`,
            message: `Failed password for root from ${ip}`,
            event: { id: `c${i}`, outcome: 'failure' },
            source: { ip },
          }),
        )
        .join('\n');
      const res = await fetch(`${r.platform.url}/ingest/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body });
      expect(res.status).toBe(200);
      const deadline = Date.now() + 60_000;
      let total = 0;
      while (Date.now() < deadline && total < 3) {
        await r.platform.ports.events.refresh();
        const page = await r.gql<{ events: { total: number } }>('{events(query:"password"){total}}', {}, admin);
        if (!page.data) throw new Error(JSON.stringify(page.errors));
        total = page.data.events.total;
        if (total < 3) await new Promise((x) => setTimeout(x, 250));
      }
      expect(total).toBe(3);
      const aggs = await r.gql<{ eventAggregations: { aggs: { buckets: { key: string; count: number }[] }[] } }>(
        '{eventAggregations(query:"event.outcome:failure",aggs:[{name:"ip",type:terms,field:"source.ip"}]){aggs{buckets{key count}}}}',
        {},
        admin,
      );
      expect(aggs.data!.eventAggregations.aggs[0]!.buckets).toEqual([
        { key: '10.1.1.1', count: 2 },
        { key: '10.2.2.2', count: 1 },
      ]);
    });

    it('reports ready when the search engine is healthy', async () => {
      expect((await fetch(`${r.platform.url}/readyz`)).status).toBe(200);
    });
  });
}
