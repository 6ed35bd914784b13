/**
 * The few engine calls the store needs, over the official clients of Elasticsearch
 * (@elastic/elasticsearch 8.x, which speaks to ES 8 and 9) and OpenSearch
 * (@opensearch-project/opensearch). Their request and response shapes differ slightly.
 */
import { Client as EsClient } from '@elastic/elasticsearch';
import { Client as OsClient } from '@opensearch-project/opensearch';
import { readFileSync } from 'node:fs';
import { CitySocError } from '../../core/errors';
import type { Dsl } from '../../core/query/to-dsl';

export interface BulkItemResult {
  readonly status: number;
  readonly error?: { type: string; reason: string };
}

export interface SearchResponse {
  readonly total: number;
  readonly hits: { _id: string; _source: Record<string, unknown>; sort?: unknown[] }[];
  readonly aggregations?: Record<string, unknown>;
}

/** A document read in real time, with the token a conditional write must present. */
export interface StoredDoc {
  readonly source: Record<string, unknown>;
  readonly seqNo: number;
  readonly primaryTerm: number;
}

/** What a conditional write expects to find: no document yet, the one that was read, or anything. */
export type WriteExpectation = 'new' | 'any' | { readonly seqNo: number; readonly primaryTerm: number };

export interface EngineApi {
  readonly kind: 'elasticsearch' | 'opensearch';
  bulk(operations: unknown[]): Promise<BulkItemResult[]>;
  /** Creates an index unless it exists. */
  ensureIndex(name: string, body: Dsl): Promise<void>;
  /** Real-time get by id (not subject to refresh); null when absent. */
  getDoc(index: string, id: string): Promise<StoredDoc | null>;
  /**
   * Writes one document if the expectation holds (optimistic concurrency), refreshing the
   * index so that searches see it; 'conflict' when another writer got there first.
   */
  putDoc(index: string, id: string, doc: unknown, expect: WriteExpectation): Promise<'ok' | 'conflict'>;
  /** Deletes one document, refreshing the index; false when there was none. */
  deleteDoc(index: string, id: string): Promise<boolean>;
  search(index: string, body: Dsl): Promise<SearchResponse>;
  putIndexTemplate(name: string, body: Dsl): Promise<void>;
  /** Index names matching a pattern with their document counts. */
  listIndices(pattern: string): Promise<{ index: string; docs: number }[]>;
  deleteIndices(names: string[]): Promise<void>;
  /** Deletes the documents a query matches in the indices (refreshing them); how many. */
  deleteByQuery(indices: string[], query: Dsl): Promise<number>;
  refresh(pattern: string): Promise<void>;
  health(): Promise<{ ok: boolean; detail?: string }>;
  close(): Promise<void>;
}

export interface EngineConnection {
  readonly node: string[];
  readonly apiKey?: string;
  readonly username?: string;
  readonly password?: string;
  readonly caFile?: string;
  readonly tlsVerify?: boolean;
}

function tls(c: EngineConnection) {
  if (!c.caFile && c.tlsVerify !== false) return undefined;
  return { ...(c.caFile ? { ca: readFileSync(c.caFile) } : {}), rejectUnauthorized: c.tlsVerify !== false };
}

function toSearch(body: { hits: { total?: number | { value: number }; hits: unknown[] }; aggregations?: Record<string, unknown> }): SearchResponse {
  const total = typeof body.hits.total === 'number' ? body.hits.total : (body.hits.total?.value ?? 0);
  return { total, hits: body.hits.hits as SearchResponse['hits'], ...(body.aggregations ? { aggregations: body.aggregations } : {}) };
}

function indexRows(rows: unknown): { index: string; docs: number }[] {
  return (Array.isArray(rows) ? (rows as { index: string; 'docs.count'?: string }[]) : []).map((x) => ({ index: x.index, docs: Number(x['docs.count'] ?? 0) }));
}

function statusOf(e: unknown): number | undefined {
  return (e as { meta?: { statusCode?: number } }).meta?.statusCode;
}

/** The result of a call, or `fallback` when the engine answers with `status` (404 absent, 409 conflict). */
async function unless<T, F>(status: number, fallback: F, call: () => Promise<T>): Promise<T | F> {
  try {
    return await call();
  } catch (e) {
    if (statusOf(e) === status) return fallback;
    throw e;
  }
}

/** A search that met a shard still starting (an index the indexer created a moment ago). */
function shardStarting(e: unknown): boolean {
  const m = e as { meta?: { statusCode?: number; body?: unknown } };
  // Elasticsearch names no_shard_available_action_exception; OpenSearch leaves the root causes
  // empty. Either way a 503 from the search phase is shards that cannot answer yet.
  const body = JSON.stringify(m.meta?.body ?? '');
  return m.meta?.statusCode === 503 && (body.includes('no_shard_available_action_exception') || body.includes('search_phase_execution_exception'));
}

