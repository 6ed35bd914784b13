/**
 * The audit hash chain, independent of where records are stored: each record's hash covers its
 * content and the previous record's hash, so changing, removing or reordering any record breaks
 * the chain at a point verification can name.
 */
import { createHash } from 'node:crypto';
import type { AuditRecord } from './audit';
import type { AuditVerification } from './ports/audit-log';

export const GENESIS_HASH = '0'.repeat(64);

export function hashRecord(record: Omit<AuditRecord, 'hash'>): string {
  return sealRecord(record).hash;
}

/** The hash and the canonical JSON it covers, which is also what a store can keep of the record. */
export function sealRecord(record: Omit<AuditRecord, 'hash'>): { json: string; hash: string } {
  const json = canonicalJsonFast(record);
  return { json, hash: createHash('sha256').update(record.prevHash).update(json).digest('hex') };
}

/** Keys JSON.stringify leaves as they are, so quoting them is enough. */
const PLAIN_KEY = /^[\w.@$-]*$/;

/**
 * canonicalJson (canonical.ts) written as loops, without the intermediate arrays: the same bytes
 * for every value (audit-chain.test.ts holds the two together, awkward values included) in about
 * 60% of the time. It is the largest cost of writing a record after the insert itself.
 */
export function canonicalJsonFast(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return JSON.stringify(value) ?? 'null';
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    let s = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) s += ',';
      if (i in value) s += canonicalJsonFast(value[i]);
    }
    return s + ']';
  }
  let s = '{';
  let first = true;
  for (const k of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[k];
    if (v === undefined) continue;
    s += (first ? '' : ',') + (PLAIN_KEY.test(k) ? `"${k}":` : `${JSON.stringify(k)}:`) + canonicalJsonFast(v);
    first = false;
  }
  return s + '}';
}

/** Checks records in storage order; the first problem found is the answer. */
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
