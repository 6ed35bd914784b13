/**
 * What the cases module needs from others, as small ports the composition root wires: the
 * identity store's user lookup (assignment), the rule repository (false-positive exceptions) and
 * the audit trail's export with its proof (case evidence).
 */
import type { AuditExport } from '../policy/audit/export';

export type { UserLookup } from '../core/may-work';

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
  /** Records fromSeq..toSeq (inclusive) with the signed checkpoints in that range, the public keys and a signed manifest. */
  export(range: { readonly fromSeq: number; readonly toSeq: number }): Promise<AuditExport>;
  /** The first signed checkpoint at or after seq; when there is none yet, the trail's head is signed now. */
  checkpointAtOrAfter(seq: number): Promise<number | null>;
  /** The fingerprint of the trail's signing key: the key the export's own report is checked against. */
  readonly fingerprint: string;
}
