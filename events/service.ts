/**
 * The events application service: search, one event, aggregations. Every call gets one PDP
 * decision (ctx.scope): its row filter is ANDed into the store's query, the caller's query is
 * rewritten by the decision's field view (a masked field cannot be searched by its clear value, a
 * tokenized one only by its token, free text of events with personal data only in its redacted
 * copy), and every output — documents, aggregation keys — is treated by the same view.
 */
import type { Classification, EcsEvent } from '../core/event';
import { defineAction } from '../core/door';
import { CitySocError } from '../core/errors';
import { fieldNameProblem } from '../core/fields';
import type { AggregationResult, EventStore, Interval, SortKey } from '../core/ports';
import { and, type QueryNode } from '../core/query/ast';
import { compileQuery } from '../core/query/analyze';

export interface EventLimits {
  /** Largest page a search may ask for. */
  readonly maxPageSize: number;
  /** Most aggregations in one request. */
  readonly maxAggregations: number;
  /** Most buckets one terms aggregation may return. */
  readonly maxTermsSize: number;
}

export const DEFAULT_EVENT_LIMITS: EventLimits = { maxPageSize: 1000, maxAggregations: 20, maxTermsSize: 1000 };

export interface SearchInput {
  readonly query?: string | null;
  readonly from?: string | null;
  readonly to?: string | null;
  readonly sort?: readonly SortKey[] | null;
  /** 0 answers the total only. */
  readonly size?: number | null;
  readonly offset?: number | null;
  readonly after?: string | null;
}

export interface AggregationInput {
  readonly name: string;
  readonly type: 'terms' | 'date_histogram' | 'cardinality';
  readonly field?: string | null;
  readonly size?: number | null;
  readonly interval?: string | null;
}

export interface AggregateInput {
  readonly query?: string | null;
  readonly from?: string | null;
  readonly to?: string | null;
  readonly aggs: readonly AggregationInput[];
}

export type AggregationAnswer =
  | {
      readonly name: string;
      readonly type: 'terms' | 'date_histogram';
      readonly buckets: { key: string | number; count: number }[];
      readonly keys: 'clear' | 'token' | 'mask';
    }
  | { readonly name: string; readonly type: 'cardinality'; readonly value: number };

function invalid(message: string): CitySocError {
  return new CitySocError('INPUT_INVALID', message);
}

function field(name: string | null | undefined, where: string): string {
  if (!name) throw invalid(`${where}: a field is required`);
  const problem = fieldNameProblem(name);
  if (problem) throw new CitySocError('QUERY_FIELD', `${where}: field '${name.length > 64 ? `${name.slice(0, 64)}…` : name}' ${problem}`, { field: where });
  return name;
}

function range(i: { from?: string | null; to?: string | null }) {
  return { ...(i.from ? { from: i.from } : {}), ...(i.to ? { to: i.to } : {}) };
}

/** An event as the PDP judges it: its department and classification. */
function eventResource(ev: EcsEvent) {
  const org = (ev.organization as { name?: string } | undefined)?.name;
  const cls = (ev.citysoc as { data?: { classification?: Classification } } | undefined)?.data?.classification;
  return { type: 'events' as const, ...(org ? { department: org } : {}), ...(cls ? { classification: cls } : {}) };
}

