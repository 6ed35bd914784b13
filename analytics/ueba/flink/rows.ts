/**
 * Flink's output rows (JSON records of the sinks compiled in compile.ts) read back into the shapes
 * the embedded engine produces, so the rest of UEBA — and the differential test — treats both alike.
 */
import { offsetMs } from '../config';
import { modeled, type EntitySet } from '../features/definitions';
import type { FeatureStats, FirstSeenRow, HourRow, UserDatasetHour } from '../engine/rows';

/** A window bound as Flink prints it ("2026-06-01 09:00:00" or with ".000"), in the session's zone. */
export function flinkLocalTime(s: string, utcOffset: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?/.exec(s);
  if (!m) throw new Error(`not a Flink timestamp: ${JSON.stringify(s)}`);
  const utc = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, m[7] ? +m[7].padEnd(3, '0') : 0);
  return utc - offsetMs(utcOffset);
}

const num = (x: unknown): number => (typeof x === 'number' ? x : Number(x));
const str = (x: unknown): string | null => (typeof x === 'string' ? x : null);

export function hourRowFromFlink(set: EntitySet, r: Record<string, unknown>, utcOffset: string): HourRow {
  const values: Record<string, number> = {};
  for (const f of set.features) values[f.name] = num(r[`f_${f.name}`]);
  const stats: Record<string, FeatureStats | null> = {};
  const flagged: string[] = [];
  for (const f of modeled(set)) {
    const z = r[`z_${f.name}`];
    stats[f.name] = z === null || z === undefined ? null : { mean: num(r[`mean_${f.name}`]), std: num(r[`std_${f.name}`]), z: num(z) };
    if (r[`a_${f.name}`] === true) flagged.push(f.name);
  }
  return {
    entityType: set.entity,
    entity: String(r.entity),
    hour: flinkLocalTime(String(r.hour), utcOffset),
    hourOfWeek: num(r.hour_of_week),
    department: str(r.department),
    role: str(r.role),
    values,
    nPrev: num(r.n_prev),
    stats,
    flagged,
    gapHours: num(r.gap_hours),
    dormant: r.dormant === true,
    nearPrior: num(r.near_prior),
    rareHour: r.rare_hour === true,
  };
}

export function firstSeenFromFlink(r: Record<string, unknown>, utcOffset: string): FirstSeenRow {
  return {
    entity: String(r.entity),
    kind: String(r.kind),
    value: String(r.val),
    hour: flinkLocalTime(String(r.hour), utcOffset),
    firstActive: flinkLocalTime(String(r.first_active), utcOffset),
    classification: str(r.classification),
  };
}

export function userDatasetHourFromFlink(r: Record<string, unknown>, utcOffset: string): UserDatasetHour {
  return { user: String(r.entity), dataset: String(r.dataset), hour: flinkLocalTime(String(r.hour), utcOffset), events: num(r.events) };
}
