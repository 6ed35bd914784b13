/**
 * An entity's baseline: its last `window` active hours, kept as the modelled features' values (in
 * their scale), running sums and sums of squares, and how many of those hours fell in each
 * (weekday|weekend) × hour-of-day bin. This is exactly what Flink's
 * `ROWS BETWEEN <window> PRECEDING AND CURRENT ROW` aggregates see, minus the current row.
 * State: window × features doubles plus fixed sums; see bench/ueba.ts for bytes per entity-feature.
 */
import type { FeatureStats } from './rows';

export const BINS = 48;

/** ln(1 + x) for volumes, x for small counts: the same expression Flink evaluates (LN(1 + x)). */
export function scaled(scale: 'log' | 'linear', x: number): number {
  return scale === 'log' ? Math.log(1 + x) : x;
}

/** Mean and floored standard deviation of n values from their sum and sum of squares, and v's z-score. */
export function statsOf(n: number, sum: number, sumsq: number, v: number, minStd: number): FeatureStats {
  const mean = sum / n;
  const variance = sumsq / n - mean * mean;
  const std = Math.max(Math.sqrt(Math.max(variance, 0)), minStd);
  return { mean, std, z: (v - mean) / std };
}

/** 0–23 on weekdays, 24–47 on Saturdays and Sundays. */
export function binOf(weekend: boolean, hourOfDay: number): number {
  return (weekend ? 24 : 0) + hourOfDay;
}

/** Previous hours in the bin and its two neighbours of the same kind of day. */
export function nearCount(bins: ArrayLike<number>, bin: number): number {
  const base = bin >= 24 ? 24 : 0;
  const h = bin - base;
  return bins[base + ((h + 23) % 24)]! + bins[bin]! + bins[base + ((h + 1) % 24)]!;
}

export interface PendingRow {
  readonly v: Float64Array;
  readonly bin: number;
}

export class Baseline {
  readonly ring: Float64Array;
  readonly ringBin: Uint8Array;
  head = 0;
  count = 0;
  readonly sums: Float64Array;
  readonly sumsq: Float64Array;
  readonly bins = new Uint16Array(BINS);

  constructor(
    readonly window: number,
    readonly width: number,
  ) {
    this.ring = new Float64Array(window * width);
    this.ringBin = new Uint8Array(window);
    this.sums = new Float64Array(width);
    this.sumsq = new Float64Array(width);
  }

  /** Appends a closed row, dropping the oldest once the window is full. */
  push(v: Float64Array, bin: number): void {
    const w = this.width;
    if (this.count === this.window) {
      const old = this.head * w;
      for (let i = 0; i < w; i++) {
        const x = this.ring[old + i]!;
        this.sums[i]! -= x;
        this.sumsq[i]! -= x * x;
      }
      this.bins[this.ringBin[this.head]!]!--;
    } else this.count++;
    const at = this.head * w;
    for (let i = 0; i < w; i++) {
      const x = v[i]!;
      this.ring[at + i] = x;
      this.sums[i]! += x;
      this.sumsq[i]! += x * x;
    }
    this.ringBin[this.head] = bin;
    this.bins[bin]!++;
    this.head = (this.head + 1) % this.window;
  }

  /**
   * The baseline as it will be once rows still open (earlier hours not yet final) are closed with
   * their current values: a copy, for judging a later hour early. Without pending rows, itself.
   */
  withPending(pending: readonly PendingRow[]): Baseline {
    if (pending.length === 0) return this;
    const copy = new Baseline(this.window, this.width);
    copy.ring.set(this.ring);
    copy.ringBin.set(this.ringBin);
    copy.head = this.head;
    copy.count = this.count;
    copy.sums.set(this.sums);
    copy.sumsq.set(this.sumsq);
    copy.bins.set(this.bins);
    for (const p of pending) copy.push(p.v, p.bin);
    return copy;
  }

  stats(i: number, v: number, minStd: number): FeatureStats {
    return statsOf(this.count, this.sums[i]!, this.sumsq[i]!, v, minStd);
  }

  /** Bytes of state this baseline holds. */
  get bytes(): number {
    return this.ring.byteLength + this.ringBin.byteLength + this.sums.byteLength + this.sumsq.byteLength + this.bins.byteLength + 16;
  }
}
