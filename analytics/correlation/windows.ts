// Window arithmetic over one group's entries (sorted by event time). Pure functions, so the
// engine's bookkeeping (lateness, eviction, snapshots) stays apart from what a type means.
import type { CorrelationCondition, CorrelationType } from '../sigma/model';
import { satisfies } from './threshold';

/** One matched event in a group: time, index of the referenced rule, value for value_* types, event id. */
export interface Entry {
  t: number;
  r: number;
  v?: string;
  n?: number;
  id?: string;
}

export interface WindowSpec {
  type: CorrelationType;
  spanMs: number;
  condition?: CorrelationCondition;
  /** How many rules the correlation references (temporal types need all of them by default). */
  ruleCount: number;
}

/** Entries from..to (inclusive) form the window that satisfied the condition with this value. */
export interface WindowHit {
  from: number;
  to: number;
  value: number;
}

/** Temporal types without a condition require every referenced rule. */
function effectiveCondition(spec: WindowSpec): CorrelationCondition | undefined {
  if ((spec.type === 'temporal' || spec.type === 'temporal_ordered') && !spec.condition) return { gte: spec.ruleCount };
  return spec.condition;
}

/**
 * The earliest-ending window of at most spanMs that contains the entry at time `pivot` and
 * satisfies the condition (sliding windows: no static boundaries, as the spec recommends).
 */
export function eagerHit(spec: WindowSpec, entries: readonly Entry[], pivot: number): WindowHit | undefined {
  if (spec.type === 'temporal_ordered') return orderedHit(spec, entries, pivot);
  const cond = effectiveCondition(spec);
  const lo = lowerBound(entries, pivot - spec.spanMs);
  const counts = new Map<string | number, number>();
  let sum = 0;
  let i = lo;
  for (let j = lo; j < entries.length; j++) {
    const e = entries[j] as Entry;
    if (e.t > pivot + spec.spanMs) break;
    add(spec.type, e, counts, 1);
    sum += e.n ?? 0;
    while (e.t - (entries[i] as Entry).t > spec.spanMs) {
      const old = entries[i] as Entry;
      add(spec.type, old, counts, -1);
      sum -= old.n ?? 0;
      i++;
    }
    if ((entries[i] as Entry).t > pivot || e.t < pivot) continue;
    const value = spec.type === 'event_count' ? j - i + 1 : spec.type === 'value_sum' ? sum : counts.size;
    if (satisfies(value, cond)) return { from: i, to: j, value };
  }
  return undefined;
}

function add(type: CorrelationType, e: Entry, counts: Map<string | number, number>, delta: number): void {
  const key = type === 'value_count' ? e.v : type === 'temporal' ? e.r : undefined;
  if (key === undefined) return;
  const n = (counts.get(key) ?? 0) + delta;
  if (n === 0) counts.delete(key);
  else counts.set(key, n);
}

/** The referenced rules matched in the order listed, all within spanMs, with the pivot entry part of the chain's span. */
function orderedHit(spec: WindowSpec, entries: readonly Entry[], pivot: number): WindowHit | undefined {
  const lo = lowerBound(entries, pivot - spec.spanMs);
  for (let i = lo; i < entries.length; i++) {
    const start = entries[i] as Entry;
    if (start.t > pivot) break;
    if (start.r !== 0) continue;
    let want = 1;
    let j = i;
    for (let k = i + 1; k < entries.length && want < spec.ruleCount; k++) {
      const e = entries[k] as Entry;
      if (e.t - start.t > spec.spanMs) break;
      if (e.r === want) {
        want++;
        j = k;
      }
    }
    if (want === spec.ruleCount && (entries[j] as Entry).t >= pivot) return { from: i, to: j, value: spec.ruleCount };
  }
  return undefined;
}

/**
 * The value of a closed window (entries already restricted to it) if it satisfies the condition.
 * value_percentile: the share (percent) of the window's events that carry one value of the
 * field; the window fires when some value's share satisfies the condition (the spec's example:
 * a process name seen in at most 1% of a host's process starts). The rarest qualifying share is reported.
 */
export function closedValue(spec: WindowSpec, window: readonly Entry[]): number | undefined {
  if (window.length === 0) return undefined;
  const cond = effectiveCondition(spec);
  const numbers = window.flatMap((e) => (e.n === undefined ? [] : [e.n]));
  switch (spec.type) {
    case 'event_count':
      return check(window.length, cond);
    case 'value_count':
      return check(new Set(window.flatMap((e) => (e.v === undefined ? [] : [e.v]))).size, cond);
    case 'temporal':
      return check(new Set(window.map((e) => e.r)).size, cond);
    case 'temporal_ordered':
      return eagerHit(spec, window, (window[window.length - 1] as Entry).t)?.value;
    case 'value_sum':
      return check(
        numbers.reduce((a, b) => a + b, 0),
        cond,
      );
    case 'value_avg':
      return numbers.length === 0 ? undefined : check(numbers.reduce((a, b) => a + b, 0) / numbers.length, cond);
    case 'value_percentile': {
      const counts = new Map<string, number>();
      for (const e of window) if (e.v !== undefined) counts.set(e.v, (counts.get(e.v) ?? 0) + 1);
      const shares = [...counts.values()].map((c) => (100 * c) / window.length).sort((a, b) => a - b);
      return shares.find((s) => satisfies(s, cond));
    }
  }
}

const check = (value: number, cond: CorrelationCondition | undefined): number | undefined => (satisfies(value, cond) ? value : undefined);

/** First index whose time is >= t (entries sorted by time). */
export function lowerBound(entries: readonly Entry[], t: number): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((entries[mid] as Entry).t < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index to insert at so entries stay sorted by time and arrival order among equal times. */
export function insertionPoint(entries: readonly Entry[], t: number): number {
  let i = entries.length;
  while (i > 0 && (entries[i - 1] as Entry).t > t) i--;
  return i;
}
