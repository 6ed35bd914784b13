/**
 * Checks an audit export offline, JSON or CSV, against a trusted key (a pinned fingerprint or a
 * public key file given by the auditor; never the key the export carries on its own say-so):
 *   - records in the order they appear (nothing is re-sorted), each chain from its first record;
 *   - every checkpoint's signature, its hash against the record it names, its Merkle root over its
 *     window when the export holds the whole window;
 *   - for a filtered export, each record's inclusion proof up to a trusted checkpoint;
 *   - the signed manifest (record count and digest), so a cut-short export is found.
 * Usable without CitySOC running: `citysoc audit verify-export --trusted-key <fp|pem> <file>`.
 */
import { parse } from 'csv-parse/sync';
import type { AuditCheckpoint, AuditRecord } from '../../core/audit';
import { ChainCheck, checkpointBytes, hashRecord, merkleRoot, merkleVerify } from '../../core/audit-chain';
import { AUDIT_SUITES } from '../../core/audit-crypto';
import { CitySocError } from '../../core/errors';
import type { AuditVerification } from '../../core/ports/audit-log';
import { type AuditExport, CSV_COLUMNS, csvText, EXPORT_FORMAT, manifestBytes, manifestDigest } from './export';
import { resolveTrust, type TrustAnchor, type TrustedKeys } from './trust';

export interface ExportVerification extends AuditVerification {
  readonly suite?: string;
  readonly trustedKeys?: string;
  readonly checkpointsVerified: number;
  readonly proofsVerified: number;
  /** Records no trusted checkpoint covers (exported from a trail without a signer, or after its last checkpoint). */
  readonly unsigned: number;
  readonly manifest: 'verified' | 'absent';
  readonly badCheckpoint?: {
    readonly chain: string;
    readonly seq: number;
    readonly problem: 'bad_signature' | 'hash_mismatch' | 'root_mismatch' | 'truncated';
  };
}

/** Reads an export file: JSON, or the CSV export (its `record` column rebuilt into records, readable columns checked against it). */
export function parseExport(text: string): AuditExport {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) {
    try {
      return JSON.parse(text) as AuditExport;
    } catch (e) {
      throw new CitySocError('INPUT_INVALID', `not a readable JSON audit export: ${(e as Error).message}`);
    }
  }
  let rows: string[][];
  try {
    rows = parse(text, { relax_column_count: true, bom: true }) as string[][];
  } catch (e) {
    throw new CitySocError('INPUT_INVALID', `not a readable CSV audit export: ${(e as Error).message}`);
  }
  const header = rows[0]?.join(',');
  if (header !== CSV_COLUMNS.join(',')) throw new CitySocError('INPUT_INVALID', `not a CitySOC audit CSV export: the header is not ${CSV_COLUMNS.join(',')}`);
  const proofRow = rows.find((r) => r[0] === '#proof');
  if (!proofRow) throw new CitySocError('INPUT_INVALID', 'CSV audit export: the #proof row is missing');
  let proof: Omit<AuditExport, 'records'>;
  try {
    proof = JSON.parse(proofRow[1] ?? '') as Omit<AuditExport, 'records'>;
  } catch (e) {
    throw new CitySocError('INPUT_INVALID', `CSV audit export: the #proof row is not JSON (${(e as Error).message})`);
  }
  const records: AuditRecord[] = [];
  rows.slice(1).forEach((row, i) => {
    if (row[0] === '#proof') return;
    const line = i + 2;
    if (row.length !== CSV_COLUMNS.length)
      throw new CitySocError('INPUT_INVALID', `CSV audit export line ${line}: ${row.length} columns, expected ${CSV_COLUMNS.length}`);
    let body: Omit<AuditRecord, 'hash'>;
    try {
      body = JSON.parse(row[CSV_COLUMNS.indexOf('record')]!) as Omit<AuditRecord, 'hash'>;
    } catch {
      throw new CitySocError('INPUT_INVALID', `CSV audit export line ${line}: the record column is not JSON`);
    }
    const record = { ...body, hash: row[CSV_COLUMNS.indexOf('hash')]! } as AuditRecord;
    // What a reader sees must be what the hash covers.
    const readableAgrees = CSV_COLUMNS.slice(0, -2).every((c, k) => row[k] === csvText(record[c as keyof AuditRecord]));
    records.push(readableAgrees ? record : { ...record, hash: `readable-columns-differ-on-line-${line}` });
  });
  return { ...proof, records } as AuditExport;
}

