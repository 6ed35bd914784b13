/**
 * The audit trail as an application service: auditors and data owners read it (data owners only
 * the records about their department, through the PDP's row filter) and check its chain; both
 * export what they read, filtered, with its proof (policy/audit/export.ts): a data owner's export
 * is limited by the same row filter as their reads, each record proven on its own.
 */
import type { AuditCheckpoint, AuditRecord } from '../core/audit';
import type { TrailSigner } from '../core/audit-crypto';
import { defineAction, Refusal } from '../core/door';
import { z } from 'zod';
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

/** The configuration key of the export's bounds (the policy module's section). */
export const AUDIT_EXPORT_CONFIG_KEY = 'auditExport';

/**
 * auditExport's bounds. The maxima keep one export within what one response can hold (records with
 * proofs run to about 2 KB each) and what one request may read from the trail.
 */
export const AuditExportConfig = z
  .strictObject({
    /** The most records one export carries; a filter matching more is refused (narrow it). */
    maxRecords: z.coerce.number().int().min(1).max(50_000).default(AUDIT_EXPORT_MAX_RECORDS),
    /** The most records read to build one export's inclusion proofs (the signed windows its records fall in). */
    maxProofScan: z.coerce.number().int().min(1_000).max(5_000_000).default(AUDIT_EXPORT_MAX_PROOF_SCAN),
  })
  .prefault({});
export type AuditExportConfig = z.infer<typeof AuditExportConfig>;

const DECISIONS: readonly string[] = ['allow', 'deny', 'success', 'failure', 'info'];

const present = <T extends object>(i: T) => Object.fromEntries(Object.entries(i).filter(([, v]) => v !== null && v !== undefined && v !== ''));

/** The longest filter value a query or export takes: names, actions and times are far shorter. */
export const AUDIT_FILTER_MAX = 1024;

/**
 * The input as the trail keeps it: recorded before it is checked, so a value past the bound is kept
 * as its length only (one call must not write a megabyte into the trail).
 */
const audited = (i: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(i).map(([k, v]) => {
      const text = typeof v === 'string' ? v : (JSON.stringify(v) ?? '');
      return [k, text.length <= AUDIT_FILTER_MAX ? v : { tooLong: text.length }];
    }),
  );

function checkLengths(i: object, what: string): void {
  for (const [k, v] of Object.entries(i))
    if (typeof v === 'string' && v.length > AUDIT_FILTER_MAX)
      throw new CitySocError('INPUT_INVALID', `${what}: ${k} is ${v.length} characters, more than the ${AUDIT_FILTER_MAX} a filter takes`);
}

const EXPORT_INPUTS: readonly string[] = ['actor', 'action', 'resource', 'decision', 'from', 'to', 'format'];

function exportFilter(i: AuditExportInput): ExportFilter {
  // Only the filter's own keys reach the store's query: a caller's afterSeq, size, chain or query
  // node would change what is read past the checks below.
  for (const k of Object.keys(i)) if (!EXPORT_INPUTS.includes(k)) throw new CitySocError('INPUT_INVALID', `auditExport: unknown argument ${k}`);
  for (const [k, v] of Object.entries(i))
    if (v !== null && v !== undefined && typeof v !== 'string') throw new CitySocError('INPUT_INVALID', `auditExport: ${k} must be a string`);
  checkLengths(i, 'auditExport');
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
      details: (i: AuditQueryInput) => audited(Object.fromEntries(Object.entries(i).filter(([, v]) => v !== null && v !== undefined))),
      run: async (ctx, i: AuditQueryInput) => {
        checkLengths(i, 'auditRecords');
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
      details: (i: AuditExportInput) => audited(present(i)),
      run: async (ctx, i: AuditExportInput): Promise<AuditExportFile> => {
        const filter = exportFilter(i);
        const format = i.format ?? 'json';
        const scope = ctx.scope('audit');
        // The proof covers records exactly as stored: a caller who reads the trail masked cannot be
        // handed records with their proof.
        if (scope.view.restricted)
          throw new Refusal(
            'FORBIDDEN',
            `auditExport: ${ctx.actor.name} reads the audit trail with masked fields; an export with proof carries records as stored`,
            'policy: the audit trail is read through masks',
          );
        // A data owner's row filter limits the export exactly as it limits auditRecords: every read
        // below (the count, the records) goes through it; only the hashes of the signed windows
        // are read whole, for the inclusion proofs.
        const rowFilter = scope.filters.length > 0 ? { node: and(...scope.filters), text: scope.decision.obligations.rowFilter?.query ?? '' } : undefined;
        if (rowFilter) ctx.note({ scope: rowFilter.text });
        const q = filter as AuditQuery;
        const matched = await audit.query({ ...q, ...(rowFilter ? { filter: rowFilter.node } : {}), size: maxRecords + 1 });
        if (matched.length > maxRecords)
          throw new CitySocError(
            'LIMIT_EXCEEDED',
            `auditExport: the filter matches more than ${maxRecords} audit records, the most one export carries; narrow it (actor, action, resource, decision, from/to)`,
            { limit: maxRecords },
          );
        const filtered = Object.keys(filter).length > 0 || rowFilter !== undefined;
        const scan = filtered ? await proofScan(matched) : 0;
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
          ...(rowFilter ? { scope: rowFilter } : {}),
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
