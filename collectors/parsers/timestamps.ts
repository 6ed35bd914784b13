/** Turns the many date spellings of log formats into ISO 8601 with an explicit offset. */
import { formatOffset, inferYear, offsetOfAbbreviation, wallOffsetMinutes, zoneOf } from './local-time';
import type { ParseContext } from './source';

const MONTHS: Readonly<Record<string, number>> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

export function monthNumber(name: string): number | undefined {
  return MONTHS[name.slice(0, 3).toLowerCase()];
}

/** "+08:00", "+0800", "+08", "Z", "UTC" → "+08:00" | "Z"; undefined when unrecognised. */
export function normalizeOffset(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const s = raw.trim();
  if (s === 'Z' || /^(UTC|GMT)$/i.test(s)) return 'Z';
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(s);
  if (!m) return undefined;
  const off = `${m[1]}${m[2]}:${m[3] ?? '00'}`;
  return off === '+00:00' || off === '-00:00' ? 'Z' : off;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Wall-clock parts as written in the log, kept in their own offset (not shifted to UTC) so the
 * ISO string reads like the line. Undefined when a part is out of range.
 */
export function isoFromParts(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  fraction: string | undefined,
  offset: string,
): string | undefined {
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  const ms = (fraction ?? '').padEnd(3, '0').slice(0, 3);
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(second)}.${ms}${offset}`;
}

/**
 * A wall-clock time written without an offset, in the context's local zone (the configured one,
 * else the host's), with the offset that zone had at that time.
 */
export function localIso(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  fraction: string | undefined,
  ctx: ParseContext,
): string | undefined {
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  if (!Number.isFinite(wall)) return undefined;
  return isoFromParts(year, month, day, hour, minute, second, fraction, formatOffset(wallOffsetMinutes(zoneOf(ctx.timeZone), wall)));
}

/** A date written without a year ("Dec 31 23:59:59"): its year by the one rule (local-time.ts inferYear). */
export function isoWithoutYear(
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  fraction: string | undefined,
  ctx: ParseContext,
): string | undefined {
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  const year = inferYear(month, day, hour, minute, Math.min(second, 59), ctx.receivedAt, zoneOf(ctx.timeZone));
  return localIso(year, month, day, hour, minute, second, fraction, ctx);
}

/**
 * An offset as written after a time: numeric, Z/UTC/GMT, or a zone abbreviation (PostgreSQL's
 * "CST"); undefined when it is none of those.
 */
export function offsetAfterTime(raw: string, wallMs: number, ctx: ParseContext): string | undefined {
  return normalizeOffset(raw) ?? offsetOfAbbreviation(raw, wallMs, zoneOf(ctx.timeZone));
}

const YMD_HMS = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?\s*(Z|[+-]\d{2}:?\d{2}|[+-]\d{2}|[A-Z]{3,4})?$/i;

/** "2015-10-18 18:01:47,978", "2016-05-04T13:10:38 UTC", "2023-01-01T10:00:00.123+08:00", "2024-03-01 18:00:00 CST". */
export function isoFromYmd(raw: string, ctx: ParseContext): string | undefined {
  const m = YMD_HMS.exec(raw.trim());
  if (!m) return undefined;
  if (m[8] === undefined) return localIso(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +m[6]!, m[7], ctx);
  const offset = offsetAfterTime(m[8], Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!), ctx);
  if (offset === undefined) return undefined;
  return isoFromParts(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +m[6]!, m[7], offset);
}

const MAX_DATE_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const MIN_DATE_MS = 0;

/** Seconds or milliseconds since the epoch, as numbers or strings ("1364481363.243"). */
export function isoFromEpoch(raw: number | string): string | undefined {
  const n = typeof raw === 'number' ? raw : /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(n)) return undefined;
  const ms = n > 1e11 ? n : n * 1000;
  const d = new Date(Math.round(ms));
  // ISO 8601 without the extended-year sign: years 0000-9999, what every store's date type reads.
  return Number.isNaN(d.getTime()) || d.getTime() > MAX_DATE_MS || d.getTime() < MIN_DATE_MS ? undefined : d.toISOString();
}

/** Any of the above, for JSON sources whose producers disagree on the time format. */
export function isoFromAny(raw: unknown, ctx: ParseContext): string | undefined {
  if (typeof raw === 'number') return isoFromEpoch(raw);
  if (typeof raw !== 'string') return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return isoFromEpoch(raw);
  return isoFromYmd(raw, ctx);
}
