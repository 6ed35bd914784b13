/**
 * The simulator's seeded randomness. Every draw comes from a stream named by what it is for (the
 * city, one user's day, one scenario), so a day can be generated alone, in any order, and the
 * output of a seed never changes when another part of the simulation changes.
 *
 * Written here rather than taken from a package: the generator is sfc32 (Chris Doty-Humphrey's
 * PractRand "small fast counter", 4 × 32-bit state), a dozen lines whose output sequence we must
 * pin forever for reproducible simulations; a dependency could change its stream in a minor release.
 */
import { createHash } from 'node:crypto';

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** A stream seeded from the given parts (any strings or numbers), hashed with SHA-256. */
  constructor(...parts: readonly (string | number)[]) {
    const h = createHash('sha256');
    for (const p of parts) h.update(`${String(p).length}:${p}|`);
    const s = h.digest();
    this.a = s.readUInt32LE(0);
    this.b = s.readUInt32LE(4);
    this.c = s.readUInt32LE(8);
    this.d = s.readUInt32LE(12) | 1;
    for (let i = 0; i < 12; i++) this.next();
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('cannot pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** An item with probability proportional to its weight. */
  weighted<T>(items: readonly T[], weight: (item: T) => number): T {
    let total = 0;
    for (const it of items) total += weight(it);
    let r = this.next() * total;
    for (const it of items) {
      r -= weight(it);
      if (r < 0) return it;
    }
    return items[items.length - 1]!;
  }

  /** Zipf-like preference: the first items are chosen far more often than the last. */
  zipf<T>(items: readonly T[], exponent = 1.1): T {
    return this.weighted(
      items.map((it, i) => [it, 1 / Math.pow(i + 1, exponent)] as const),
      ([, w]) => w,
    )[0];
  }

  normal(mean = 0, sd = 1): number {
    // Box–Muller; 1 - next() keeps the logarithm's argument in (0, 1].
    const u = 1 - this.next();
    const v = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** exp(normal(mu, sigma)): heavy-tailed positive amounts (records, bytes, activity rates). */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(this.normal(0, sigma));
  }

  /** Poisson counts (Knuth's method for small means, a rounded normal above 30). */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 30) return Math.max(0, Math.round(this.normal(mean, Math.sqrt(mean))));
    const limit = Math.exp(-mean);
    let k = 0;
    let p = 1;
    do {
      k++;
      p *= this.next();
    } while (p > limit);
    return k - 1;
  }

  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  /** k distinct items (all of them when k ≥ length). */
  sample<T>(items: readonly T[], k: number): T[] {
    return this.shuffle(items).slice(0, Math.max(0, k));
  }

  hex(chars: number): string {
    let s = '';
    while (s.length < chars)
      s += Math.floor(this.next() * 4294967296)
        .toString(16)
        .padStart(8, '0');
    return s.slice(0, chars);
  }
}
