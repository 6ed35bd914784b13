/**
 * EventStore over Elasticsearch or OpenSearch: daily indices `<prefix>-events-YYYY.MM.DD`
 * under the alias `<prefix>-events`, an index template with explicit ECS mappings, idempotent
 * bulk `create` by event.id, retries of throttled items, retention by deleting whole days.
 */
import { CitySocError } from '../../core/errors';
import type { EcsEvent } from '../../core/event';
import { fieldSpec } from '../../core/fields';
import type {
  AggregateRequest,
  AggregateResult,
  AggregationResult,
  EventStore,
  SearchRequest,
  SearchResult,
  SortKey,
  WriteResult,
} from '../../core/ports/event-store';
import { checkEventIds } from '../../core/ports/event-store';
import { prepareEvent } from '../../core/prepare';
import type { QueryNode } from '../../core/query/ast';
import { DAY_MS, intervalMs } from '../../core/query/dates';
import { checkFieldName, checkHistogramSpan, checkPaging, decodeCursor, encodeCursor, requestFilter } from '../paging';
import { type Dsl, toDsl } from '../../core/query/to-dsl';
import { checkIndexPrefix, type EngineApi } from './engine-api';
import { eventMappings } from './mappings';

export interface SearchStoreOptions {
  /** Lower-case name prefix of indices, alias and template, e.g. 'citysoc'. */
  readonly prefix: string;
  readonly replicas?: number;
  readonly refreshInterval?: string;
  /** Attempts for items the engine throttles (429) or fails transiently (5xx). */
  readonly maxAttempts?: number;
}

/**
 * Ids per lookup request of getMany: far below both engines' default index.max_terms_count
 * (65,536) and the indices' result window (10,001), and a request body of tens of kilobytes.
 */
const LOOKUP_CHUNK = 1_000;

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10).replace(/-/g, '.');

export class SearchEventStore implements EventStore {
  private readonly alias: string;
  private readonly pattern: string;
  private ready: Promise<void> | null = null;

  constructor(
    private readonly api: EngineApi,
    private readonly opts: SearchStoreOptions,
  ) {
    checkIndexPrefix(opts.prefix);
    this.alias = `${opts.prefix}-events`;
    this.pattern = `${opts.prefix}-events-*`;
  }

  /** Installs the index template once; daily indices are created by the first write to them. */
  private init(): Promise<void> {
    return (this.ready ??= this.api.putIndexTemplate(this.alias, {
      index_patterns: [this.pattern],
      priority: 200,
      template: {
        settings: {
          number_of_shards: 1,
          number_of_replicas: this.opts.replicas ?? 0,
          // Left to the engine unless configured: Elasticsearch then skips the 1 s refresh of
          // an index nobody searches (search-idle shards) and refreshes on the next search, so
          // results stay fresh while bulk indexing builds fewer, larger segments.
          ...(this.opts.refreshInterval !== undefined ? { refresh_interval: this.opts.refreshInterval } : {}),
          // One past the 10,000 window: the store asks for one extra hit to know whether a next page exists.
          max_result_window: 10_001,
        },
        mappings: eventMappings(),
        aliases: { [this.alias]: {} },
      },
    }));
  }

