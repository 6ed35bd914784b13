/**
 * The audit trail as an application service: auditors and data owners read it (data owners only
 * the records about their department, through the PDP's row filter) and check its chain; those who
 * read the whole trail export a filtered part of it with its proof (policy/audit/export.ts).
 */
import type { AuditCheckpoint, AuditRecord } from '../core/audit';
import type { TrailSigner } from '../core/audit-crypto';
import { defineAction, Refusal } from '../core/door';
import { CitySocError } from '../core/errors';
import type { AuditLog, AuditQuery } from '../core/ports/audit-log';
import { and } from '../core/query/ast';
import { exportTrail, type ExportFilter, toCsv } from './audit/export';

export interface AuditQueryInput {
  readonly actor?: string | null;
  readonly action?: string | null;
  readonly resource?: string | null;
  readonly decision?: AuditQuery['decision'] | null;
  readonly from?: string | null;
  readonly to?: string | null;
  readonly size?: number | null;
  readonly afterSeq?: number | null;
}

export interface AuditExportInput {
  readonly actor?: string | null;
  readonly action?: string | null;
  readonly resource?: string | null;
  readonly decision?: AuditQuery['decision'] | null;
  readonly from?: string | null;
  readonly to?: string | null;
  readonly format?: 'json' | 'csv' | null;
}

export interface AuditExportFile {
  readonly fileName: string;
  readonly contentType: string;
  readonly content: string;
}

export interface AuditExporting {
  /** Signs the trail's head before the export (so every exported record has its proof) and the export's manifest. */
  readonly signer: TrailSigner | null;
  /** The most records one export carries; a filter matching more is refused (narrow it). */
  readonly maxRecords?: number;
  /**
   * The most records read to build inclusion proofs: each checkpoint window a matched record falls
   * in is read whole, so a few records scattered over a long trail could otherwise read all of it.
   */
  readonly maxProofScan?: number;
}

/** An export is answered in one GraphQL response: its records, proofs and checkpoints are held in memory. */
export const AUDIT_EXPORT_MAX_RECORDS = 5_000;
export const AUDIT_EXPORT_MAX_PROOF_SCAN = 500_000;

const DECISIONS: readonly string[] = ['allow', 'deny', 'success', 'failure', 'info'];

const present = <T extends object>(i: T) => Object.fromEntries(Object.entries(i).filter(([, v]) => v !== null && v !== undefined && v !== ''));

function exportFilter(i: AuditExportInput): ExportFilter {
  for (const [k, v] of Object.entries(i))
    if (v !== null && v !== undefined && typeof v !== 'string') throw new CitySocError('INPUT_INVALID', `auditExport: ${k} must be a string`);
  for (const t of [i.from, i.to]) if (t && Number.isNaN(Date.parse(t))) throw new CitySocError('INPUT_INVALID', `auditExport: '${t}' is not an ISO 8601 time`);
  if (i.decision && !DECISIONS.includes(i.decision)) throw new CitySocError('INPUT_INVALID', `auditExport: decision must be one of ${DECISIONS.join(', ')}`);
  if (i.format && i.format !== 'json' && i.format !== 'csv') throw new CitySocError('INPUT_INVALID', 'auditExport: format must be json or csv');
  const { format: _format, ...filter } = present(i);
  return filter as ExportFilter;
}

