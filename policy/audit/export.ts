/**
 * Audit exports with their proof, verifiable offline (verify-export.ts) in JSON or CSV:
 *   - the records, in chain order as read (a verifier checks the order as exported);
 *   - the signed checkpoints that cover them, the public keys stored beside the trail (trusted only
 *     through a pinned fingerprint) and the algorithms;
 *   - a filtered export (by actor, resource, time) carries, for each record, its Merkle inclusion
 *     proof to the checkpoint that signed its window: the records need not be contiguous;
 *   - a manifest signed at export time over the sequence of record hashes, so a record removed from
 *     the end of the file or the export cut short is found too.
 */
import type { AuditCheckpoint, AuditRecord } from '../../core/audit';
import { merklePath } from '../../core/audit-chain';
import { type AuditSuite, digest, SUITE_ALGORITHMS, type TrailSigner } from '../../core/audit-crypto';
import { canonicalJson } from '../../core/canonical';
import type { AuditLog, AuditQuery } from '../../core/ports/audit-log';
import type { QueryNode } from '../../core/query/ast';

export const EXPORT_FORMAT = 'citysoc-audit-export/2';

export interface InclusionProof {
  /** The checkpoint (its chain and seq) whose Merkle root covers the record. */
  readonly chain: string;
  readonly checkpoint: number;
  readonly index: number;
  readonly size: number;
  readonly path: readonly string[];
}

export interface ExportManifest {
  readonly exportedAt: string;
  readonly suite: AuditSuite;
  readonly key: string;
  readonly records: number;
  /** H(hash₁ ‖ hash₂ ‖ …) over the records in export order. */
  readonly digest: string;
  readonly signature: string;
}

export interface ExportFilter {
  readonly actor?: string;
  readonly action?: string;
  readonly resource?: string;
  readonly decision?: AuditRecord['decision'];
  readonly from?: string;
  readonly to?: string;
}

export interface AuditExport {
  readonly format: typeof EXPORT_FORMAT;
  readonly exportedAt: string;
  readonly suite: AuditSuite;
  readonly algorithms: { readonly hash: string; readonly signature: string; readonly merkle: string };
  readonly filter?: ExportFilter;
  /** The reader's row filter the export was limited to (a department data owner's), as text; absent: the whole trail was readable. */
  readonly scope?: string;
  readonly records: AuditRecord[];
  /** For a filtered export: proofs[i] proves records[i]. */
  readonly proofs?: InclusionProof[];
  readonly checkpoints: AuditCheckpoint[];
  readonly publicKeys: string[];
  readonly manifest?: ExportManifest;
}

export function algorithmsOf(suite: AuditSuite): AuditExport['algorithms'] {
  return { ...SUITE_ALGORITHMS[suite], merkle: `RFC 9162 tree hash with ${SUITE_ALGORITHMS[suite].hash}` };
}

export function manifestDigest(suite: AuditSuite, records: readonly AuditRecord[]): string {
  return digest(suite, ...records.map((r) => r.hash)).toString('hex');
}

export function manifestBytes(m: Omit<ExportManifest, 'signature'>): Buffer {
  return Buffer.from(canonicalJson(m), 'utf8');
}

const PAGE = 10_000;

/** Every record of one chain in sequence order from afterSeq, up to toSeq. */
async function* chainRecords(audit: AuditLog, chain: string | undefined, afterSeq: number, toSeq: number): AsyncGenerator<AuditRecord> {
  let after = afterSeq;
  for (;;) {
    const page = await audit.query({ afterSeq: after, size: PAGE, ...(chain !== undefined ? { chain } : {}) });
    for (const r of page) {
      if (r.seq > toSeq) return;
      yield r;
    }
    if (page.length < PAGE) return;
    after = page[page.length - 1]!.seq;
  }
}

export interface ExportOptions {
  readonly fromSeq?: number;
  readonly toSeq?: number;
  readonly filter?: ExportFilter;
  /**
   * The reader's row filter (core/authz scope): only records it matches are exported, each with
   * its inclusion proof, as for a filtered export (an empty filter with a scope is one too).
   */
  readonly scope?: { readonly node: QueryNode; readonly text: string };
  /** Signs the manifest (and, unless signHead is false, the trail's head first, so every exported record is covered). */
  readonly signer?: TrailSigner | null;
  readonly signHead?: boolean;
  readonly clock?: () => Date;
}

