/**
 * What both engines produce, in one shape: an entity's features for one active hour with the
 * baseline they were judged against, a user's first contact with a value, and a user's use of a
 * dataset per hour (what peer groups are built from). Anomalies are read off these rows by one
 * function, so embedded and Flink output mean the same thing.
 */
import { signalId } from '../../../core/signal';
import { CLASSIFICATION_RANK, type EntityType } from '../features/definitions';

export interface FeatureStats {
  /** Mean and standard deviation (after the floor) of the previous rows, in the feature's scale. */
  readonly mean: number;
  readonly std: number;
  readonly z: number;
}

export interface HourRow {
  readonly entityType: EntityType;
  readonly entity: string;
  /** Start of the hour, epoch ms. */
  readonly hour: number;
  /** Hour of the week in the city's time, Monday 00:00 = 0. */
  readonly hourOfWeek: number;
  readonly department: string | null;
  /** A user's role (users only). */
  readonly role: string | null;
  /** Every feature's value in this hour, by name. */
  readonly values: Readonly<Record<string, number>>;
  /** Rows the baseline was made of (at most the window). */
  readonly nPrev: number;
  /** Modelled features' baseline and z-score; null before the baseline has enough rows. */
  readonly stats: Readonly<Record<string, FeatureStats | null>>;
  /** Modelled features whose z-score reached the threshold. */
  readonly flagged: readonly string[];
  /** Hours since the previous active hour (0 for the first). */
  readonly gapHours: number;
  readonly dormant: boolean;
  /** Previous rows at this hour of the day ±1 h, same kind of day (weekday or weekend). */
  readonly nearPrior: number;
  readonly rareHour: boolean;
}

export interface FirstSeenRow {
  readonly entity: string;
  readonly kind: string;
  readonly value: string;
  readonly hour: number;
  /** The hour of the user's first activity. */
  readonly firstActive: number;
  /** For datasets: its classification. */
  readonly classification: string | null;
}

export interface UserDatasetHour {
  readonly user: string;
  readonly dataset: string;
  /** Start of the hour, epoch ms. */
  readonly hour: number;
  readonly events: number;
}

/**
 * numeric, rare_hour, dormant and first_seen come from the engines' rows; frequency from the
 * daily comparison of users' habits with their peers' (doing something on many more days).
 */
export type AnomalyKind = 'numeric' | 'rare_hour' | 'dormant' | 'first_seen' | 'frequency';

export interface Anomaly {
  /** Deterministic: the same entity, hour and feature always give the same id. */
  readonly id: string;
  readonly entityType: EntityType;
  readonly entity: string;
  readonly department: string | null;
  readonly hour: number;
  /** Event time it was seen (the event that crossed the threshold, or the hour for rows read back). */
  readonly at: number;
  readonly kind: AnomalyKind;
  /** The feature name; `hour_of_week`, `idle_hours` or `new_<kind>` for the others. */
  readonly feature: string;
  readonly observed: number | string;
  readonly baseline?: { readonly mean: number; readonly std: number; readonly n: number; readonly z: number };
  /** The new value of a first-seen anomaly. */
  readonly value?: string;
  readonly classification?: string;
  /** Events that made it (embedded engine only; Flink rows do not carry them). */
  readonly eventIds: readonly string[];
  /**
   * Read off a closed hour (its final value); absent when reported early by the event that
   * crossed the threshold. The same anomaly may come both ways, with the same id.
   */
  readonly final?: boolean;
}

export function anomalyId(entityType: EntityType, entity: string, hour: number, feature: string, value = ''): string {
  return signalId('ueba-anomaly', entityType, entity, String(hour), feature, value);
}

export const RARE_HOUR = 'hour_of_week';
export const IDLE = 'idle_hours';

/** The classification a `max_classification` rank stands for. */
export function classificationOfRank(rank: number | undefined): string | undefined {
  return rank === undefined ? undefined : Object.entries(CLASSIFICATION_RANK).find(([, r]) => r === rank)?.[0];
}

/** The anomalies a closed row holds. */
export function anomaliesOfRow(row: HourRow): Anomaly[] {
  const classification = classificationOfRank(row.values.max_classification);
  const base = {
    entityType: row.entityType,
    entity: row.entity,
    department: row.department,
    hour: row.hour,
    at: row.hour,
    eventIds: [] as string[],
    final: true,
    ...(classification ? { classification } : {}),
  };
  const out: Anomaly[] = [];
  if (row.dormant) out.push({ ...base, id: anomalyId(row.entityType, row.entity, row.hour, IDLE), kind: 'dormant', feature: IDLE, observed: row.gapHours });
  if (row.rareHour)
    out.push({ ...base, id: anomalyId(row.entityType, row.entity, row.hour, RARE_HOUR), kind: 'rare_hour', feature: RARE_HOUR, observed: row.hourOfWeek });
  for (const f of row.flagged) {
    const s = row.stats[f]!;
    out.push({
      ...base,
      id: anomalyId(row.entityType, row.entity, row.hour, f),
      kind: 'numeric',
      feature: f,
      observed: row.values[f]!,
      baseline: { mean: s.mean, std: s.std, n: row.nPrev, z: s.z },
    });
  }
  return out;
}

export function anomalyOfFirstSeen(r: FirstSeenRow, department: string | null = null): Anomaly {
  const feature = `new_${r.kind}`;
  return {
    id: anomalyId('user', r.entity, r.hour, feature, r.value),
    entityType: 'user',
    entity: r.entity,
    department,
    hour: r.hour,
    at: r.hour,
    kind: 'first_seen',
    feature,
    observed: r.value,
    value: r.value,
    ...(r.classification ? { classification: r.classification } : {}),
    eventIds: [],
    final: true,
  };
}
