/**
 * Token buckets for the door (CallLimiter): a caller — an actor, or an address when nobody is
 * signed in — gets a bucket per rule; a call takes a token; an empty bucket refuses with a message
 * that names the limit. Buckets are kept for the most recent callers only (bounded memory).
 */
import type { Actor } from './actor';
import type { CallLimiter } from './door';

export interface RateRule {
  /** For messages and metrics: login, anonymous, decisions, calls. */
  readonly name: string;
  /** Which actions the rule counts. */
  readonly applies: (action: string, actor: Actor | null) => boolean;
  /** Per signed-in actor, or per source address. */
  readonly per: 'actor' | 'ip';
  /** Burst size. */
  readonly capacity: number;
  /** Tokens added per second. */
  readonly perSecond: number;
}

const MAX_BUCKETS = 100_000;

export class RateLimiter implements CallLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  /** Refusals by rule name, for /metrics. */
  readonly refused = new Map<string, number>();

  constructor(
    private readonly rules: readonly RateRule[],
    private readonly clock: () => number = Date.now,
  ) {}

  admit(actor: Actor | null, sourceIp: string | undefined, action: string): string | null {
    const now = this.clock();
    for (const rule of this.rules) {
      if (!rule.applies(action, actor)) continue;
      const who = rule.per === 'actor' && actor ? `a:${actor.name}` : `i:${sourceIp ?? 'unknown'}`;
      const key = `${rule.name}\u0000${who}`;
      let b = this.buckets.get(key);
      if (!b) {
        if (this.buckets.size >= MAX_BUCKETS) this.buckets.delete(this.buckets.keys().next().value as string);
        b = { tokens: rule.capacity, at: now };
      } else this.buckets.delete(key);
      b.tokens = Math.min(rule.capacity, b.tokens + ((now - b.at) / 1000) * rule.perSecond);
      b.at = now;
      this.buckets.set(key, b);
      if (b.tokens < 1) {
        this.refused.set(rule.name, (this.refused.get(rule.name) ?? 0) + 1);
        const wait = Math.ceil((1 - b.tokens) / rule.perSecond);
        return `rate limit '${rule.name}' (${rule.capacity} at once, ${rule.perSecond}/s ${rule.per === 'ip' ? 'per address' : 'per caller'}) exceeded; retry in ${wait} s`;
      }
      b.tokens -= 1;
    }
    return null;
  }
}
