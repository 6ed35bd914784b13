/** Request, paging and bucket rules every EventStore adapter shares, so their answers match exactly. */
import { CitySocError } from '../core/errors';
import type { Bucket } from '../core/ports/event-store';
import { and, type QueryNode } from '../core/query/ast';
import { compileQuery } from '../core/query/analyze';
import { resolveDate } from '../core/query/dates';
import { fieldNameProblem } from '../core/fields';

/** The whole filter of a search or aggregation request as one query tree: query AND filters AND time range. */
export function requestFilter(
  req: { query?: string; filters?: readonly QueryNode[]; range?: { from?: string; to?: string } },
  now: Date = new Date(),
): QueryNode {
  const nodes: QueryNode[] = [compileQuery(req.query, now), ...(req.filters ?? [])];
  if (req.range?.from || req.range?.to) {
    nodes.push({
      type: 'date_range',
      field: '@timestamp',
      ...(req.range.from ? { gte: resolveDate(req.range.from, now, 'range.from') } : {}),
      ...(req.range.to ? { lt: resolveDate(req.range.to, now, 'range.to') } : {}),
    });
  }
  return and(...nodes);
}

export const MAX_RESULT_WINDOW = 10_000;

export function checkPaging(size: number, offset?: number, after?: string): void {
  if (!Number.isInteger(size) || size < 1 || size > MAX_RESULT_WINDOW)
    throw new CitySocError('INPUT_INVALID', `size ${size} is out of range: expected an integer 1..${MAX_RESULT_WINDOW}`);
  if (offset !== undefined) {
    if (!Number.isInteger(offset) || offset < 0) throw new CitySocError('INPUT_INVALID', `offset ${offset} is invalid: expected an integer ≥ 0`);
    if (offset + size > MAX_RESULT_WINDOW)
      throw new CitySocError('INPUT_INVALID', `offset + size = ${offset + size} exceeds ${MAX_RESULT_WINDOW}: use the cursor (after) for deep paging`);
    if (after !== undefined && offset > 0)
      throw new CitySocError('INPUT_INVALID', 'offset and after cannot be combined: the cursor already says where the page starts');
  }
}

export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, n: number): unknown[] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === n) return v;
  } catch {
    // fall through to the error below
  }
  throw new CitySocError('INPUT_INVALID', 'cursor is not valid for this sort: pass back nextCursor from the previous page unchanged');
}

/** Buckets a date histogram may have, empty ones included (Elasticsearch's search.max_buckets is 65,536). */
export const MAX_BUCKETS = 10_000;

/** Refuses a histogram whose span would need more buckets than the limit, before any is built. */
export function checkHistogramSpan(firstKey: number, lastKey: number, step: number, max = MAX_BUCKETS): void {
  const n = Math.floor((lastKey - firstKey) / step) + 1;
  if (n > max)
    throw new CitySocError(
      'LIMIT_EXCEEDED',
      `date_histogram: ${n} buckets of ${step / 1000} s between ${new Date(firstKey).toISOString()} and ${new Date(lastKey).toISOString()} exceed the limit of ${max}; choose a larger interval or a narrower time range`,
      { limit: max },
    );
}

/**
 * Whether the request's own time range already bounds an @timestamp histogram within the bucket
 * limit: both ends given and few enough buckets between them. The store can then skip reading the
 * matches' first and last time to check the span (a pass over every match); `now` must be the one
 * the request's filter was resolved with.
 */
export function rangeBoundsHistogram(range: { from?: string; to?: string } | undefined, step: number, now: Date, max = MAX_BUCKETS): boolean {
  if (!range?.from || !range.to) return false;
  const lo = resolveDate(range.from, now, 'range.from');
  const hi = resolveDate(range.to, now, 'range.to');
  if (hi <= lo) return true; // nothing can match
  // Keys of the first and last bucket an event in [lo, hi) can fall in.
  return Math.floor((Math.floor((hi - 1) / step) * step - Math.floor(lo / step) * step) / step) + 1 <= max;
}

/** Refuses a sort key or aggregation field that is not a well-formed field name. */
export function checkFieldName(field: string, where: string): void {
  const problem = fieldNameProblem(field);
  if (problem)
    throw new CitySocError('INPUT_INVALID', `${where}: field '${field.length > 64 ? `${field.slice(0, 64)}…` : field}' ${problem}`, { field: where });
}

/** Date histograms list empty buckets between the first and the last, as Elasticsearch does. */
export function fillHistogram(buckets: Bucket[], step: number): Bucket[] {
  if (buckets.length === 0) return [];
  const byKey = new Map(buckets.map((b) => [Number(b.key), b.count]));
  const first = Number(buckets[0]!.key);
  const last = Number(buckets[buckets.length - 1]!.key);
  checkHistogramSpan(first, last, step);
  const out: Bucket[] = [];
  for (let k = first; k <= last; k += step) out.push({ key: k, count: byKey.get(k) ?? 0 });
  return out;
}
