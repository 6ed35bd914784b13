import { CitySocError } from '../errors';
import type { EcsEvent } from '../event';
import type { QueryNode } from '../query/ast';

export interface TimeRange {
  /** inclusive, ISO 8601 */
  readonly from?: string;
  /** exclusive, ISO 8601 */
  readonly to?: string;
}

export interface SortKey {
  readonly field: string;
  readonly order: 'asc' | 'desc';
}

export interface SearchRequest {
  /** Analyst query language (see core/query), or an already parsed tree (e.g. a row filter). */
  readonly query?: string;
  /** Extra filters ANDed with the query: row filters from the policy decision point. */
  readonly filters?: readonly QueryNode[];
  readonly range?: TimeRange;
  /** Default: @timestamp desc. event.id is always appended as the tie-breaker. */
  readonly sort?: readonly SortKey[];
  /** Page size, 1..10000. Default 100. */
  readonly size?: number;
  /** Offset paging, offset + size ≤ 10000 (like Elasticsearch's result window). */
  readonly offset?: number;
  /** Opaque cursor from a previous page: deep paging without a window limit. */
  readonly after?: string;
}

export interface SearchResult {
  readonly total: number;
  readonly events: EcsEvent[];
  /** Present when more results may follow. */
  readonly nextCursor?: string;
}

export type Aggregation =
  | { readonly type: 'terms'; readonly field: string; readonly size?: number }
  | { readonly type: 'date_histogram'; readonly field?: string; readonly interval: Interval }
  | { readonly type: 'cardinality'; readonly field: string };

/** Fixed intervals in UTC: 1m, 5m, 1h, 1d, ... */
export type Interval = `${number}${'s' | 'm' | 'h' | 'd'}`;

export interface AggregateRequest {
  readonly query?: string;
  readonly filters?: readonly QueryNode[];
  readonly range?: TimeRange;
  readonly aggs: Readonly<Record<string, Aggregation>>;
}

export interface Bucket {
  readonly key: string | number;
  readonly count: number;
}

export type AggregationResult =
  | { readonly type: 'terms'; readonly buckets: Bucket[] }
  | { readonly type: 'date_histogram'; readonly buckets: Bucket[] }
  | { readonly type: 'cardinality'; readonly value: number };

export interface AggregateResult {
  readonly total: number;
  readonly aggs: Record<string, AggregationResult>;
}

export interface WriteResult {
  /** Newly stored events. */
  readonly written: number;
  /** Events whose event.id was already stored (idempotent retries). */
  readonly duplicates: number;
  /** Events the store refused, with why; the caller dead-letters them. */
  readonly failed: { readonly id: string; readonly reason: string }[];
}

/**
 * Where events live. Contract (core/contracts/event-store.contract.ts):
 * - write is idempotent on event.id and durable when the promise resolves;
 * - after refresh(), written events are visible to search, aggregate and get;
 * - search semantics are those of core/query, identical on every engine;
 * - enforceRetention deletes events whose UTC day is before (now - retentionDays).
 */
export interface EventStore {
  write(events: readonly EcsEvent[]): Promise<WriteResult>;
  get(id: string): Promise<EcsEvent | null>;
  /**
   * The stored events among `ids` (absent ids are left out; order is not significant), found in
   * one bounded lookup per chunk of ids rather than one per id: the gateway's duplicate check.
   */
  getMany(ids: readonly string[]): Promise<EcsEvent[]>;
  search(req: SearchRequest): Promise<SearchResult>;
  aggregate(req: AggregateRequest): Promise<AggregateResult>;
  refresh(): Promise<void>;
  enforceRetention(now: Date, retentionDays: number): Promise<{ deleted: number }>;
  health(): Promise<{ ok: boolean; detail?: string }>;
  close(): Promise<void>;
}

/**
 * getMany's ids are strings: a list or an object would travel as its JSON text and find the event
 * whose id is that text, so anything else is refused, naming where it is.
 */
export function checkEventIds(ids: readonly unknown[]): asserts ids is readonly string[] {
  const bad = ids.findIndex((id) => typeof id !== 'string');
  if (bad >= 0)
    throw new CitySocError(
      'INPUT_INVALID',
      `getMany: ids[${bad}] is ${ids[bad] === null ? 'null' : Array.isArray(ids[bad]) ? 'a list' : `of type ${typeof ids[bad]}`}, not an event id (a string)`,
    );
}
