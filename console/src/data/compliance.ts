/**
 * Evidence for auditors. The 等保 2.0 (GB/T 22239-2019) third-level evidence report from live data: the page reads it as
 * JSON (every requirement with met / partial / gap, its evidence and its gaps) and downloads it as
 * HTML, PDF or JSON, the same report the CLI writes. The audit trail's records a filter matches,
 * exported with their proof (signed checkpoints, inclusion proofs, a signed manifest), verifiable
 * offline with `citysoc audit verify-export`.
 */
import { graphql } from './graphql';

export const REPORT_FORMATS = ['html', 'pdf', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
export type ComplianceStatus = 'met' | 'partial' | 'gap';

export interface Text {
  zh: string;
  en: string;
}

export interface ComplianceItem {
  id: string;
  area: Text;
  requirement: Text;
  status: ComplianceStatus;
  evidence: Text[];
  gaps: Text[];
}

export interface ComplianceReport {
  standard: string;
  level: number;
  title: Text;
  evidence: { period: { from?: string; to?: string }; generatedAt: string };
  items: ComplianceItem[];
  summary: { met: number; partial: number; gap: number };
}

export interface ReportRange {
  from?: string;
  to?: string;
}

export interface RenderedReport {
  summary: { met: number; partial: number; gap: number };
  format: ReportFormat;
  content: string;
}

const REPORT = /* GraphQL */ `
  query ComplianceReport($from: String, $to: String, $format: String) {
    complianceReport(standard: "gb22239-2019", level: 3, from: $from, to: $to, format: $format) {
      summary {
        met
        partial
        gap
      }
      format
      content
    }
  }
`;

const range = (r: ReportRange) => ({ ...(r.from ? { from: r.from } : {}), ...(r.to ? { to: r.to } : {}) });

export async function renderReport(r: ReportRange, format: ReportFormat): Promise<RenderedReport> {
  return (await graphql<{ complianceReport: RenderedReport }>(REPORT, { ...range(r), format })).complianceReport;
}

export async function complianceReport(r: ReportRange): Promise<ComplianceReport> {
  return JSON.parse((await renderReport(r, 'json')).content) as ComplianceReport;
}

const TYPES: Readonly<Record<ReportFormat, string>> = {
  html: 'text/html;charset=utf-8',
  pdf: 'application/pdf',
  json: 'application/json',
};

/** The rendered report as a file: the PDF comes base64-encoded. */
export function reportFile(r: RenderedReport, generatedAt: Date): { name: string; blob: Blob } {
  const body = r.format === 'pdf' ? Uint8Array.from(atob(r.content), (c) => c.charCodeAt(0)) : r.content;
  const stamp = generatedAt.toISOString().slice(0, 10);
  return { name: `citysoc-gb22239-2019-level3-${stamp}.${r.format}`, blob: new Blob([body], { type: TYPES[r.format] }) };
}

export interface ExportFile {
  fileName: string;
  contentType: string;
  content: string;
}

export const AUDIT_EXPORT_FORMATS = ['json', 'csv'] as const;
export type AuditExportFormat = (typeof AUDIT_EXPORT_FORMATS)[number];

const AUDIT_EXPORT = /* GraphQL */ `
  query AuditExport($actor: String, $action: String, $resource: String, $decision: AuditDecision, $from: String, $to: String, $format: AuditExportFormat) {
    auditExport(actor: $actor, action: $action, resource: $resource, decision: $decision, from: $from, to: $to, format: $format) {
      fileName
      contentType
      content
    }
  }
`;

/** The audit list's filter (empty values left out) exported with its proof. */
export async function exportAuditTrail(filter: Record<string, unknown>, format: AuditExportFormat): Promise<{ name: string; blob: Blob }> {
  const vars: Record<string, unknown> = { format };
  for (const k of ['actor', 'action', 'resource', 'decision', 'from', 'to'] as const) {
    const v = filter[k];
    if (typeof v === 'string' && v.trim() !== '') vars[k] = v;
  }
  const f = (await graphql<{ auditExport: ExportFile }>(AUDIT_EXPORT, vars)).auditExport;
  return { name: f.fileName, blob: new Blob([f.content], { type: f.contentType }) };
}
