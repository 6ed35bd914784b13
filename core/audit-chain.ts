/**
 * The audit hash chain, independent of where records are stored: each record's hash covers its
 * content and the previous record's hash, so changing, removing or reordering any record breaks
 * the chain at a point verification can name.
 */
import { createHash } from 'node:crypto';
import type { AuditRecord } from './audit';
import { canonicalJson } from './canonical';
import type { AuditVerification } from './ports/audit-log';

export const GENESIS_HASH = '0'.repeat(64);

export function hashRecord(record: Omit<AuditRecord, 'hash'>): string {
  return sealRecord(record).hash;
}

/** The hash and the canonical JSON it covers, which is also what a store can keep of the record. */
export function sealRecord(record: Omit<AuditRecord, 'hash'>): { json: string; hash: string } {
  const json = canonicalJson(record);
  return { json, hash: createHash('sha256').update(record.prevHash).update(json).digest('hex') };
}

export function verifyChain(records: Iterable<AuditRecord>, anchor: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH }): AuditVerification {
  let prev: AuditRecord | null = null;
  let expectedSeq = anchor.seq + 1;
  let checked = 0;
  for (const r of records) {
    if (r.seq !== expectedSeq) {
      return { ok: false, checked, firstBad: { seq: r.seq > expectedSeq ? expectedSeq : r.seq, problem: r.seq > expectedSeq ? 'missing' : 'reordered' } };
    }
    const { hash, ...rest } = r;
    if (hashRecord(rest) !== hash) return { ok: false, checked, firstBad: { seq: r.seq, problem: 'modified' } };
    const prevHash = prev ? prev.hash : anchor.hash;
    if (r.prevHash !== prevHash) {
      // This record is intact, so its predecessor was rewritten (hash recomputed to hide it).
      return { ok: false, checked, firstBad: prev ? { seq: prev.seq, problem: 'modified' } : { seq: r.seq, problem: 'broken_link' } };
    }
    prev = r;
    expectedSeq++;
    checked++;
  }
  return { ok: true, checked };
}
