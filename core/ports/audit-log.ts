import type { AuditInput, AuditRecord } from '../audit';
import type { QueryNode } from '../query/ast';

export interface AuditQuery {
  readonly actor?: string;
  readonly action?: string;
  readonly resource?: string;
  readonly decision?: AuditRecord['decision'];
  readonly from?: string;
  readonly to?: string;
  readonly size?: number;
  readonly afterSeq?: number;
  /** A row filter over the record (a policy's document-level security). */
  readonly filter?: QueryNode;
}

export interface AuditVerification {
  readonly ok: boolean;
  readonly checked: number;
  /** The first record that breaks the chain, and how. */
  readonly firstBad?: { readonly seq: number; readonly problem: 'modified' | 'missing' | 'reordered' | 'broken_link' };
}

/**
 * An append-only, hash-chained trail. Contract: records get consecutive sequence numbers;
 * hash = SHA-256(prevHash + canonical JSON of the record without hash); verify() detects any
 * modified, deleted or reordered record and names the first bad one.
 */
export interface AuditLog {
  append(input: AuditInput): Promise<AuditRecord>;
  query(q: AuditQuery): Promise<AuditRecord[]>;
  verify(): Promise<AuditVerification>;
  /**
   * Deletes records older than `before` (retention). The last deleted record's sequence number
   * and hash are kept as the anchor the remaining chain is verified from.
   */
  prune(before: Date): Promise<{ deleted: number }>;
  close(): Promise<void>;
}
