/**
 * A signal is what a detector emits onto `citysoc.signals`: one Sigma rule matching one event, a
 * correlation window firing, a UEBA anomaly or a risk level crossed. The alert writer folds signals
 * into alerts (core/alert.ts). Its id is deterministic (a hash of the rule and what it is about), so
 * a redelivered event yields the same signal and an alert never counts it twice.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AlertEntity, Severity } from './alert';

export const SignalRuleType = z.enum(['sigma', 'correlation', 'ueba']);
export type SignalRuleType = z.infer<typeof SignalRuleType>;

export const Signal = z.object({
  id: z.string().min(1),
  rule: z.object({
    id: z.string().min(1),
    name: z.string(),
    type: SignalRuleType,
    severity: Severity,
    tags: z.array(z.string()).default([]),
    /** The rule's content version (hash): lets a consumer tell which version of a rule fired. */
    version: z.string().optional(),
  }),
  /** Event time of what fired (ISO 8601). */
  time: z.iso.datetime({ offset: true }),
  firstSeen: z.iso.datetime({ offset: true }),
  lastSeen: z.iso.datetime({ offset: true }),
  /** Same rule + same group within the suppression window folds into one alert. */
  dedupKey: z.string().min(1),
  entities: z.array(AlertEntity).default([]),
  /** Departments of the entities involved (from enrichment): what the alert's row filter sees. */
  departments: z.array(z.string()).default([]),
  eventIds: z.array(z.string()).default([]),
  /** Events behind the signal (1 for a single-event match). */
  count: z.number().int().positive(),
  risk: z.number().min(0).max(100),
  /** Why it fired, for people: matched fields, the window, a baseline and the observed value. */
  reason: z.record(z.string(), z.unknown()).optional(),
  provenance: z.object({ engine: z.enum(['embedded', 'flink']), job: z.string().optional() }),
});
export type Signal = z.infer<typeof Signal>;

/** sha256 over the parts, joined unambiguously; 32 hex characters. */
export function signalId(...parts: readonly string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(`${p.length}:${p}`);
  return h.digest('hex').slice(0, 32);
}
