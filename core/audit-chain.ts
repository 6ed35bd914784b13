/**
 * The audit hash chain, independent of where records are stored: each record's hash covers its
 * content and the previous record's hash, so changing, removing or reordering any record breaks
 * the chain at a point verification can name. Checkpoints sign a chain's head and the Merkle root
 * (RFC 9162 tree hashing, with the suite's hash) over the record hashes since the previous one.
 */
import type { AuditCheckpoint, AuditRecord, CheckpointBody, SealBody, TrailSeal } from './audit';
import { type AuditSuite, chainHash, digest, type TrailSigner } from './audit-crypto';
import { canonicalJson } from './canonical';
import type { AuditVerification } from './ports/audit-log';

export const GENESIS_HASH = '0'.repeat(64);

export function hashRecord(record: Omit<AuditRecord, 'hash'>, suite: AuditSuite = 'international'): string {
  return sealRecord(record, suite).hash;
}

/** The hash and the canonical JSON it covers, which is also what a store can keep of the record. */
export function sealRecord(record: Omit<AuditRecord, 'hash'>, suite: AuditSuite = 'international'): { json: string; hash: string } {
  const json = canonicalJson(record);
  return { json, hash: chainHash(suite, record.prevHash, json) };
}

/** Checks records in storage order; the first problem found is the answer. */
export function verifyChain(
  records: Iterable<AuditRecord>,
  anchor: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH },
  suite: AuditSuite = 'international',
): AuditVerification {
  const chain = new ChainCheck(anchor, suite);
  for (const r of records) if (!chain.next(r)) break;
  return chain.result();
}

/** The chain check one record at a time, for callers that stream records. */
export class ChainCheck {
  private prev: AuditRecord | null = null;
  private expectedSeq: number;
  checked = 0;
  bad: AuditVerification['firstBad'] | undefined;

  constructor(
    private readonly anchor: { seq: number; hash: string },
    private readonly suite: AuditSuite,
  ) {
    this.expectedSeq = anchor.seq + 1;
  }

  get head(): AuditRecord | null {
    return this.prev;
  }

  /** false once the chain is broken (the problem is in `bad`). */
  next(r: AuditRecord): boolean {
    if (this.bad) return false;
    if (r.seq !== this.expectedSeq) {
      this.bad = { seq: r.seq > this.expectedSeq ? this.expectedSeq : r.seq, problem: r.seq > this.expectedSeq ? 'missing' : 'reordered' };
      return false;
    }
    const { hash, ...rest } = r;
    if (hashRecord(rest, this.suite) !== hash) {
      this.bad = { seq: r.seq, problem: 'modified' };
      return false;
    }
    const prevHash = this.prev ? this.prev.hash : this.anchor.hash;
    if (r.prevHash !== prevHash) {
      // This record is intact, so its predecessor was rewritten (hash recomputed to hide it).
      this.bad = this.prev ? { seq: this.prev.seq, problem: 'modified' } : { seq: r.seq, problem: 'broken_link' };
      return false;
    }
    this.prev = r;
    this.expectedSeq++;
    this.checked++;
    return true;
  }

  result(): AuditVerification {
    return this.bad ? { ok: false, checked: this.checked, firstBad: this.bad } : { ok: true, checked: this.checked };
  }
}

const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

function leaf(suite: AuditSuite, hex: string): Buffer {
  return digest(suite, LEAF, Buffer.from(hex, 'hex'));
}

function node(suite: AuditSuite, l: Buffer, r: Buffer): Buffer {
  return digest(suite, NODE, l, r);
}

/** The largest power of two below n (n > 1). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function treeHash(suite: AuditSuite, leaves: readonly Buffer[], lo: number, hi: number): Buffer {
  if (hi - lo === 1) return leaves[lo]!;
  const k = split(hi - lo);
  return node(suite, treeHash(suite, leaves, lo, lo + k), treeHash(suite, leaves, lo + k, hi));
}

/** The Merkle tree hash over record hashes (hex), hex. */
export function merkleRoot(suite: AuditSuite, hashes: readonly string[]): string {
  if (hashes.length === 0) return digest(suite).toString('hex');
  return treeHash(
    suite,
    hashes.map((h) => leaf(suite, h)),
    0,
    hashes.length,
  ).toString('hex');
}

/** The audit path of leaf `index` (RFC 9162 §2.1.3.1), hex, bottom up. */
export function merklePath(suite: AuditSuite, hashes: readonly string[], index: number): string[] {
  const leaves = hashes.map((h) => leaf(suite, h));
  const path: Buffer[] = [];
  const walk = (lo: number, hi: number, m: number): void => {
    if (hi - lo <= 1) return;
    const k = split(hi - lo);
    if (m < k) {
      walk(lo, lo + k, m);
      path.push(treeHash(suite, leaves, lo + k, hi));
    } else {
      walk(lo + k, hi, m - k);
      path.push(treeHash(suite, leaves, lo, lo + k));
    }
  };
  walk(0, leaves.length, index);
  return path.map((b) => b.toString('hex'));
}

/** Whether a record hash at `index` of a tree of `size` leaves has this path to `root` (RFC 9162 §2.1.3.2). */
export function merkleVerify(suite: AuditSuite, hash: string, index: number, size: number, path: readonly string[], root: string): boolean {
  if (index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf(suite, hash);
  for (const p of path) {
    if (sn === 0) return false;
    const pb = Buffer.from(p, 'hex');
    if (fn % 2 === 1 || fn === sn) {
      r = node(suite, pb, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else r = node(suite, r, pb);
    fn >>= 1;
    sn >>= 1;
  }
  return sn === 0 && r.toString('hex') === root;
}

export function checkpointBytes(body: CheckpointBody | SealBody): Buffer {
  const { signature: _signature, ...rest } = body as CheckpointBody & { signature?: string };
  return Buffer.from(canonicalJson(rest), 'utf8');
}

export function signCheckpoint(signer: TrailSigner, body: Omit<CheckpointBody, 'v' | 'suite' | 'key'>): AuditCheckpoint {
  const full: CheckpointBody = { v: 1, suite: signer.suite, key: signer.publicKey.fingerprint, ...body };
  return { ...full, signature: signer.sign(checkpointBytes(full)) };
}

export function signSeal(signer: TrailSigner, body: Omit<SealBody, 'v' | 'suite' | 'key'>): TrailSeal {
  const full: SealBody = { v: 1, suite: signer.suite, key: signer.publicKey.fingerprint, ...body };
  return { ...full, signature: signer.sign(checkpointBytes(full)) };
}

/** The digest a seal is chained by. */
export function sealDigest(seal: TrailSeal): string {
  return digest(seal.suite, checkpointBytes(seal), seal.signature).toString('hex');
}

/** A shared trail's heads as Merkle leaves: H(chain ‖ seq ‖ hash), in chain order. */
export function headsRoot(suite: AuditSuite, heads: SealBody['heads']): string {
  return merkleRoot(
    suite,
    heads.map((h) => digest(suite, canonicalJson(h)).toString('hex')),
  );
}
