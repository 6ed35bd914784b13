/**
 * The `cases` section of the configuration: SLA targets per severity (time to acknowledge, time
 * to resolve) and when a case turns yellow, the merge-suggestion window, suppression and export
 * bounds. Defaults follow common SOC practice; a city sets its own in the configuration file.
 */
import { z } from 'zod';
import type { SlaPolicy } from '../core/case';

const Minutes = z.coerce
  .number()
  .int()
  .min(1)
  .max(365 * 24 * 60);

const Target = (acknowledgeMinutes: number, resolveMinutes: number) =>
  z
    .strictObject({ acknowledgeMinutes: Minutes.default(acknowledgeMinutes), resolveMinutes: Minutes.default(resolveMinutes) })
    .refine((t) => t.resolveMinutes >= t.acknowledgeMinutes, { message: 'resolveMinutes must be at least acknowledgeMinutes' })
    .prefault({});

export const CasesConfigSchema = z.strictObject({
  sla: z
    .strictObject({
      critical: Target(15, 4 * 60),
      high: Target(60, 24 * 60),
      medium: Target(4 * 60, 3 * 24 * 60),
      low: Target(24 * 60, 7 * 24 * 60),
      informational: Target(3 * 24 * 60, 30 * 24 * 60),
      /** Share of a target's time after which the case turns yellow. */
      warnFraction: z.coerce.number().gt(0).lt(1).default(0.75),
    })
    .prefault({}),
  /** An open case updated within this many hours that shares an entity with a new alert is suggested for it. */
  mergeWindowHours: z.coerce
    .number()
    .int()
    .min(1)
    .max(90 * 24)
    .default(72),
  /** The longest an alert key may be suppressed. */
  maxSuppressionDays: z.coerce.number().int().min(1).max(365).default(30),
  /** The longest stretch of the audit trail a case export carries as its chain proof. */
  exportMaxAuditRecords: z.coerce.number().int().min(100).max(5_000_000).default(200_000),
  /** Events a case export carries at most (the rest are listed by id). */
  exportMaxEvents: z.coerce.number().int().min(1).max(10_000).default(1000),
});
export type CasesConfig = z.infer<typeof CasesConfigSchema>;

/** The configuration with every default, as a module without a configuration file gets it. */
export const DEFAULT_CASES_CONFIG: CasesConfig = CasesConfigSchema.parse({});

export function slaPolicy(c: CasesConfig): SlaPolicy {
  const { warnFraction, ...targets } = c.sla;
  return { targets, warnFraction };
}