export function verifyExport(e: AuditExport, trust: TrustAnchor): ExportVerification {
  const none = { checkpointsVerified: 0, proofsVerified: 0, unsigned: 0, manifest: 'absent' as const };
  if (e.format !== EXPORT_FORMAT) throw new CitySocError('INPUT_INVALID', `not a ${EXPORT_FORMAT} export (format ${JSON.stringify(e.format)})`);
  if (!AUDIT_SUITES.includes(e.suite)) throw new CitySocError('INPUT_INVALID', `unknown algorithms suite ${JSON.stringify(e.suite)}`);
  const keys: TrustedKeys = resolveTrust(trust, e.publicKeys ?? []);
  const suite = e.suite;
  const ok = (c: AuditCheckpoint) => {
    const k = keys.byFingerprint.get(c.key);
    return !!k && k.suite === suite && c.suite === suite && k.verify(checkpointBytes(c), c.signature);
  };
  const base = { suite, trustedKeys: keys.described };
  const fail = (v: Partial<ExportVerification> & Pick<ExportVerification, 'checked'>): ExportVerification => ({ ...none, ...base, ...v, ok: false });
  const chainOf = (r: AuditRecord) => r.chain ?? 'local';

  let verified = 0;
  for (const c of e.checkpoints) {
    if (!ok(c))
      return fail({
        checked: 0,
        badCheckpoint: { chain: c.chain, seq: c.seq, problem: 'bad_signature' },
        firstBad: { seq: c.from, problem: 'untrusted_signature', chain: c.chain, upTo: c.seq },
      });
    verified++;
  }
  const cpsOf = (chain: string) => e.checkpoints.filter((c) => c.chain === chain);

  if (e.proofs) {
    // A filtered export: every record proven on its own.
    let proven = 0;
    for (const [i, r] of e.records.entries()) {
      const p = e.proofs[i];
      const { hash, ...rest } = r;
      if (hashRecord(rest, suite) !== hash) return fail({ checked: proven, firstBad: { seq: r.seq, chain: chainOf(r), problem: 'modified' } });
      const cp = p && cpsOf(p.chain).find((c) => c.seq === p.checkpoint);
      if (
        !p ||
        !cp ||
        p.chain !== chainOf(r) ||
        r.seq !== cp.from + p.index ||
        p.size !== cp.seq - cp.from + 1 ||
        !merkleVerify(suite, hash, p.index, p.size, p.path, cp.root)
      )
        return fail({
          checked: proven,
          proofsVerified: proven,
          checkpointsVerified: verified,
          firstBad: { seq: r.seq, chain: chainOf(r), problem: 'modified', detail: 'its inclusion proof does not lead to a trusted checkpoint' },
        });
      proven++;
    }
    if (e.proofs.length !== e.records.length)
      return fail({ checked: proven, firstBad: { seq: 0, problem: 'missing', detail: `${e.proofs.length} proofs for ${e.records.length} records` } });
    return finish({ ...none, ...base, ok: true, checked: proven, proofsVerified: proven, checkpointsVerified: verified }, e, keys);
  }

  // A contiguous export: chains in the order records appear.
  const byChain = new Map<string, AuditRecord[]>();
  for (const r of e.records) {
    const list = byChain.get(chainOf(r)) ?? [];
    list.push(r);
    byChain.set(chainOf(r), list);
  }
  let checked = 0;
  let unsigned = 0;
  for (const [chain, records] of byChain) {
    const first = records[0]!;
    // A partial export starts mid-chain: its first record's prevHash is where it hangs, vouched for by the checkpoints that follow.
    const check = new ChainCheck({ seq: first.seq - 1, hash: first.prevHash }, suite);
    for (const r of records) if (!check.next(r)) break;
    checked += check.checked;
    if (check.bad) return fail({ checked, checkpointsVerified: verified, firstBad: { ...check.bad, chain } });
    const bySeq = new Map(records.map((r, i) => [r.seq, i]));
    const last = records[records.length - 1]!.seq;
    let covered = first.seq - 1;
    for (const c of cpsOf(chain).sort((a, b) => a.seq - b.seq)) {
      const at = bySeq.get(c.seq);
      if (at === undefined) {
        if (c.seq > last)
          return fail({
            checked,
            checkpointsVerified: verified,
            badCheckpoint: { chain, seq: c.seq, problem: 'truncated' },
            firstBad: { seq: last + 1, chain, problem: 'truncated', upTo: c.seq },
          });
        continue;
      }
      if (records[at]!.hash !== c.hash)
        return fail({
          checked,
          checkpointsVerified: verified,
          badCheckpoint: { chain, seq: c.seq, problem: 'hash_mismatch' },
          firstBad: { seq: covered + 1, chain, problem: 'checkpoint_mismatch', upTo: c.seq },
        });
      const start = bySeq.get(c.from);
      if (
        start !== undefined &&
        merkleRoot(
          suite,
          records.slice(start, at + 1).map((r) => r.hash),
        ) !== c.root
      )
        return fail({
          checked,
          checkpointsVerified: verified,
          badCheckpoint: { chain, seq: c.seq, problem: 'root_mismatch' },
          firstBad: { seq: c.from, chain, problem: 'checkpoint_mismatch', upTo: c.seq },
        });
      covered = c.seq;
    }
    unsigned += last - covered;
  }
  return finish({ ...none, ...base, ok: true, checked, checkpointsVerified: verified, unsigned }, e, keys);
}

/** The manifest, when the export was signed at export time: count and digest of the records as they appear. */
function finish(v: ExportVerification, e: AuditExport, keys: TrustedKeys): ExportVerification {
  const m = e.manifest;
  if (!m) return v;
  const { signature, ...body } = m;
  const k = keys.byFingerprint.get(m.key);
  if (!k || !k.verify(manifestBytes(body), signature))
    return { ...v, ok: false, firstBad: { seq: 0, problem: 'untrusted_signature', detail: 'the export manifest is not signed by a trusted key' } };
  if (m.records !== e.records.length || m.digest !== manifestDigest(e.suite, e.records)) {
    const detail = `the export holds ${e.records.length} records; its signed manifest says ${m.records} with another digest`;
    const last = e.records[e.records.length - 1];
    return { ...v, ok: false, firstBad: { seq: (last?.seq ?? 0) + 1, problem: 'truncated', detail } };
  }
  return { ...v, manifest: 'verified' };
}
