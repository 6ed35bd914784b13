/** Events: searches in the query language over a time range, one event, and aggregations. */
import { HttpError, type GetListParams, type GetManyParams, type GetOneParams } from 'ra-core';
import { graphql } from './graphql';
import { pageOf, present, quoteValue, type ResourceAdapter } from './resource';

/** An ECS event as the API returns it, with react-admin's `id` taken from `event.id`. */
export type EventRecord = Record<string, unknown> & { id: string };

export interface TimeRange {
  from?: string;
  to?: string;
}

export interface Bucket {
  key: string | number;
  count: number;
}
export interface AggResult {
  name: string;
  type: 'terms' | 'date_histogram' | 'cardinality';
  buckets: Bucket[] | null;
  value: number | null;
}
export type AggRequest =
  | { name: string; type: 'terms'; field: string; size?: number }
  | { name: string; type: 'date_histogram'; interval: string; field?: string }
  | { name: string; type: 'cardinality'; field: string };

const SEARCH = /* GraphQL */ `
  query Events($query: String, $from: String, $to: String, $sort: [SortInput!], $size: Int, $offset: Int) {
    events(query: $query, from: $from, to: $to, sort: $sort, size: $size, offset: $offset) {
      total
      events
    }
  }
`;
const ONE = /* GraphQL */ `
  query Event($id: ID!) {
    event(id: $id)
  }
`;
const AGGREGATE = /* GraphQL */ `
  query EventAggregations($query: String, $from: String, $to: String, $aggs: [AggInput!]!) {
    eventAggregations(query: $query, from: $from, to: $to, aggs: $aggs) {
      total
      aggs {
        name
        type
        buckets {
          key
          count
        }
        value
      }
    }
  }
`;

export function eventId(e: Record<string, unknown>): string {
  const id = (e.event as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' ? id : '';
}

function withId(e: Record<string, unknown>): EventRecord {
  return { ...e, id: eventId(e) };
}

function rangeVars(r: TimeRange): TimeRange {
  return { ...(present(r.from) ? { from: r.from } : {}), ...(present(r.to) ? { to: r.to } : {}) };
}

export interface EventSearch extends TimeRange {
  query?: string;
  sort?: { field: string; order: 'asc' | 'desc' }[];
  size: number;
  offset?: number;
}

export async function searchEvents(s: EventSearch, signal?: AbortSignal): Promise<{ total: number; events: EventRecord[] }> {
  const r = await graphql<{ events: { total: number; events: Record<string, unknown>[] } }>(
    SEARCH,
    {
      ...(present(s.query) ? { query: s.query } : {}),
      ...rangeVars(s),
      ...(s.sort ? { sort: s.sort } : {}),
      size: s.size,
      ...(s.offset ? { offset: s.offset } : {}),
    },
    signal,
  );
  return { total: r.events.total, events: r.events.events.map(withId) };
}

export async function aggregateEvents(
  query: string | undefined,
  range: TimeRange,
  aggs: AggRequest[],
  signal?: AbortSignal,
): Promise<{ total: number; aggs: AggResult[] }> {
  const r = await graphql<{ eventAggregations: { total: number; aggs: AggResult[] } }>(
    AGGREGATE,
    { ...(present(query) ? { query } : {}), ...rangeVars(range), aggs },
    signal,
  );
  return r.eventAggregations;
}

export const events: ResourceAdapter = {
  async getList(params: GetListParams) {
    const f = (params.filter ?? {}) as { q?: string; from?: string; to?: string };
    const sort = params.sort?.field ? [{ field: params.sort.field, order: params.sort.order === 'ASC' ? ('asc' as const) : ('desc' as const) }] : undefined;
    const { size, offset } = pageOf(params.pagination);
    const r = await searchEvents({ ...(f.q ? { query: f.q } : {}), ...rangeVars(f), ...(sort ? { sort } : {}), size, offset });
    return { data: r.events, total: r.total };
  },
  async getOne(params: GetOneParams) {
    const r = await graphql<{ event: Record<string, unknown> | null }>(ONE, { id: String(params.id) });
    if (!r.event) throw new HttpError(`event ${String(params.id)} does not exist`, 404);
    return { data: withId(r.event) };
  },
  /** Many events by id in one search (an alert's matched events). */
  async getMany(params: GetManyParams) {
    const ids = params.ids.map(String).filter((x) => x !== '');
    if (ids.length === 0) return { data: [] };
    const r = await searchEvents({ query: `event.id:(${ids.map(quoteValue).join(' OR ')})`, size: Math.min(ids.length, 1000) });
    return { data: r.events };
  },
};