export function auditTrailActions(audit: AuditLog, exporting: AuditExporting = { signer: null }) {
  const maxRecords = exporting.maxRecords ?? AUDIT_EXPORT_MAX_RECORDS;
  const maxProofScan = exporting.maxProofScan ?? AUDIT_EXPORT_MAX_PROOF_SCAN;
  /** How many records the proofs of these records read: the sizes of the signed windows they fall in. */
  const proofScan = async (rows: readonly AuditRecord[]) => {
    const byChain = new Map<string, AuditCheckpoint[]>();
    for (const c of await audit.checkpoints()) byChain.set(c.chain, [...(byChain.get(c.chain) ?? []), c]);
    const windows = new Map<AuditCheckpoint, number>();
    for (const r of rows) {
      const cps = r.chain !== undefined ? (byChain.get(r.chain) ?? []) : [...byChain.values()].flat();
      const cp = cps.find((c) => c.from <= r.seq && r.seq <= c.seq);
      if (cp) windows.set(cp, cp.seq - cp.from + 1);
    }
    return [...windows.values()].reduce((a, b) => a + b, 0);
  };
  return {
    query: defineAction({
      name: 'audit.query',
      permission: 'audit:read',
      details: (i: AuditQueryInput) => Object.fromEntries(Object.entries(i).filter(([, v]) => v !== null && v !== undefined)),
      run: async (ctx, i: AuditQueryInput) => {
        const q = Object.fromEntries(Object.entries(i).filter(([, v]) => v !== null && v !== undefined)) as AuditQuery;
        for (const t of [q.from, q.to])
          if (t !== undefined && Number.isNaN(Date.parse(t))) throw new CitySocError('INPUT_INVALID', `'${t}' is not an ISO 8601 time`);
        if (q.size !== undefined && (!Number.isInteger(q.size) || q.size < 1 || q.size > 10_000))
          throw new CitySocError('INPUT_INVALID', 'size must be 1..10000');
        const scope = ctx.scope('audit');
        return scope.treat(await audit.query({ ...q, ...(scope.filters.length ? { filter: and(...scope.filters) } : {}) }));
      },
    }),
    verify: defineAction({
      name: 'audit.verify',
      permission: 'audit:read',
      run: async (ctx) => {
        // The whole chain: only for those who may read all of it.
        ctx.require({ type: 'audit' });
        const v = await audit.verify();
        ctx.note({ ok: v.ok, checked: v.checked });
        return { ok: v.ok, checked: v.checked, firstBadSeq: v.firstBad?.seq ?? null, problem: v.firstBad?.problem ?? null };
      },
    }),
    exportWithProof: defineAction({
      name: 'audit.export',
      permission: 'audit:read',
      resource: () => 'audit',
      details: (i: AuditExportInput) => present(i),
      run: async (ctx, i: AuditExportInput): Promise<AuditExportFile> => {
        const filter = exportFilter(i);
        const format = i.format ?? 'json';
        // The proof covers records exactly as stored: a caller who reads only part of the trail
        // (a data owner's row filter) or reads it masked cannot be handed records with their proof.
        const scope = ctx.scope('audit');
        if (scope.filters.length > 0 || scope.view.restricted)
          throw new Refusal(
            'FORBIDDEN',
            `auditExport: ${ctx.actor.name} reads only part of the audit trail; an export with proof is for those who read all of it (auditors)`,
            'policy: the audit trail is read through a row filter or masks',
          );
        const q = filter as AuditQuery;
        const matched = await audit.query({ ...q, size: maxRecords + 1 });
        if (matched.length > maxRecords)
          throw new CitySocError(
            'LIMIT_EXCEEDED',
            `auditExport: the filter matches more than ${maxRecords} audit records, the most one export carries; narrow it (actor, action, resource, decision, from/to)`,
            { limit: maxRecords },
          );
        const scan = Object.keys(filter).length ? await proofScan(matched) : 0;
        if (scan > maxProofScan)
          throw new CitySocError(
            'LIMIT_EXCEEDED',
            `auditExport: the ${matched.length} matching records are spread over signed windows of ${scan} records, more than the ${maxProofScan} one export reads for its proofs; narrow the time range (from/to)`,
            { limit: maxProofScan },
          );
        const e = await exportTrail(audit, {
          signer: exporting.signer,
          signHead: exporting.signer !== null,
          clock: () => ctx.now,
          ...(Object.keys(filter).length ? { filter } : {}),
        });
        ctx.note({
          format,
          records: e.records.length,
          checkpoints: e.checkpoints.length,
          ...(exporting.signer ? { key: exporting.signer.publicKey.fingerprint } : {}),
        });
        const stamp = ctx.now.toISOString().replace(/[:.]/g, '-');
        return format === 'csv'
          ? { fileName: `citysoc-audit-${stamp}.csv`, contentType: 'text/csv; charset=utf-8', content: toCsv(e) }
          : { fileName: `citysoc-audit-${stamp}.json`, contentType: 'application/json', content: JSON.stringify(e, null, 1) };
      },
    }),
  };
}

export type AuditTrailActions = ReturnType<typeof auditTrailActions>;
