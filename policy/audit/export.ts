/**
 * Audit exports with their proof: the records (each with prevHash and hash), the signed
 * checkpoints that fall in the range, and the public key, so verify-export.ts can check the
 * export on another machine without access to CitySOC.
 */
import type { AuditRecord } from '../../core/audit';
import type { AuditLog } from '../../core/ports/audit-log';
import type { AuditCheckpoints, Checkpoint } from './checkpoints';

export const EXPORT_FORMAT = 'citysoc-audit-export/1';

export interface AuditExport {
  readonly format: typeof EXPORT_FORMAT;
  readonly exportedAt: string;
  readonly records: AuditRecord[];
  readonly checkpoints: Checkpoint[];
  readonly publicKey: string;
}

/** Records from fromSeq (inclusive) to toSeq, oldest first. */
export async function exportTrail(
  audit: AuditLog,
  checkpoints: AuditCheckpoints,
  publicKey: string,
  range: { fromSeq?: number; toSeq?: number } = {},
): Promise<AuditExport> {
  const records: AuditRecord[] = [];
  let after = (range.fromSeq ?? 1) - 1;
  const to = range.toSeq ?? Number.MAX_SAFE_INTEGER;
  for (;;) {
    const page = await audit.query({ afterSeq: after, size: 10_000 });
    for (const r of page) if (r.seq <= to) records.push(r);
    if (page.length < 10_000 || page[page.length - 1]!.seq >= to) break;
    after = page[page.length - 1]!.seq;
  }
  const first = records[0]?.seq ?? 0;
  const last = records[records.length - 1]?.seq ?? 0;
  return { format: EXPORT_FORMAT, exportedAt: new Date().toISOString(), records, checkpoints: checkpoints.list(first, last), publicKey };
}

const CSV_COLUMNS = ['seq', 'at', 'actor', 'actorType', 'action', 'resource', 'decision', 'reason', 'sourceIp', 'details', 'prevHash', 'hash'] as const;

function cell(v: unknown): string {
  const s = v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  return /[",\r\n]/.test(s) || /^[=+\-@]/.test(s) ? `"${(/^[=+\-@]/.test(s) ? "'" : '') + s.replace(/"/g, '""')}"` : s;
}

/**
 * CSV for spreadsheets: one row per record, then the checkpoints and the public key as trailing
 * comment rows. Cells that a spreadsheet would run as formulas are prefixed with '. The JSON
 * export is the one to verify: CSV cells are for reading.
 */
export function toCsv(e: AuditExport): string {
  const rows = [CSV_COLUMNS.join(',')];
  for (const r of e.records) rows.push(CSV_COLUMNS.map((c) => cell(r[c as keyof AuditRecord])).join(','));
  for (const c of e.checkpoints) rows.push(`# checkpoint,${c.seq},${c.hash},${c.at},${c.signature}`);
  rows.push(`# public key,${cell(e.publicKey)}`);
  return rows.join('\r\n') + '\r\n';
}
