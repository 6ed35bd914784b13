/**
 * What the cases module needs from others, as small ports the composition root wires: the
 * identity store's user lookup (assignment), the rule repository (false-positive exceptions) and
 * the audit trail's export with its proof (case evidence), and the people cases and alerts may be
 * assigned to.
 */
import type { AuditRecord } from '../core/audit';
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
  /**
   * Only these records, each with its inclusion proof to a signed checkpoint (the head is signed
   * first when one is not covered yet), and a signed manifest: the export of someone who may read
   * the case but not the whole trail.
   */
  exportRecords(records: readonly AuditRecord[]): Promise<AuditExport>;
  /** The fingerprint of the trail's signing key: the key the export's own report is checked against. */
  readonly fingerprint: string;
}

/** An enabled account as the assignee picker lists it. */
export interface DirectoryUser {
  readonly username: string;
  /** Shown beside the username when the identity store keeps one. */
  readonly displayName?: string | null;
  readonly roles: readonly string[];
  readonly department?: string | null;
}

/** The enabled accounts, for the assignee picker (the caller's judgement narrows them). */
export type UserDirectory = () => Iterable<DirectoryUser>;