export async function exportTrail(audit: AuditLog, opts: ExportOptions = {}): Promise<AuditExport> {
  if (opts.signer && opts.signHead !== false) await audit.checkpoint('manual');
  const exportedAt = (opts.clock ?? (() => new Date()))().toISOString();
  const suite = audit.suite;
  const records: AuditRecord[] = [];
  const checkpoints: AuditCheckpoint[] = [];
  const chainNames = new Set<string>();
  for await (const scan of audit.scan()) chainNames.add(scan.chain);
  const all = await audit.checkpoints();
  let proofs: InclusionProof[] | undefined;
  const filter = opts.filter ?? (opts.scope ? {} : undefined);
  if (!filter) {
    const from = (opts.fromSeq ?? 1) - 1;
    const to = opts.toSeq ?? Number.MAX_SAFE_INTEGER;
    for (const chain of chainNames) {
      const own = chainNames.size > 1 ? chain : undefined;
      let first = 0;
      let last = 0;
      for await (const r of chainRecords(audit, own, from, to)) {
        records.push(r);
        first ||= r.seq;
        last = r.seq;
      }
      checkpoints.push(...all.filter((c) => c.chain === chain && c.seq >= first && c.seq <= last));
    }
  } else {
    proofs = [];
    const q: AuditQuery = {
      ...(filter.actor ? { actor: filter.actor } : {}),
      ...(filter.action ? { action: filter.action } : {}),
      ...(filter.resource ? { resource: filter.resource } : {}),
      ...(filter.decision ? { decision: filter.decision } : {}),
      ...(filter.from ? { from: filter.from } : {}),
      ...(filter.to ? { to: filter.to } : {}),
      ...(opts.scope ? { filter: opts.scope.node } : {}),
    };
    const windows = new Map<string, string[]>();
    const used = new Set<AuditCheckpoint>();
    for (const chain of chainNames) {
      const cps = all.filter((c) => c.chain === chain);
      let after = 0;
      for (;;) {
        const page = (await audit.query({ ...q, afterSeq: after, size: PAGE, ...(chainNames.size > 1 ? { chain } : {}) })).filter(
          (r) => (r.chain ?? chain) === chain,
        );
        for (const r of page) {
          const cp = cps.find((c) => c.from <= r.seq && r.seq <= c.seq);
          // A record no checkpoint covers yet (the trail has no signer) is exported without a proof; verification says so.
          if (!cp) continue;
          const key = `${chain}\u0000${cp.seq}`;
          let hashes = windows.get(key);
          if (!hashes) {
            hashes = [];
            for await (const w of chainRecords(audit, chainNames.size > 1 ? chain : undefined, cp.from - 1, cp.seq)) hashes.push(w.hash);
            windows.set(key, hashes);
          }
          records.push(r);
          used.add(cp);
          proofs.push({ chain, checkpoint: cp.seq, index: r.seq - cp.from, size: cp.seq - cp.from + 1, path: merklePath(suite, hashes, r.seq - cp.from) });
        }
        if (page.length < PAGE) break;
        after = page[page.length - 1]!.seq;
      }
    }
    checkpoints.push(...[...used].sort((a, b) => a.chain.localeCompare(b.chain) || a.seq - b.seq));
  }
  let manifest: ExportManifest | undefined;
  if (opts.signer) {
    const body = { exportedAt, suite, key: opts.signer.publicKey.fingerprint, records: records.length, digest: manifestDigest(suite, records) };
    manifest = { ...body, signature: opts.signer.sign(manifestBytes(body)) };
  }
  return {
    format: EXPORT_FORMAT,
    exportedAt,
    suite,
    algorithms: algorithmsOf(suite),
    ...(filter ? { filter } : {}),
    ...(opts.scope ? { scope: opts.scope.text } : {}),
    records,
    ...(proofs ? { proofs } : {}),
    checkpoints,
    publicKeys: await audit.publicKeys(),
    ...(manifest ? { manifest } : {}),
  };
}

/** CSV columns: readable ones, then the record as its hash covers it (canonical JSON) and the hash. */
export const CSV_COLUMNS = [
  'chain',
  'seq',
  'at',
  'actor',
  'actorType',
  'action',
  'resource',
  'decision',
  'reason',
  'sourceIp',
  'details',
  'record',
  'hash',
] as const;

/** A cell's text before CSV quoting: cells a spreadsheet would run as formulas get a leading '. */
export function csvText(v: unknown): string {
  const s = v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

export function csvCell(v: unknown): string {
  const s = csvText(v);
  return /^'|[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRow(r: AuditRecord): string {
  const { hash, ...rest } = r;
  const readable = CSV_COLUMNS.slice(0, -2).map((c) => csvCell(r[c as keyof AuditRecord]));
  return [...readable, csvCell(canonicalJson(rest)), csvCell(hash)].join(',');
}

/**
 * CSV for spreadsheets and for verification: one row per record (the `record` column is the exact
 * JSON its hash covers, the readable columns must agree with it), then one `#proof` row holding
 * everything else of the export (algorithms, checkpoints, keys, proofs, manifest) as JSON.
 */
export function toCsv(e: AuditExport): string {
  const rows = [CSV_COLUMNS.join(',')];
  for (const r of e.records) rows.push(csvRow(r));
  const { records: _records, ...proof } = e;
  rows.push(`#proof,${csvCell(JSON.stringify(proof))}`);
  return rows.join('\r\n') + '\r\n';
}