  async write(events: readonly EcsEvent[]): Promise<WriteResult> {
    await this.init();
    let written = 0;
    let duplicates = 0;
    const failed: { id: string; reason: string }[] = [];
    let pending: { id: string; index: string; doc: EcsEvent }[] = [];
    for (const raw of events) {
      const p = prepareEvent(raw);
      if (!p.ok) failed.push({ id: p.id, reason: p.reason });
      // Daily indices by the event's own day: a repeat of an event always meets its first copy (idempotent ids).
      else pending.push({ id: p.id, index: `${this.alias}-${dayOf(p.ts)}`, doc: p.event });
    }
    const attempts = this.opts.maxAttempts ?? 6;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const items = await this.api.bulk(pending.flatMap((p) => [{ create: { _index: p.index, _id: p.id } }, p.doc]));
      const retry: typeof pending = [];
      items.forEach((item, i) => {
        const p = pending[i]!;
        if (item.status === 201 || item.status === 200) written++;
        else if (item.status === 409) duplicates++;
        else if ((item.status === 429 || item.status >= 500) && attempt < attempts) retry.push(p);
        else failed.push({ id: p.id, reason: `${item.error?.type ?? item.status}: ${item.error?.reason ?? 'refused by the engine'}` });
      });
      pending = retry;
      if (retry.length) await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** attempt, 5_000)));
    }
    return { written, duplicates, failed };
  }

  async get(id: string): Promise<EcsEvent | null> {
    const r = await this.api.search(this.pattern, { query: { ids: { values: [id] } }, size: 1 });
    return (r.hits[0]?._source as EcsEvent | undefined) ?? null;
  }

  async getMany(ids: readonly string[]): Promise<EcsEvent[]> {
    checkEventIds(ids);
    const unique = [...new Set(ids)];
    const out: EcsEvent[] = [];
    for (let i = 0; i < unique.length; i += LOOKUP_CHUNK) {
      const values = unique.slice(i, i + LOOKUP_CHUNK);
      // One hit per id: an id is unique within a daily index only, so two events of different
      // days claiming one id (sent to two gateways at once) may both be stored.
      const r = await this.api.search(this.pattern, {
        query: { ids: { values } },
        size: values.length,
        collapse: { field: 'event.id' },
        track_total_hits: false,
      });
      for (const h of r.hits) out.push(h._source as EcsEvent);
    }
    return out;
  }

  private query(req: { query?: string; filters?: readonly QueryNode[]; range?: { from?: string; to?: string } }): Dsl {
    return toDsl(requestFilter(req));
  }

  async search(req: SearchRequest): Promise<SearchResult> {
    const size = req.size ?? 100;
    checkPaging(size, req.offset, req.after);
    const sort: SortKey[] = [...(req.sort ?? [{ field: '@timestamp', order: 'desc' }]), { field: 'event.id', order: 'asc' }];
    for (const s of sort) checkFieldName(s.field, 'sort');
    const body: Dsl = {
      query: this.query(req),
      size: size + 1,
      track_total_hits: true,
      sort: sort.map((s) => ({
        [s.field]: { order: s.order, missing: '_last', unmapped_type: fieldSpec(s.field).type === 'text' ? 'keyword' : mappingFor(s.field) },
      })),
    };
    if (req.after) body.search_after = decodeCursor(req.after, sort.length);
    else if (req.offset) body.from = req.offset;
    const r = await this.api.search(this.pattern, body);
    const page = r.hits.slice(0, size);
    const last = page[page.length - 1];
    return {
      total: r.total,
      events: page.map((h) => h._source as EcsEvent),
      ...(r.hits.length > size && last?.sort ? { nextCursor: encodeCursor(last.sort) } : {}),
    };
  }

  async aggregate(req: AggregateRequest): Promise<AggregateResult> {
    const aggs: Dsl = {};
    const query = this.query(req);
    for (const [name, a] of Object.entries(req.aggs)) {
      if (a.type !== 'date_histogram' || a.field !== undefined) checkFieldName(a.field ?? '', `aggregation ${name}`);
      if (a.type === 'date_histogram') await this.checkSpan(query, a.field ?? '@timestamp', intervalMs(a.interval));
      if (a.type === 'terms') {
        const size = a.size ?? 10;
        if (size < 1 || size > 10_000) throw new CitySocError('INPUT_INVALID', `terms size ${size} is out of range 1..10000`);
        aggs[name] = { terms: { field: a.field, size, order: [{ _count: 'desc' }, { _key: 'asc' }] } };
      } else if (a.type === 'date_histogram') {
        aggs[name] = { date_histogram: { field: a.field ?? '@timestamp', fixed_interval: `${intervalMs(a.interval) / 1000}s`, min_doc_count: 0 } };
      } else {
        aggs[name] = { cardinality: { field: a.field, precision_threshold: 40_000 } };
      }
    }
    const r = await this.api.search(this.pattern, { query, size: 0, track_total_hits: true, aggs });
    const out: Record<string, AggregationResult> = {};
    for (const [name, a] of Object.entries(req.aggs)) {
      const raw = (r.aggregations?.[name] ?? {}) as { buckets?: { key: unknown; key_as_string?: string; doc_count: number }[]; value?: number };
      if (a.type === 'cardinality') out[name] = { type: 'cardinality', value: raw.value ?? 0 };
      else {
        const t = a.type === 'terms' ? fieldSpec(a.field).type : 'date';
        out[name] = {
          type: a.type,
          buckets: (raw.buckets ?? []).map((b) => ({
            key:
              t === 'boolean'
                ? (b.key_as_string ?? String(b.key))
                : typeof b.key === 'number' || t === 'long' || t === 'double' || t === 'date'
                  ? Number(b.key)
                  : String(b.key),
            count: b.doc_count,
          })),
        };
      }
    }
    return { total: r.total, aggs: out };
  }

  /** The span of a histogram before it is asked for, so the bucket limit is ours and named, not the engine's. */
  private async checkSpan(query: Dsl, field: string, step: number): Promise<void> {
    const r = await this.api.search(this.pattern, { query, size: 0, aggs: { lo: { min: { field } }, hi: { max: { field } } } });
    const lo = (r.aggregations?.lo as { value?: number | null } | undefined)?.value;
    const hi = (r.aggregations?.hi as { value?: number | null } | undefined)?.value;
    if (typeof lo === 'number' && typeof hi === 'number') checkHistogramSpan(Math.floor(lo / step) * step, Math.floor(hi / step) * step, step);
  }

  async refresh(): Promise<void> {
    await this.api.refresh(this.pattern);
  }

  async enforceRetention(now: Date, retentionDays: number): Promise<{ deleted: number }> {
    const cutoff = dayOf(Math.floor(now.getTime() / DAY_MS) * DAY_MS - retentionDays * DAY_MS);
    const prefix = `${this.alias}-`;
    // Indices are named by the events' own day (so a repeat meets its first copy); retention counts
    // from when events were received (event.ingested, else their own time), so replayed history
    // stays as long as fresh data. What was received before the cutoff goes, from any index, and
    // indices left empty are dropped.
    const cutoffMs = Math.floor(now.getTime() / DAY_MS) * DAY_MS - retentionDays * DAY_MS;
    const all = (await this.api.listIndices(this.pattern)).filter((i) => i.index.startsWith(prefix));
    if (all.length === 0) return { deleted: 0 };
    const deleted = await this.api.deleteByQuery(
      all.map((i) => i.index),
      {
        bool: {
          should: [
            { range: { 'event.ingested': { lt: cutoffMs, format: 'epoch_millis' } } },
            { bool: { must_not: { exists: { field: 'event.ingested' } }, filter: { range: { '@timestamp': { lt: cutoffMs, format: 'epoch_millis' } } } } },
          ],
          minimum_should_match: 1,
        },
      },
    );
    const empty = (await this.api.listIndices(this.pattern)).filter((i) => i.index.startsWith(prefix) && i.index.slice(prefix.length) < cutoff && i.docs === 0);
    await this.api.deleteIndices(empty.map((i) => i.index));
    return { deleted };
  }

  health(): Promise<{ ok: boolean; detail?: string }> {
    return this.api.health();
  }

  close(): Promise<void> {
    return this.api.close();
  }
}

function mappingFor(field: string): string {
  const t = fieldSpec(field).type;
  return t === 'text' ? 'keyword' : t;
}