export function eventActions(store: EventStore, limits: EventLimits = DEFAULT_EVENT_LIMITS) {
  return {
    search: defineAction({
      name: 'events.search',
      permission: 'events:read',
      details: (i: SearchInput) => ({ query: i.query ?? '', from: i.from ?? null, to: i.to ?? null }),
      run: async (ctx, i: SearchInput) => {
        const size = i.size ?? 100;
        if (!Number.isInteger(size) || size < 0 || size > limits.maxPageSize)
          throw invalid(`size ${size} is out of range: expected 0..${limits.maxPageSize} (0 answers the total only)`);
        const scope = ctx.scope('events');
        const query = scope.view.rewrite(compileQuery(i.query ?? undefined, ctx.now));
        for (const s of i.sort ?? []) {
          field(s.field, 'sort');
          if (s.order !== 'asc' && s.order !== 'desc') throw invalid(`sort ${s.field}: order is asc or desc`);
          // Sorting by a value one sees masked would reveal its order.
          if (scope.view.aggregation(s.field) !== 'clear')
            throw new CitySocError('QUERY_FIELD', `sort: ${s.field} is treated for you and cannot be sorted by`, { field: s.field });
        }
        const r = await store.search({
          filters: [query, ...scope.filters],
          range: range(i),
          ...(i.sort && i.sort.length ? { sort: i.sort } : {}),
          size: Math.max(size, 1),
          ...(i.offset !== undefined && i.offset !== null ? { offset: i.offset } : {}),
          ...(i.after ? { after: i.after } : {}),
        });
        ctx.note({ total: r.total });
        if (size === 0) return { total: r.total, events: [], nextCursor: null };
        return { total: r.total, events: scope.treat(r.events), nextCursor: r.nextCursor ?? null };
      },
    }),
    get: defineAction({
      name: 'events.get',
      permission: 'events:read',
      resource: (i: { id: string }) => `event:${i.id}`,
      run: async (ctx, i: { id: string }) => {
        if (typeof i.id !== 'string' || i.id.length === 0 || i.id.length > 256) throw invalid('id: 1..256 characters');
        const ev = await store.get(i.id);
        // Absent and not-yours answer alike (NOT_FOUND), so ids of other departments cannot be probed.
        if (!ev) throw new CitySocError('NOT_FOUND', `no event ${i.id}`);
        const d = ctx.item({ kind: 'event', id: i.id, doc: ev, resource: eventResource(ev) });
        return ctx.view(d).treat(ev);
      },
    }),
    aggregate: defineAction({
      name: 'events.aggregate',
      permission: 'events:read',
      details: (i: AggregateInput) => ({ query: i.query ?? '', aggs: i.aggs.map((a) => `${a.type}:${a.field ?? ''}`) }),
      run: async (ctx, i: AggregateInput): Promise<{ total: number; aggs: AggregationAnswer[] }> => {
        if (i.aggs.length === 0 || i.aggs.length > limits.maxAggregations) throw invalid(`aggs: give 1 to ${limits.maxAggregations} aggregations`);
        if (new Set(i.aggs.map((a) => a.name)).size !== i.aggs.length) throw invalid('aggs: names must be unique');
        const scope = ctx.scope('events');
        const query = scope.view.rewrite(compileQuery(i.query ?? undefined, ctx.now));
        const views = new Map<string, 'clear' | 'token' | 'mask'>();
        const aggs = Object.fromEntries(
          i.aggs.map((a) => {
            if (a.type === 'date_histogram') {
              if (!a.interval) throw invalid(`aggregation ${a.name}: date_histogram needs an interval such as 1h`);
              const f = a.field ? field(a.field, `aggregation ${a.name}`) : undefined;
              if (f) views.set(a.name, scope.view.aggregation(f));
              return [a.name, { type: 'date_histogram' as const, interval: a.interval as Interval, ...(f ? { field: f } : {}) }];
            }
            const f = field(a.field, `aggregation ${a.name}`);
            views.set(a.name, scope.view.aggregation(f));
            if (a.type === 'cardinality') return [a.name, { type: 'cardinality' as const, field: f }];
            const size = a.size ?? 10;
            if (!Number.isInteger(size) || size < 1 || size > limits.maxTermsSize)
              throw invalid(`aggregation ${a.name}: size must be 1..${limits.maxTermsSize}`);
            return [a.name, { type: 'terms' as const, field: f, size }];
          }),
        );
        const r = await store.aggregate({ filters: [and(query, ...scope.filters)] as QueryNode[], range: range(i), aggs });
        return {
          total: r.total,
          aggs: i.aggs.map((a): AggregationAnswer => {
            const v = r.aggs[a.name] as AggregationResult;
            if (v.type === 'cardinality') return { name: a.name, type: 'cardinality', value: v.value };
            const keys = views.get(a.name) ?? 'clear';
            return { name: a.name, type: v.type, keys, buckets: scope.view.treatBuckets(a.field ?? '@timestamp', keys, v.buckets) };
          }),
        };
      },
    }),
  };
}

export type EventActions = ReturnType<typeof eventActions>;