/**
 * Runs a search; when it meets a shard that is still starting (a daily index a bulk write created
 * a moment ago: for a few hundred ms its primary is neither searchable nor counted red), asks again
 * after a growing pause, about 8 s in all. Still starting after that, it is UNAVAILABLE (a
 * collector retries), not an internal error. The engines' health API does not help here: a new
 * index's unassigned primaries count as yellow while it is created.
 */
const SHARD_START_PAUSES_MS = [100, 250, 500, 1_000, 2_000, 4_000];
async function searchWhileShardsStart<T>(index: string, call: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      if (!shardStarting(e)) throw e;
      const pause = SHARD_START_PAUSES_MS[attempt];
      if (pause === undefined) throw new CitySocError('UNAVAILABLE', `${index}: a shard of the search is still starting; retry shortly`);
      await new Promise((r) => setTimeout(r, pause));
    }
  }
}

/** Index names CitySOC makes from a configured prefix must be valid on both engines. */
export function checkIndexPrefix(prefix: string): void {
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(prefix)) throw new CitySocError('CONFIG_INVALID', `index prefix '${prefix}' must be lower-case letters, digits, - and _`);
}

function errorType(e: unknown): string | undefined {
  return (e as { meta?: { body?: { error?: { type?: string } } } }).meta?.body?.error?.type;
}

function conditions(expect: WriteExpectation): Dsl {
  if (expect === 'any') return {};
  return expect === 'new' ? { op_type: 'create' } : { if_seq_no: expect.seqNo, if_primary_term: expect.primaryTerm };
}

function storedDoc(r: { found?: boolean; _source?: unknown; _seq_no?: number; _primary_term?: number }): StoredDoc | null {
  if (!r.found || !r._source || r._seq_no === undefined || r._primary_term === undefined) return null;
  return { source: r._source as Record<string, unknown>, seqNo: r._seq_no, primaryTerm: r._primary_term };
}

function healthOf(status: string): { ok: boolean; detail: string } {
  return { ok: status !== 'red', detail: `cluster ${status}` };
}

function bulkItems(items: Record<string, { status: number; error?: { type: string; reason: string } }>[]): BulkItemResult[] {
  return items.map((i) => {
    const r = Object.values(i)[0]!;
    return { status: r.status, ...(r.error ? { error: { type: r.error.type, reason: r.error.reason } } : {}) };
  });
}

/** _delete_by_query lives in the reindex module, which a node assembled from Maven Central artifacts lacks. */
function noReindexModule(e: unknown): boolean {
  const m = e as { meta?: { statusCode?: number; body?: unknown } };
  return m.meta?.statusCode === 400 && /no handler found for uri \[[^\]]*_delete_by_query/.test(JSON.stringify(m.meta.body ?? ''));
}

/** Deletes what a query matches page by page through search and _bulk: what _delete_by_query does, without the module. */
async function deleteMatchingById(api: EngineApi, index: string, query: Dsl): Promise<number> {
  let deleted = 0;
  // Every page is deleted and refreshed before the next search, so each round sees only what is left.
  for (;;) {
    await api.refresh(index);
    const page = await api.search(index, { query, size: 1000, _source: false, sort: ['_doc'] });
    if (page.hits.length === 0) return deleted;
    const items = await api.bulk(page.hits.map((h) => ({ delete: { _index: index, _id: h._id } })));
    const failed = items.find((i) => i.status !== 200 && i.status !== 404);
    if (failed) throw new Error(`deleting from ${index}: ${failed.error?.type ?? failed.status}: ${failed.error?.reason ?? ''}`);
    deleted += items.filter((i) => i.status === 200).length;
  }
}

