import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { stackStatus } from './index';
import { ELASTICSEARCH, FLINK, HOST, KAFKA, OPENSEARCH } from './versions';

// Smoke test of the engines the global setup started: each answers with the pinned version and
// does the one thing the platform needs it for.

const root = path.resolve(__dirname, '..');
const only = process.env.CITYSOC_STACK_ONLY?.split(',').map((s) => s.trim());
const wanted = (engine: string): boolean => !only || only.includes(engine);
const esUrl = `http://${HOST}:${ELASTICSEARCH.httpPort}`;
const osUrl = `http://${HOST}:${OPENSEARCH.httpPort}`;
const gatewayUrl = `http://${HOST}:${FLINK.gatewayPort}`;

interface Json {
  [k: string]: unknown;
}

async function call(method: string, url: string, body?: unknown, ndjson = false): Promise<{ status: number; body: Json }> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': ndjson ? 'application/x-ndjson' : 'application/json' },
    body: body === undefined ? undefined : ndjson ? String(body) : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
}

const runIf = (engine: string): typeof describe => (wanted(engine) ? describe : describe.skip);
// Set per test: jest reads testTimeout only from the top-level config, not from a project.
const TIMEOUT = 120_000;

describe('stack status', () => {
  it('reports every selected component healthy', async () => {
    const statuses = await stackStatus({ root });
    for (const s of statuses.filter((x) => wanted(x.engine))) {
      expect({ component: s.component, healthy: s.healthy }).toEqual({ component: s.component, healthy: true });
    }
  });
});

runIf('es')('elasticsearch', () => {
  const index = `stack-itest-${Date.now()}`;
  afterAll(async () => {
    await call('DELETE', `${esUrl}/${index}`);
  });

  it(
    'serves the pinned version, bulk indexing and the aggregations the analytics use',
    async () => {
      const rootInfo = await call('GET', `${esUrl}/`);
      expect((rootInfo.body.version as Json).number).toBe(ELASTICSEARCH.version);

      const created = await call('PUT', `${esUrl}/${index}`, {
        settings: { number_of_replicas: 0 },
        mappings: { properties: { 'user.name': { type: 'keyword' }, '@timestamp': { type: 'date' } } },
        aliases: { [`${index}-alias`]: {} },
      });
      expect(created.status).toBe(200);
      const docs = [
        { 'user.name': 'alice', '@timestamp': '2026-01-01T00:10:00Z' },
        { 'user.name': 'bob', '@timestamp': '2026-01-01T01:20:00Z' },
        { 'user.name': 'alice', '@timestamp': '2026-01-02T03:00:00Z' },
      ];
      const ndjson = docs.map((d) => `${JSON.stringify({ index: { _index: index } })}\n${JSON.stringify(d)}\n`).join('');
      const bulk = await call('POST', `${esUrl}/_bulk?refresh=wait_for`, ndjson, true);
      expect(bulk.body.errors).toBe(false);

      const search = await call('POST', `${esUrl}/${index}-alias/_search`, {
        size: 0,
        aggs: {
          users: { terms: { field: 'user.name' } },
          per_day: { date_histogram: { field: '@timestamp', calendar_interval: '1d' } },
          distinct: { cardinality: { field: 'user.name' } },
        },
      });
      expect(search.status).toBe(200);
      const aggs = search.body.aggregations as { users: { buckets: unknown[] }; per_day: { buckets: unknown[] }; distinct: { value: number } };
      expect(aggs.users.buckets).toEqual([
        { key: 'alice', doc_count: 2 },
        { key: 'bob', doc_count: 1 },
      ]);
      expect(aggs.per_day.buckets).toHaveLength(2);
      expect(aggs.distinct.value).toBe(2);
    },
    TIMEOUT,
  );
});

runIf('opensearch')('opensearch', () => {
  it('serves the pinned version', async () => {
    const rootInfo = await call('GET', `${osUrl}/`);
    expect(OPENSEARCH.runnerVersion.startsWith(`${String((rootInfo.body.version as Json).number)}.`)).toBe(true);
  });
});

runIf('kafka')('kafka', () => {
  it(
    'round-trips a message through an auto-created topic',
    async () => {
      const kafka = new Kafka({ clientId: 'stack-itest', brokers: [`${HOST}:${KAFKA.port}`], logLevel: logLevel.NOTHING });
      const topic = `stack-itest-${Date.now()}`;
      const producer = kafka.producer({ allowAutoTopicCreation: true });
      await producer.connect();
      await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: 'hello' }] });
      await producer.disconnect();
      const consumer = kafka.consumer({ groupId: `${topic}-group` });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const value = await new Promise<string>((resolve) => {
        void consumer.run({ eachMessage: async ({ message }) => resolve(String(message.value)) });
      });
      await consumer.disconnect();
      expect(value).toBe('hello');
    },
    TIMEOUT,
  );
});

runIf('flink')('flink', () => {
  it(
    'has a taskmanager and runs SELECT 1 through the SQL gateway',
    async () => {
      const overview = await call('GET', `http://${HOST}:${FLINK.restPort}/overview`);
      expect(overview.body['flink-version']).toBe(FLINK.version);
      expect(overview.body.taskmanagers).toBeGreaterThanOrEqual(1);

      const session = await call('POST', `${gatewayUrl}/v1/sessions`, { sessionName: 'stack-itest' });
      const handle = String(session.body.sessionHandle);
      try {
        const op = await call('POST', `${gatewayUrl}/v1/sessions/${handle}/statements`, { statement: 'SELECT 1' });
        expect(op.status).toBe(200);
        let next: string | undefined = `/v1/sessions/${handle}/operations/${String(op.body.operationHandle)}/result/0`;
        const rows: unknown[] = [];
        const deadline = Date.now() + 60_000;
        while (next && Date.now() < deadline) {
          const page = await call('GET', `${gatewayUrl}${next}?rowFormat=JSON`);
          expect(page.status).toBe(200);
          const data = ((page.body.results as Json | undefined)?.data as { fields: unknown[] }[] | undefined) ?? [];
          rows.push(...data.map((d) => d.fields));
          if (page.body.resultType === 'EOS') break;
          if (page.body.resultType === 'NOT_READY') await new Promise((r) => setTimeout(r, 300));
          next = page.body.nextResultUri as string | undefined;
        }
        expect(rows).toEqual([[1]]);
      } finally {
        await call('DELETE', `${gatewayUrl}/v1/sessions/${handle}`);
      }
    },
    TIMEOUT,
  );
});
