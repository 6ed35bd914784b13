/**
 * Live evidence for a compliance report: the configuration in force, what the audit trail holds in
 * the period (counts by kind of action and decision, actors, completeness of record contents), the
 * trail's verification against the pinned key, and the retention it proves. Figures are counted
 * from the trail itself, never estimated.
 */
import type { AuditRecord } from '../core/audit';
import type { Config } from '../core/config';
import type { AuditLog } from '../core/ports/audit-log';
import type { AuditCheckpoint } from '../core/audit';
import { resolveTrust, type TrustAnchor } from '../policy/audit/trust';
import { type TrailReport, verifyTrail } from '../policy/audit/verify-trail';

export interface ComplianceSources {
  readonly config: Config;
  readonly audit: AuditLog;
  /** Whom verification trusts (audit.trustedKeyFingerprint); with nothing pinned the trail's integrity is a gap. */
  readonly trust: TrustAnchor;
  /** Checkpoints read back from external anchors, when there are any. */
  readonly anchored?: readonly AuditCheckpoint[];
  /** Number of detection rules loaded, when the platform reports it. */
  readonly detectionRules?: number;
  readonly now?: Date;
}

export interface AuditStatistics {
  readonly records: number;
  readonly byAction: Readonly<Record<string, number>>;
  readonly byDecision: Readonly<Record<string, number>>;
  readonly actors: number;
  /** Records carrying each content field (time, actor, action, outcome, source address). */
  readonly withField: Readonly<Record<'at' | 'actor' | 'action' | 'decision' | 'sourceIp' | 'resource', number>>;
  readonly first?: string;
  readonly last?: string;
}

export interface Evidence {
  readonly period: { readonly from?: string; readonly to?: string };
  readonly generatedAt: string;
  readonly statistics: AuditStatistics;
  /** The whole trail's oldest record (retention proof), whatever the period. */
  readonly oldestRecord?: string;
  readonly verification: TrailReport | { readonly error: string };
  readonly config: Config;
  readonly detectionRules?: number;
}

/** Counts the trail's records in [from, to). */
export async function auditStatistics(audit: AuditLog, from?: Date, to?: Date): Promise<{ stats: AuditStatistics; oldest?: string }> {
  const byAction: Record<string, number> = {};
  const byDecision: Record<string, number> = {};
  const actors = new Set<string>();
  const withField = { at: 0, actor: 0, action: 0, decision: 0, sourceIp: 0, resource: 0 };
  let records = 0;
  let first: string | undefined;
  let last: string | undefined;
  let oldest: string | undefined;
  for await (const scan of audit.scan()) {
    for await (const r of scan.records as AsyncIterable<AuditRecord>) {
      if (oldest === undefined || r.at < oldest) oldest = r.at;
      const t = Date.parse(r.at);
      if ((from && t < from.getTime()) || (to && t >= to.getTime())) continue;
      records++;
      const kind = r.action.split('.')[0] ?? r.action;
      byAction[kind] = (byAction[kind] ?? 0) + 1;
      byDecision[r.decision] = (byDecision[r.decision] ?? 0) + 1;
      actors.add(r.actor);
      for (const k of Object.keys(withField) as (keyof typeof withField)[]) if (r[k]) withField[k]++;
      if (!first || r.at < first) first = r.at;
      if (!last || r.at > last) last = r.at;
    }
  }
  return {
    stats: { records, byAction, byDecision, actors: actors.size, withField, ...(first ? { first } : {}), ...(last ? { last } : {}) },
    ...(oldest ? { oldest } : {}),
  };
}

export async function collectEvidence(s: ComplianceSources, period: { from?: Date; to?: Date } = {}): Promise<Evidence> {
  const now = s.now ?? new Date();
  const { stats, oldest } = await auditStatistics(s.audit, period.from, period.to);
  let verification: Evidence['verification'];
  try {
    const trust = resolveTrust(s.trust, await s.audit.publicKeys());
    verification = await verifyTrail(s.audit, { trust, now, retentionDays: s.config.retention.auditDays, ...(s.anchored ? { anchored: s.anchored } : {}) });
  } catch (e) {
    verification = { error: (e as Error).message };
  }
  return {
    period: { ...(period.from ? { from: period.from.toISOString() } : {}), ...(period.to ? { to: period.to.toISOString() } : {}) },
    generatedAt: now.toISOString(),
    statistics: stats,
    ...(oldest ? { oldestRecord: oldest } : {}),
    verification,
    config: s.config,
    ...(s.detectionRules !== undefined ? { detectionRules: s.detectionRules } : {}),
  };
}
