/**
 * What each user usually does, for peer groups and peer comparison: per modelled feature how many
 * active hours had it at all and how large it was when it did (in the feature's scale), the hours
 * of day they are active, and the datasets they use. Counts decay exponentially with a half-life
 * of half the look-back, so a profile is a fixed handful of numbers per user however long it runs.
 */
import type { UebaConfig } from '../config';
import { modeled, USER, type FeatureDef } from '../features/definitions';
import { scaled } from '../engine/baseline';
import type { HourRow, UserDatasetHour } from '../engine/rows';

const DAY = 86_400_000;

export class UserProfile {
  department: string | null = null;
  role: string | null = null;
  /** Decayed counts, as of `at`. */
  at = 0;
  rows = 0;
  readonly nz: Float64Array;
  readonly nzSum: Float64Array;
  readonly nzSumSq: Float64Array;
  readonly hours = new Float64Array(24);
  readonly datasets = new Map<string, number>();

  constructor(width: number) {
    this.nz = new Float64Array(width);
    this.nzSum = new Float64Array(width);
    this.nzSumSq = new Float64Array(width);
  }

  decayTo(t: number, halfLifeMs: number): void {
    if (t <= this.at) return;
    const f = Math.pow(0.5, (t - this.at) / halfLifeMs);
    this.at = t;
    if (f === 1) return;
    this.rows *= f;
    for (const a of [this.nz, this.nzSum, this.nzSumSq, this.hours]) for (let i = 0; i < a.length; i++) a[i]! *= f;
    for (const [k, v] of this.datasets) {
      const x = v * f;
      if (x < 0.01) this.datasets.delete(k);
      else this.datasets.set(k, x);
    }
  }
}

export class ProfileStore {
  readonly users = new Map<string, UserProfile>();
  /** Users whose profile changed since the last takeDirty(). */
  readonly dirty = new Set<string>();
  readonly features: readonly FeatureDef[];
  private readonly halfLife: number;
  private readonly off: number;

  constructor(
    cfg: UebaConfig,
    readonly offsetMs: number,
  ) {
    this.features = modeled(USER);
    this.halfLife = (cfg.peers.lookbackDays / 2) * DAY;
    this.off = offsetMs;
  }

  private profile(user: string): UserProfile {
    let p = this.users.get(user);
    if (!p) this.users.set(user, (p = new UserProfile(this.features.length)));
    this.dirty.add(user);
    return p;
  }

  addRow(row: HourRow): void {
    if (row.entityType !== 'user') return;
    const p = this.profile(row.entity);
    p.decayTo(row.hour, this.halfLife);
    if (row.department) p.department = row.department;
    if (row.role) p.role = row.role;
    p.rows++;
    this.features.forEach((f, i) => {
      const x = row.values[f.name] ?? 0;
      if (x <= 0) return;
      const v = scaled(f.model!.scale, x);
      p.nz[i]!++;
      p.nzSum[i]! += v;
      p.nzSumSq[i]! += v * v;
    });
    p.hours[new Date(row.hour + this.off).getUTCHours()]!++;
  }

  addDatasetHour(d: UserDatasetHour): void {
    const p = this.profile(d.user);
    p.decayTo(d.hour, this.halfLife);
    p.datasets.set(d.dataset, (p.datasets.get(d.dataset) ?? 0) + d.events);
  }

  /** Every profile brought to time t (for a recomputation). */
  settle(t: number): void {
    for (const [u, p] of this.users) {
      p.decayTo(t, this.halfLife);
      this.dirty.add(u);
    }
  }

  featureIndex(name: string): number {
    return this.features.findIndex((f) => f.name === name);
  }
}
