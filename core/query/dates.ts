import { CitySocError } from '../errors';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Resolves a date in a query: ISO 8601, epoch milliseconds, or date math relative to now
 * (`now`, `now-15m`, `now+1d`). A date without a time is UTC midnight.
 */
export function resolveDate(value: string, now: Date, field: string): number {
  const math = /^now(?:([+-])(\d+)([smhdw]))?$/.exec(value);
  if (math) {
    if (!math[1]) return now.getTime();
    const delta = Number(math[2]) * UNIT_MS[math[3]!]!;
    return math[1] === '+' ? now.getTime() + delta : now.getTime() - delta;
  }
  if (/^\d{10,}$/.test(value)) return Number(value);
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(ms)) {
    throw new CitySocError('QUERY_FIELD', `${field} is a date; '${value}' is not (use ISO 8601 such as 2026-01-31T08:00:00Z, epoch milliseconds, or now-15m)`, {
      field,
      value,
    });
  }
  return ms;
}

export function isDayOnly(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value);
}

export const DAY_MS = 86_400_000;

export function intervalMs(interval: string): number {
  const m = /^(\d+)([smhd])$/.exec(interval);
  if (!m || Number(m[1]) <= 0)
    throw new CitySocError('INPUT_INVALID', `interval '${interval}' is not valid: expected a positive number followed by s, m, h or d (e.g. 5m, 1h, 1d)`, {
      interval,
    });
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}
