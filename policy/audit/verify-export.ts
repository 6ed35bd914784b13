/**
 * Checks an audit export offline: the hash chain of its records, every checkpoint's Ed25519
 * signature, and that each checkpoint names a record of the export by its hash. Usable without
 * CitySOC running: `npx tsx policy/audit/verify-export.ts export.json`.
 */
import { readFileSync } from 'node:fs';
import { verifyChain } from '../../core/audit-chain';
import type { AuditVerification } from '../../core/ports/audit-log';
import { verifyCheckpointSignature } from './checkpoints';
import { type AuditExport, EXPORT_FORMAT } from './export';

export interface ExportVerification extends AuditVerification {
  readonly checkpointsVerified: number;
  readonly badCheckpoint?: { readonly seq: number; readonly problem: 'bad_signature' | 'hash_mismatch' };
}

export function verifyExport(e: AuditExport): ExportVerification {
  if (e.format !== EXPORT_FORMAT) return { ok: false, checked: 0, checkpointsVerified: 0, firstBad: { seq: 0, problem: 'broken_link' } };
  const first = e.records[0];
  // A partial export starts mid-chain: its first record's prevHash is the anchor, vouched for by a checkpoint or an earlier export.
  const chain = verifyChain(e.records, first ? { seq: first.seq - 1, hash: first.prevHash } : undefined);
  const bySeq = new Map(e.records.map((r) => [r.seq, r]));
  let verified = 0;
  for (const c of e.checkpoints) {
    if (!verifyCheckpointSignature(c, e.publicKey))
      return { ...chain, ok: false, checkpointsVerified: verified, badCheckpoint: { seq: c.seq, problem: 'bad_signature' } };
    const r = bySeq.get(c.seq);
    if (r && r.hash !== c.hash) return { ...chain, ok: false, checkpointsVerified: verified, badCheckpoint: { seq: c.seq, problem: 'hash_mismatch' } };
    verified++;
  }
  return { ...chain, checkpointsVerified: verified };
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: verify-export <export.json>\n');
    process.exit(2);
  }
  const v = verifyExport(JSON.parse(readFileSync(file, 'utf8')) as AuditExport);
  process.stdout.write(JSON.stringify(v) + '\n');
  process.exit(v.ok ? 0 : 1);
}
