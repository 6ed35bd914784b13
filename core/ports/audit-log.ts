import type { AuditCheckpoint, AuditInput, AuditRecord, CheckpointReason, TrailSeal } from '../audit';
import type { AuditSuite } from '../audit-crypto';
import type { QueryNode } from '../query/ast';

export interface AuditQuery {
  /** One writer's chain of a shared trail. */
  readonly chain?: string;
  readonly actor?: string;
  readonly action?: string;
  readonly resource?: string;
  readonly decision?: AuditRecord['decision'];
  readonly from?: string;
  readonly to?: string;
  readonly size?: number;
  /** Pages forward in sequence order (within a chain, when the trail has several). */
  readonly afterSeq?: number;
  /** A row filter over the record (a policy's document-level security). */
  readonly filter?: QueryNode;
}

export type AuditProblem =
  | 'modified'
  | 'missing'
  | 'reordered'
  | 'broken_link'
  /** A checkpoint, seal or retention anchor whose signature does not verify with a trusted key. */
  | 'untrusted_signature'
  /** A signed checkpoint or anchor names a hash the record at its sequence number does not have. */
  | 'checkpoint_mismatch'
  /** More records between two checkpoints than the cadence they were signed under allows. */
  | 'cadence'
  /** Records a checkpoint or an external anchor vouches for are gone from the end of the trail. */
  | 'truncated'
  /** The trail disagrees with an external anchor: records up to `upTo` were rewritten after it was published. */
  | 'rewritten'
  /** Records younger than the retention period were deleted (the retention anchor is too new). */
  | 'retention'
  /** A whole chain a seal lists is gone, or a seal is missing. */
  | 'missing_chain';

export interface AuditVerification {
  readonly ok: boolean;
  readonly checked: number;
  /** The first record that is bad, and how. */
  readonly firstBad?: {
    readonly seq: number;
    readonly problem: AuditProblem;
    readonly chain?: string;
    /** The last record the problem may extend to (a rewrite found through an anchor is known to a window). */
    readonly upTo?: number;
    readonly detail?: string;
  };
}

/** Checkpoints the trail signed, read back for verification and export. */
export interface CheckpointQuery {
  readonly chain?: string;
  readonly fromSeq?: number;
  readonly toSeq?: number;
}

/** What verification reads of one chain: its retention anchor and its records in storage order. */
export interface ChainScan {
  readonly chain: string;
  /** The last record retention removed (records continue from it); absent when nothing was removed. */
  readonly anchor?: { readonly seq: number; readonly hash: string };
  readonly records: AsyncIterable<AuditRecord> | Iterable<AuditRecord>;
}

/** Cadence of signed checkpoints: every N records, and no record unsigned for longer than M ms while the writer runs. */
export interface CheckpointCadence {
  readonly everyRecords: number;
  readonly everyMs: number;
}

/**
 * An append-only, hash-chained trail. Contract: records get consecutive sequence numbers (per
 * chain); hash = H(prevHash + canonical JSON of the record without hash) with the trail's suite;
 * verify() detects any modified, deleted or reordered record and names the first bad one. A trail
 * given a signer signs a checkpoint at every multiple of the cadence's record count (in the same
 * write as that record), when the oldest unsigned record is older than the cadence's time, when
 * it is opened over unsigned records and when it is closed.
 */
export interface AuditLog {
  /** The trail's algorithms (fixed when the trail is created). */
  readonly suite: AuditSuite;
  append(input: AuditInput): Promise<AuditRecord>;
  query(q: AuditQuery): Promise<AuditRecord[]>;
  /** The chain alone, from the retention anchor: the storage-level check (signatures: policy/audit). */
  verify(): Promise<AuditVerification>;
  /** Every chain for verification, records in storage order. */
  scan(): AsyncIterable<ChainScan>;
  /** Signed checkpoints, oldest first. */
  checkpoints(q?: CheckpointQuery): Promise<AuditCheckpoint[]>;
  /** Signed seals over all chains' heads (shared trails; empty for a single chain). */
  seals(): Promise<TrailSeal[]>;
  /** Signs this writer's unsigned head now; null when there is no signer or nothing unsigned. */
  checkpoint(reason?: CheckpointReason): Promise<AuditCheckpoint | null>;
  /** Public keys (SPKI PEM) the trail was signed with, as stored beside it: trusted only through a pinned fingerprint. */
  publicKeys(): Promise<string[]>;
  /**
   * Deletes records older than `before` (retention). With a signer the cut is made at a signed
   * checkpoint, which stays as the anchor the remaining chain is verified from.
   */
  prune(before: Date): Promise<{ deleted: number }>;
  close(): Promise<void>;
}
