/**
 * A case export for someone who may read the case but not the whole audit trail: only the audit
 * records about the case, each with its Merkle inclusion proof to the signed checkpoint of its
 * window (the filtered form of policy/audit/export.ts), so `citysoc audit verify-export` checks
 * them as it checks any filtered export, and nothing of other records leaves beyond their hashes.
 */
import type { AuditRecord } from '../core/audit';
import { merklePath } from '../core/audit-chain';
import type { TrailSigner } from '../core/audit-crypto';
import type { AuditLog } from '../core/ports/audit-log';
import { algorithmsOf, type AuditExport, EXPORT_FORMAT, type ExportManifest, type InclusionProof, manifestBytes, manifestDigest } from '../policy/audit/export';

const PAGE = 10_000;

export async function exportRecordsWithProofs(
  audit: AuditLog,
  records: readonly AuditRecord[],
  opts: { readonly signer: TrailSigner; readonly clock: () => Date },
): Promise<AuditExport> {
  const chainOf = (r: Pick<AuditRecord, 'chain'>) => r.chain ?? 'local';
  let all = await audit.checkpoints();
  const covering = (r: AuditRecord) => all.find((c) => c.chain === chainOf(r) && c.from <= r.seq && r.seq <= c.seq);
  // records after the last checkpoint: the head is signed now, so every record has a proof
  if (records.some((r) => !covering(r))) {
    await audit.checkpoint('manual');
    all = await audit.checkpoints();
  }
  const windows = new Map<string, string[]>();
  const proofs: InclusionProof[] = [];
  const used = new Set<(typeof all)[number]>();
  const proven: AuditRecord[] = [];
  for (const r of records) {
    const cp = covering(r);
    if (!cp) continue; // a trail without a signer: nothing can vouch for the record, and the case will not verify
    const key = `${cp.chain}\u0000${cp.seq}`;
    let hashes = windows.get(key);
    if (!hashes) {
      hashes = [];
      let after = cp.from - 1;
      for (;;) {
        const page = await audit.query({ afterSeq: after, size: PAGE, ...(r.chain ? { chain: r.chain } : {}) });
        for (const w of page) if (w.seq <= cp.seq) hashes.push(w.hash);
        if (page.length < PAGE || page[page.length - 1]!.seq >= cp.seq) break;
        after = page[page.length - 1]!.seq;
      }
      windows.set(key, hashes);
    }
    used.add(cp);
    proven.push(r);
    proofs.push({
      chain: cp.chain,
      checkpoint: cp.seq,
      index: r.seq - cp.from,
      size: cp.seq - cp.from + 1,
      path: merklePath(audit.suite, hashes, r.seq - cp.from),
    });
  }
  const exportedAt = opts.clock().toISOString();
  const suite = audit.suite;
  const body = { exportedAt, suite, key: opts.signer.publicKey.fingerprint, records: proven.length, digest: manifestDigest(suite, proven) };
  const manifest: ExportManifest = { ...body, signature: opts.signer.sign(manifestBytes(body)) };
  return {
    format: EXPORT_FORMAT,
    exportedAt,
    suite,
    algorithms: algorithmsOf(suite),
    records: proven,
    proofs,
    checkpoints: [...used].sort((a, b) => a.chain.localeCompare(b.chain) || a.seq - b.seq),
    publicKeys: await audit.publicKeys(),
    manifest,
  };
}
