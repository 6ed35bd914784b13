/**
 * The local zone of lines that carry none, and the year of lines that carry none: one rule for
 * every command (parse, ingest, detect) and the gateway.
 *
 * Zones are IANA names ("Asia/Shanghai") or fixed offsets ("+08:00", "Z"); the default is the
 * host's zone. Offsets come from the runtime's own time-zone database (Intl, ICU), so daylight
 * saving is right wherever a zone has it; the lookup is cached per quarter hour of UTC time,
 * because it runs for every line.
 */
export type Zone = { readonly kind: 'fixed'; readonly minutes: number } | { readonly kind: 'iana'; readonly name: string };

const FIXED = /^(?:Z|UTC|GMT|([+-])(\d{2}):?(\d{2})?)$/i;

let hostZone: string | undefined;

/** The host's zone (TZ, else the system's), as Node reports it at the first call. */
export function hostTimeZone(): string {
  // Asking Intl builds a formatter (tens of microseconds): once per process, not once per line.
  return (hostZone ??= Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
}

/**
 * A zone whose offset has not changed since 1970 (UTC, Asia/Kolkata) is a fixed offset: no
 * lookups per line. Probed in January and July of each year to 2037. (Asia/Shanghai is not one:
 * China had daylight saving time from 1986 to 1991.)
 */
function constantOffset(name: string): number | undefined {
  const first = ianaOffsetMinutes(name, Date.UTC(1970, 0, 15));
  for (let y = 1970; y <= 2037; y++) {
    if (ianaOffsetMinutes(name, Date.UTC(y, 0, 15)) !== first || ianaOffsetMinutes(name, Date.UTC(y, 6, 15)) !== first) return undefined;
  }
  return first;
}

/** Undefined when the name is neither an offset nor a zone the runtime knows. */
export function parseZone(name: string): Zone | undefined {
  const f = FIXED.exec(name.trim());
  if (f) {
    if (f[1] === undefined) return { kind: 'fixed', minutes: 0 };
    const h = Number(f[2]);
    const m = Number(f[3] ?? '0');
    if (h > 14 || m > 59) return undefined;
    return { kind: 'fixed', minutes: (f[1] === '-' ? -1 : 1) * (h * 60 + m) };
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return { kind: 'iana', name };
  } catch {
    return undefined;
  }
}

const zones = new Map<string, Zone>();
const formatters = new Map<string, Intl.DateTimeFormat>();
const offsets = new Map<string, Map<number, number>>();
const QUARTER_HOUR = 15 * 60_000;

/** The zone for a context's setting; an unknown name falls back to UTC (config validation refuses it first). */
export function zoneOf(name: string | undefined): Zone {
  const key = name ?? hostTimeZone();
  let z = zones.get(key);
  if (!z) {
    z = parseZone(key) ?? { kind: 'fixed', minutes: 0 };
    if (z.kind === 'iana') {
      const fixed = constantOffset(z.name);
      if (fixed !== undefined) z = { kind: 'fixed', minutes: fixed };
    }
    zones.set(key, z);
  }
  return z;
}

function ianaOffsetMinutes(name: string, utcMs: number): number {
  let cache = offsets.get(name);
  if (!cache) offsets.set(name, (cache = new Map()));
  const bucket = Math.floor(utcMs / QUARTER_HOUR);
  const hit = cache.get(bucket);
  if (hit !== undefined) return hit;
  let f = formatters.get(name);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(name, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(bucket * QUARTER_HOUR))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!);
  const minutes = Math.round((wall - bucket * QUARTER_HOUR) / 60_000);
  if (cache.size > 50_000) cache.clear();
  cache.set(bucket, minutes);
  return minutes;
}

/** Minutes east of UTC in this zone at this instant. */
export function offsetMinutesAt(zone: Zone, utcMs: number): number {
  return zone.kind === 'fixed' ? zone.minutes : ianaOffsetMinutes(zone.name, utcMs);
}

/** Minutes east of UTC of a wall-clock time (written as if it were UTC) in this zone. */
export function wallOffsetMinutes(zone: Zone, wallMs: number): number {
  if (zone.kind === 'fixed') return zone.minutes;
  return offsetMinutesAt(zone, wallMs - offsetMinutesAt(zone, wallMs) * 60_000);
}

export function formatOffset(minutes: number): string {
  if (minutes === 0) return 'Z';
  const a = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/**
 * Zone abbreviations as PostgreSQL's %t and many Java layouts print them. Some mean different
 * offsets in different places (CST: China, US Central, Cuba); the one that agrees with the
 * configured zone at that time wins, else the first, which is what they mean to this city's users.
 */
const ABBREVIATIONS: Readonly<Record<string, readonly number[]>> = {
  CST: [480, -360, -300],
  HKT: [480],
  SGT: [480],
  AWST: [480],
  JST: [540],
  KST: [540],
  IST: [330, 60, 120],
  EST: [-300],
  EDT: [-240],
  CDT: [-300],
  MST: [-420],
  MDT: [-360],
  PST: [-480],
  PDT: [-420],
  CET: [60],
  CEST: [120],
  MSK: [180],
};

/** The offset a zone abbreviation stands for at this wall time, or undefined when unknown. */
export function offsetOfAbbreviation(abbreviation: string, wallMs: number, configured: Zone): string | undefined {
  const upper = abbreviation.toUpperCase();
  if (upper === 'UTC' || upper === 'GMT' || upper === 'Z') return 'Z';
  const candidates = ABBREVIATIONS[upper];
  if (!candidates) return undefined;
  const local = wallOffsetMinutes(configured, wallMs);
  return formatOffset(candidates.includes(local) ? local : candidates[0]!);
}

/**
 * Clock skew allowed between the sender and us: a line stamped a little after we received it
 * (the sender's clock runs ahead) is this year's, not last year's.
 */
export const YEAR_SKEW_MS = 86_400_000;

/**
 * The year of a date written without one (BSD syslog "Dec 31 23:59:59"): the most recent such
 * date not after the reference time (when the line was shipped or received), as rsyslog and
 * Logstash read them, allowing YEAR_SKEW_MS of clock skew. A Dec line received in January is
 * last year's; Feb 29 goes back to the last leap year.
 */
export function inferYear(month: number, day: number, hour: number, minute: number, second: number, reference: Date, zone: Zone): number {
  const ref = reference.getTime();
  const localRefYear = new Date(ref + offsetMinutesAt(zone, ref) * 60_000).getUTCFullYear();
  for (let y = localRefYear + 1; y >= localRefYear - 8; y--) {
    const wall = Date.UTC(y, month - 1, day, hour, minute, second);
    if (new Date(wall).getUTCDate() !== day) continue; // Feb 29 of a common year
    const utc = wall - wallOffsetMinutes(zone, wall) * 60_000;
    if (utc <= ref + YEAR_SKEW_MS) return y;
  }
  return localRefYear;
}