export function elasticsearchApi(c: EngineConnection): EngineApi {
  const t = tls(c);
  const client = new EsClient({
    nodes: c.node,
    ...(c.apiKey ? { auth: { apiKey: c.apiKey } } : c.username && c.password ? { auth: { username: c.username, password: c.password } } : {}),
    ...(t ? { tls: t } : {}),
    maxRetries: 3,
    requestTimeout: 60_000,
  });
  return {
    kind: 'elasticsearch',
    async bulk(operations) {
      const r = await client.bulk({ operations });
      return bulkItems(r.items as never);
    },
    async ensureIndex(name, body) {
      try {
        await client.indices.create({ index: name, ...body });
      } catch (e) {
        if (errorType(e) !== 'resource_already_exists_exception') throw e;
      }
      // created by someone else a moment ago, its primary may still be starting
      await client.cluster.health({ index: name, wait_for_active_shards: 1, timeout: '30s' });
    },
    getDoc: (index, id) => unless(404, null, async () => storedDoc((await client.get({ index, id })) as never)),
    putDoc: (index, id, doc, expect) =>
      unless(409, 'conflict' as const, async () => {
        await client.index({ index, id, document: doc, refresh: true, ...conditions(expect) });
        return 'ok' as const;
      }),
    deleteDoc: (index, id) =>
      unless(404, false, async () => {
        await client.delete({ index, id, refresh: true });
        return true;
      }),
    async search(index, body) {
      return searchWhileShardsStart(index, async () =>
        toSearch((await client.search({ index, ...body, ignore_unavailable: true, allow_no_indices: true })) as never),
      );
    },
    async putIndexTemplate(name, body) {
      await client.indices.putIndexTemplate({ name, ...body });
    },
    async listIndices(pattern) {
      const r = await client.cat.indices({ index: pattern, format: 'json', h: 'index,docs.count', expand_wildcards: 'open' }, { ignore: [404] });
      return indexRows(r);
    },
    // One index per request: the client URL-encodes a list's commas into the path (%2C), which the engines
    // do not route ("no handler found for uri").
    async deleteIndices(names) {
      for (const index of names) await client.indices.delete({ index });
    },
    async deleteByQuery(indices, query) {
      let deleted = 0;
      for (const index of indices) {
        try {
          const r = await client.deleteByQuery({ index, query, refresh: true, conflicts: 'proceed', ignore_unavailable: true });
          deleted += r.deleted ?? 0;
        } catch (e) {
          if (!noReindexModule(e)) throw e;
          deleted += await deleteMatchingById(this, index, query);
        }
      }
      return deleted;
    },
    async refresh(pattern) {
      await client.indices.refresh({ index: pattern, ignore_unavailable: true, allow_no_indices: true });
    },
    async health() {
      try {
        return healthOf((await client.cluster.health()).status);
      } catch (e) {
        return { ok: false, detail: (e as Error).message };
      }
    },
    close: () => client.close(),
  };
}

export function openSearchApi(c: EngineConnection): EngineApi {
  const t = tls(c);
  const client = new OsClient({
    nodes: c.node,
    ...(c.username && c.password ? { auth: { username: c.username, password: c.password } } : {}),
    ...(t ? { ssl: t } : {}),
    maxRetries: 3,
    requestTimeout: 60_000,
  });
  return {
    kind: 'opensearch',
    async bulk(operations) {
      const r = await client.bulk({ body: operations as never });
      return bulkItems(r.body.items as never);
    },
    async ensureIndex(name, body) {
      try {
        await client.indices.create({ index: name, body: body as never });
      } catch (e) {
        if (errorType(e) !== 'resource_already_exists_exception') throw e;
      }
      // created by someone else a moment ago, its primary may still be starting
      await client.cluster.health({ index: name, wait_for_active_shards: '1', timeout: '30s' });
    },
    getDoc: (index, id) => unless(404, null, async () => storedDoc((await client.get({ index, id })).body as never)),
    putDoc: (index, id, doc, expect) =>
      unless(409, 'conflict' as const, async () => {
        await client.index({ index, id, body: doc as never, refresh: true, ...conditions(expect) } as never);
        return 'ok' as const;
      }),
    deleteDoc: (index, id) =>
      unless(404, false, async () => {
        await client.delete({ index, id, refresh: true });
        return true;
      }),
    async search(index, body) {
      return searchWhileShardsStart(index, async () =>
        toSearch((await client.search({ index, body: body as never, ignore_unavailable: true, allow_no_indices: true })).body as never),
      );
    },
    async putIndexTemplate(name, body) {
      await client.indices.putIndexTemplate({ name, body: body as never });
    },
    async listIndices(pattern) {
      const r = await client.cat.indices({ index: pattern, format: 'json', h: ['index', 'docs.count'], expand_wildcards: 'open' }, { ignore: [404] });
      return indexRows(r.body);
    },
    async deleteIndices(names) {
      if (names.length) await client.indices.delete({ index: names.join(',') });
    },
    async deleteByQuery(indices, query) {
      if (indices.length === 0) return 0;
      const r = await client.deleteByQuery({ index: indices, body: { query }, refresh: true, conflicts: 'proceed', ignore_unavailable: true });
      return (r.body as { deleted?: number }).deleted ?? 0;
    },
    async refresh(pattern) {
      await client.indices.refresh({ index: pattern, ignore_unavailable: true, allow_no_indices: true });
    },
    async health() {
      try {
        return healthOf((await client.cluster.health()).body.status);
      } catch (e) {
        return { ok: false, detail: (e as Error).message };
      }
    },
    close: () => client.close(),
  };
}
