/**
 * A search that meets a shard still starting (a daily index a bulk write created a moment ago)
 * waits for it and answers; a shard that does not start is UNAVAILABLE with the index named, not
 * an internal error. The shard is held back by an allocation filter that names no node.
 */
import { CitySocError } from '../../core/errors';
import { elasticsearchApi, type EngineApi, openSearchApi } from './engine-api';

const engines: [string, string, () => EngineApi][] = [
  ['Elasticsearch', 'http://127.0.0.1:9200', () => elasticsearchApi({ node: ['http://127.0.0.1:9200'] })],
  ['OpenSearch', 'http://127.0.0.1:9210', () => openSearchApi({ node: ['http://127.0.0.1:9210'] })],
];

async function call(url: string, method: string, path: string, body?: unknown): Promise<void> {
  const res = await fetch(`${url}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
}

/** An index whose only shard cannot start until the filter is lifted. */
async function heldBack(url: string, index: string): Promise<() => Promise<void>> {
  await call(url, 'PUT', `/${index}?wait_for_active_shards=0`, {
    settings: { number_of_shards: 1, number_of_replicas: 0, 'index.routing.allocation.require._name': 'no-such-node' },
  });
  return () => call(url, 'PUT', `/${index}/_settings`, { 'index.routing.allocation.require._name': null });
}

describe.each(engines)('search while a shard starts on %s', (_name, url, open) => {
  const prefix = `shard-${process.pid}-${Date.now().toString(36)}`;
  // By name: the engines refuse a wildcard delete. A red index left behind would turn the whole
  // cluster red, and every later run's health check with it.
  afterAll(async () => {
    for (const index of [`${prefix}-late`, `${prefix}-stuck`]) await fetch(`${url}/${index}`, { method: 'DELETE' });
  });

  it('waits for the shard and answers once it has started', async () => {
    const api = open();
    const release = await heldBack(url, `${prefix}-late`);
    const searching = api.search(`${prefix}-late*`, { query: { match_all: {} } });
    await new Promise((r) => setTimeout(r, 1_000));
    await release();
    await expect(searching).resolves.toMatchObject({ total: 0, hits: [] });
  }, 60_000);

  it('is UNAVAILABLE, naming the index, when the shard does not start', async () => {
    const api = open();
    const release = await heldBack(url, `${prefix}-stuck`);
    const err = (await api.search(`${prefix}-stuck*`, { query: { match_all: {} } }).catch((e: unknown) => e)) as CitySocError;
    await release();
    expect(err).toBeInstanceOf(CitySocError);
    expect([err.code, err.message]).toEqual(['UNAVAILABLE', `${prefix}-stuck*: a shard of the search is still starting; retry shortly`]);
  }, 60_000);
});
