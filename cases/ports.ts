/**
 * What the cases module needs from others, as small ports the composition root wires: the
 * identity store's user lookup (assignment), the rule repository (false-positive exceptions) and
 * the audit trail's export with its proof (case evidence).
 */
import type { AuditExport } from '../policy/audit/export';

/** A user as assignment needs to know it; null when there is no such user (or it is disabled). */
export type UserLookup = (username: string) => { readonly roles: readonly string[]; readonly department?: string | null } | null;

/**
 * A Sigma filter (sigma-filters-specification) to write into the rules folder. The repository
 * validates it as it validates any rule file, writes it atomically, reloads the rules and
 * answers where it went.
 */
export interface RuleExceptionRepository {
  addFilter(filter: { readonly id: string; readonly fileName: string; readonly yaml: string }): Promise<{ readonly file: string }>;
}

/** The audit trail as a case export reads it: a stretch of records with its proof. */
export interface AuditTrailSource {
  /** Records fromSeq..toSeq (inclusive) with the signed checkpoints in that range and the public key. */
  export(range: { readonly fromSeq: number; readonly toSeq: number }): Promise<AuditExport>;
  /** The sequence number of the first signed checkpoint at or after seq, if there is one yet. */
  checkpointAtOrAfter(seq: number): number | null;
}
