import { CitySocError } from '../errors';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Resolves a date in a query: ISO 8601, epoch milliseconds, or date math relative to now
 * (`now`, `now-15m`, `now+1d`, `now-3M`, `now-2y`; months and years are calendar months and
 * years in UTC, as in Elasticsearch). A date without a time is UTC midnight.
 */
export function resolveDate(value: string, now: Date, field: string): number {
  const math = /^now(?:([+-])(\d{1,9})([smhdwMy]))?$/.exec(value);
  if (math) {
    if (!math[1]) return now.getTime();
    const n = Number(math[2]) * (math[1] === '+' ? 1 : -1);
    const unit = math[3]!;
    if (unit === 'M' || unit === 'y') {
      const d = new Date(now.getTime());
      d.setUTCMonth(d.getUTCMonth() + (unit === 'y' ? 12 * n : n));
      return d.getTime();
    }
    return now.getTime() + n * UNIT_MS[unit]!;
  }
  if (/^\d{10,}$/.test(value)) return Number(value);
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(ms)) {
    throw new CitySocError(
      'QUERY_FIELD',
      `${field} is a date; '${value}' is not (use ISO 8601 such as 2026-01-31T08:00:00Z, epoch milliseconds, or date math such as now-15m, now-7d, now-3M, now-1y)`,
      {
        field,
        value,
      },
    );
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
