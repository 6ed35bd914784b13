// Correlation conditions (gt/gte/lt/lte/eq/neq, several are AND-ed) and whether a condition can
// be decided before its window closes: a count that only grows can fire as soon as it crosses a
// lower bound, but "fewer than", "exactly" or an average is only known once the window is over.
import type { CorrelationCondition, CorrelationType } from '../sigma/model';

export function satisfies(value: number, c: CorrelationCondition | undefined): boolean {
  if (!c) return true;
  if (c.gt !== undefined && !(value > c.gt)) return false;
  if (c.gte !== undefined && !(value >= c.gte)) return false;
  if (c.lt !== undefined && !(value < c.lt)) return false;
  if (c.lte !== undefined && !(value <= c.lte)) return false;
  if (c.eq !== undefined && !(value === c.eq)) return false;
  if (c.neq !== undefined && !(value !== c.neq)) return false;
  return true;
}

const hasUpperBound = (c: CorrelationCondition | undefined): boolean =>
  c !== undefined && (c.lt !== undefined || c.lte !== undefined || c.eq !== undefined || c.neq !== undefined);

/**
 * 'eager': evaluated on every arrival over a sliding window; 'on-close': evaluated once per
 * window when event time passes its end. value_sum is treated as growing (amounts are
 * non-negative: bytes, records); average and percentile never are.
 */
export function evaluationMode(type: CorrelationType, c: CorrelationCondition | undefined): 'eager' | 'on-close' {
  if (type === 'temporal_ordered') return 'eager';
  if (type === 'value_avg' || type === 'value_percentile') return 'on-close';
  return hasUpperBound(c) ? 'on-close' : 'eager';
}
