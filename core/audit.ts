import { z } from 'zod';
import type { AuditSuite } from './audit-crypto';

export const AuditDecision = z.enum(['allow', 'deny', 'success', 'failure', 'info']);
export type AuditDecision = z.infer<typeof AuditDecision>;

/** What a caller appends; sequence, time and hashes are assigned by the trail. */
export const AuditInput = z.object({
  actor: z.string().min(1),
  actorType: z.enum(['user', 'token', 'playbook', 'system', 'anonymous']),
  action: z.string().min(1),
  resource: z.string().default(''),
  decision: AuditDecision,
  reason: z.string().default(''),
  sourceIp: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type AuditInput = z.input<typeof AuditInput>;

export interface AuditRecord {
  /** The writer's chain in a shared trail (one per writer process); absent in a single-writer trail. */
  readonly chain?: string;
  readonly seq: number;
  readonly at: string;
  readonly actor: string;
  readonly actorType: z.infer<typeof AuditInput>['actorType'];
  readonly action: string;
  readonly resource: string;
  readonly decision: AuditDecision;
  readonly reason: string;
  readonly sourceIp?: string;
  readonly details?: Record<string, unknown>;
  readonly prevHash: string;
  readonly hash: string;
}

/** Why a checkpoint was signed: every N records, M minutes after the oldest unsigned record, on opening or closing the trail, before retention, on request. */
export type CheckpointReason = 'count' | 'time' | 'open' | 'close' | 'prune' | 'manual';

/**
 * What a checkpoint signs: the head of one chain (seq, hash) and the Merkle root over the record
 * hashes of its window (from..seq), so a record can be proven part of the trail alone (inclusion
 * proof) and the cadence it was made under (records, milliseconds) cannot be changed later.
 */
export interface CheckpointBody {
  readonly v: 1;
  readonly suite: AuditSuite;
  /** Fingerprint of the signing key. */
  readonly key: string;
  readonly chain: string;
  readonly from: number;
  readonly seq: number;
  readonly hash: string;
  readonly root: string;
  /** The head record's time. */
  readonly at: string;
  readonly signedAt: string;
  readonly reason: CheckpointReason;
  readonly everyRecords: number;
  readonly everyMs: number;
}

export interface AuditCheckpoint extends CheckpointBody {
  /** base64 signature over the canonical JSON of the body. */
  readonly signature: string;
}

/** A signed seal over the heads of every chain of a shared trail: chained by prev, numbered by n. */
export interface SealBody {
  readonly v: 1;
  readonly suite: AuditSuite;
  readonly key: string;
  readonly n: number;
  /** The previous seal's digest (hex), zeros for the first. */
  readonly prev: string;
  readonly heads: readonly { readonly chain: string; readonly seq: number; readonly hash: string }[];
  /** Merkle root over the heads, in chain order. */
  readonly root: string;
  readonly signedAt: string;
}

export interface TrailSeal extends SealBody {
  readonly signature: string;
}
