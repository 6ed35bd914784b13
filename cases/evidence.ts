/**
 * A case's evidence, verifiable offline: the case, its alerts and events, and the stretch of the
 * audit trail from the first record that touches the case to the last (extended to the next
 * signed checkpoint when there is one), with every hash; for someone who may read the case but
 * not the whole trail, only the records about the case, each with its inclusion proof. The file is an audit export
 * (policy/audit/export.ts format) with the case under `evidence`, so `citysoc audit verify-export`
 * checks its chain and signatures as they are, and verifyCaseEvidence() checks the rest: each
 * hash, and that the case is the very version the trail's own records vouch for.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Alert } from '../core/alert';
import type { AuditRecord } from '../core/audit';
import { canonicalJson } from '../core/canonical';
import type { Case } from '../core/case';
import { type Doc, getField } from '../core/doc';
import { type ActionContext, defineAction } from '../core/door';
import { CitySocError } from '../core/errors';
import type { EcsEvent } from '../core/event';
import type { QueryNode } from '../core/query/ast';
import { type AuditExport, toCsv } from '../policy/audit/export';
import type { TrustAnchor } from '../policy/audit/trust';
import { type ExportVerification, parseExport, verifyExport } from '../policy/audit/verify-export';
import type { CasesDeps } from './deps';
import { Id, parseInput } from './input';
import { alertItem, eventItem, requireCase } from './items';

export const EVIDENCE_FORMAT = 'citysoc-case-evidence/1';

export interface CaseEvidence extends AuditExport {
  readonly evidence: {
    readonly format: typeof EVIDENCE_FORMAT;
    readonly exportedBy: string;
    readonly case: Case;
    readonly alerts: Alert[];
    readonly events: EcsEvent[];
    /** What the case links but the export does not carry: not visible to the exporter, gone, or beyond the event bound. */
    readonly omitted: { readonly alerts: string[]; readonly events: string[] };
    /** Sequence numbers of the records in the export that touch the case, its alerts or the cases merged into it. */
    readonly touching: number[];
    readonly hashes: { readonly case: string; readonly alerts: Record<string, string>; readonly events: Record<string, string> };
    /** SHA-256 over the canonical JSON of the hashes, the touching list and the omissions. */
    readonly manifest: string;
  };
}

export function sha256(v: unknown): string {
  return createHash('sha256').update(canonicalJson(v)).digest('hex');
}

function manifestOf(ev: Pick<CaseEvidence['evidence'], 'hashes' | 'touching' | 'omitted'>): string {
  return sha256({ hashes: ev.hashes, touching: ev.touching, omitted: ev.omitted });
}

/** Alerts whose audit records an export looks up one by one; beyond this, only case records. */
const MAX_ALERT_RESOURCES = 200;

/** The audit records that touch the case, the cases merged into it, and these alerts, in sequence order. */
async function touchingRecords(deps: CasesDeps, c: Case, alertIds: readonly string[]): Promise<AuditRecord[]> {
  const keyword = (field: string, value: string): QueryNode => ({ type: 'keyword', field, value });
  const cases = [c.id, ...c.mergedFrom];
  const nodes: QueryNode[] = [
    ...cases.map((id) => keyword('resource', `case:${id}`)),
    ...cases.map((id) => keyword('details.cases', id)),
    ...(alertIds.length <= MAX_ALERT_RESOURCES ? alertIds.map((a) => keyword('resource', `alert:${a}`)) : []),
  ];
  const out: AuditRecord[] = [];
  let after = 0;
  for (;;) {
    const page = await deps.audit.query({ filter: { type: 'or', children: nodes }, afterSeq: after, size: 10_000 });
    out.push(...page);
    if (page.length < 10_000) return out;
    after = page[page.length - 1]!.seq;
  }
}

/**
 * Whether the caller may read the whole audit trail (an auditor, an administrator): then the export
 * carries the stretch of the trail from the first record about the case to the last, whole. Anyone
 * else who may read the case (its department's analyst) gets only the records about the case and
 * the alerts it carries, each with its inclusion proof: the same proof, none of other departments' records.
 */
function readsWholeTrail(ctx: ActionContext): boolean {
  const d = ctx.decide({ type: 'audit' }, 'read');
  return d.decision === 'allow' && !d.obligations.rowFilter;
}

export function evidenceActions(deps: CasesDeps) {
  const build = async (ctx: ActionContext, id: string): Promise<CaseEvidence> => {
    if (!deps.trail) throw new CitySocError('UNAVAILABLE', 'case exports need the audit trail export, which this platform does not run');
    const c = await deps.cases.get(id);
    if (!c) throw new CitySocError('NOT_FOUND', `no case ${id}`);
    const decisions = requireCase(ctx, c, 'read');
    const whole = readsWholeTrail(ctx);
    let kase = c;
    for (const d of decisions) kase = deps.door.authorizer.view(d.obligations.fields).treat(kase as never) as unknown as Case;

    const alerts: Alert[] = [];
    const omittedAlerts: string[] = [];
    for (const aid of c.alertIds) {
      const a = await deps.alerts.get(aid);
      const d = a ? ctx.visible(alertItem(a)) : null;
      if (!a || !d) omittedAlerts.push(aid);
      else alerts.push(deps.door.authorizer.view(d.obligations.fields).treat(a as never) as unknown as Alert);
    }
    const events: EcsEvent[] = [];
    const omittedEvents: string[] = [];
    for (const [n, eid] of c.eventIds.entries()) {
      const e = n < deps.config.exportMaxEvents ? await deps.events.get(eid) : null;
      const d = e ? ctx.visible({ ...eventItem(e), id: eid }) : null;
      if (!e || !d) omittedEvents.push(eid);
      else events.push(deps.door.authorizer.view(d.obligations.fields).treat(e as Doc) as EcsEvent);
    }

    // the records of alerts the export leaves out are left out too; and for one who may not read
    // the trail, refusals and failures (who else tried to reach the case, from where) are the
    // audit's business: a call with bad input fails before anyone judges whether its caller may
    // read the case, so a failure naming the case may come from another department
    const records = (await touchingRecords(deps, c, whole ? c.alertIds : alerts.map((a) => a.id))).filter(
      (r) => whole || (r.decision !== 'deny' && r.decision !== 'failure'),
    );
    const touching = records.map((r) => r.seq);
    if (touching.length === 0) throw new CitySocError('CONFLICT', `no audit record touches case ${id} yet on this node's trail`);
    const fromSeq = touching[0]!;
    let toSeq = touching[touching.length - 1]!;
    const limit = deps.config.exportMaxAuditRecords;
    let trail: AuditExport;
    if (whole) {
      const signed = await deps.trail.checkpointAtOrAfter(toSeq);
      if (signed !== null && signed - fromSeq + 1 <= limit) toSeq = signed;
      if (toSeq - fromSeq + 1 > limit)
        throw new CitySocError(
          'LIMIT_EXCEEDED',
          `case ${id} is touched by audit records ${fromSeq}..${toSeq}: ${toSeq - fromSeq + 1} records, more than the ${limit} an export carries (cases.exportMaxAuditRecords)`,
        );
      trail = await deps.trail.export({ fromSeq, toSeq });
    } else {
      if (records.length > limit)
        throw new CitySocError(
          'LIMIT_EXCEEDED',
          `case ${id} is touched by ${records.length} audit records, more than the ${limit} an export carries (cases.exportMaxAuditRecords)`,
        );
      trail = await deps.trail.exportRecords(records);
    }
    const hashes = {
      case: sha256(kase),
      alerts: Object.fromEntries(alerts.map((a) => [a.id, sha256(a)])),
      events: Object.fromEntries(events.map((e) => [String(getField(e as Doc, 'event.id')), sha256(e)])),
    };
    const omitted = { alerts: omittedAlerts, events: omittedEvents };
    const manifest = manifestOf({ hashes, touching, omitted });
    ctx.note({ manifest, fromSeq, toSeq, caseVersion: kase.version, proof: whole ? 'trail' : 'records' });
    return {
      ...trail,
      evidence: { format: EVIDENCE_FORMAT, exportedBy: ctx.actor.name, case: kase, alerts, events, omitted, touching, hashes, manifest },
    };
  };

  const ExportInput = z.strictObject({ id: Id, format: z.enum(['json', 'csv', 'html']).default('json') });
  const exportCase = defineAction({
    name: 'cases.export',
    permission: 'cases:read',
    resource: (i: z.input<typeof ExportInput>) => `case:${i.id}`,
    details: (i) => ({ format: i.format ?? 'json' }),
    run: async (ctx, raw: z.input<typeof ExportInput>) => {
      const i = parseInput(ExportInput, raw, 'cases.export');
      const e = await build(ctx, i.id);
      const stamp = ctx.now.toISOString().replace(/[:.]/g, '-');
      if (i.format === 'html')
        return {
          fileName: `${i.id}-${stamp}.html`,
          contentType: 'text/html; charset=utf-8',
          content: evidenceHtml(e, verifyCaseEvidence(e, { fingerprints: deps.trail ? [deps.trail.fingerprint] : [], keys: [] })),
        };
      // the audit CSV (policy/audit/export.ts): one row per record, the rest (the case, its hashes) in the #proof row
      if (i.format === 'csv') return { fileName: `${i.id}-${stamp}.csv`, contentType: 'text/csv; charset=utf-8', content: toCsv(e) };
      return { fileName: `${i.id}-${stamp}.json`, contentType: 'application/json', content: JSON.stringify(e, null, 2) };
    },
  });
  return { exportCase };
}

export interface EvidenceVerification {
  readonly ok: boolean;
  /** Each problem names the record, case, alert or event it is about. */
  readonly problems: string[];
  readonly audit: ExportVerification;
  /** The audit record that vouches for the case's version and hash. */
  readonly caseVouchedBy: number | null;
}

function describeAudit(v: ExportVerification): string[] {
  const out: string[] = [];
  if (v.firstBad) out.push(`audit record ${v.firstBad.seq} is ${v.firstBad.problem.replace('_', ' ')}`);
  if (v.badCheckpoint) out.push(`the checkpoint at audit record ${v.badCheckpoint.seq} has a ${v.badCheckpoint.problem.replace('_', ' ')}`);
  if (!v.ok && out.length === 0) out.push('the audit part is not a citysoc-audit-export/2');
  return out;
}

/** Reads a case export file, JSON or CSV (the audit CSV with the case in its #proof row). */
export function readCaseEvidence(text: string): CaseEvidence {
  return parseExport(text) as CaseEvidence;
}

/** Checks a case export offline: the audit part (verify-export.ts), every hash, and the case against the trail. */
export function verifyCaseEvidence(e: CaseEvidence, trust: TrustAnchor): EvidenceVerification {
  const audit = verifyExport(e, trust);
  const problems = describeAudit(audit);
  const ev = e.evidence;
  if (!ev || ev.format !== EVIDENCE_FORMAT) return { ok: false, problems: [...problems, `not a ${EVIDENCE_FORMAT} export`], audit, caseVouchedBy: null };
  const c = ev.case;
  if (sha256(c) !== ev.hashes.case) problems.push(`case ${c.id}: its content does not match its hash`);
  for (const a of ev.alerts) if (sha256(a) !== ev.hashes.alerts[a.id]) problems.push(`alert ${a.id}: its content does not match its hash`);
  for (const x of ev.events) {
    const id = String(getField(x as Doc, 'event.id'));
    if (sha256(x) !== ev.hashes.events[id]) problems.push(`event ${id}: its content does not match its hash`);
  }
  if (Object.keys(ev.hashes.alerts).length !== ev.alerts.length || Object.keys(ev.hashes.events).length !== ev.events.length)
    problems.push('the hashes list items the export does not carry');
  if (manifestOf(ev) !== ev.manifest) problems.push('the manifest does not match the hashes, the touching records and the omissions');
  const bySeq = new Map<number, AuditRecord>(e.records.map((r) => [r.seq, r]));
  const concerns = (r: AuditRecord) => {
    const cases = [c.id, ...c.mergedFrom];
    const named = getField((r.details ?? {}) as Doc, 'cases');
    return (
      cases.some((id) => r.resource === `case:${id}`) ||
      (Array.isArray(named) && named.some((n) => cases.includes(String(n)))) ||
      c.alertIds.some((a) => r.resource === `alert:${a}`)
    );
  };
  for (const seq of ev.touching) {
    const r = bySeq.get(seq);
    if (!r) problems.push(`audit record ${seq}, listed as touching case ${c.id}, is not in the export`);
    else if (!concerns(r)) problems.push(`audit record ${seq} does not concern case ${c.id}`);
  }
  let vouch: AuditRecord | null = null;
  for (const r of e.records)
    if (r.decision === 'allow' && r.resource === `case:${c.id}` && r.details?.caseVersion === c.version && typeof r.details.caseHash === 'string') vouch = r;
  if (!vouch) problems.push(`case ${c.id} version ${c.version}: no audit record in the export vouches for it`);
  else if (vouch.details!.caseHash !== sha256(c))
    problems.push(`case ${c.id} version ${c.version}: it differs from the case audit record ${vouch.seq} vouches for`);
  return { ok: audit.ok && problems.length === 0, problems, audit, caseVouchedBy: vouch?.seq ?? null };
}

const esc = (v: unknown): string => String(v ?? '').replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

function table(head: readonly string[], rows: readonly (readonly unknown[])[]): string {
  if (rows.length === 0) return '<p class="none">— 无 / none —</p>';
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((x) => `<td>${esc(typeof x === 'object' && x !== null ? JSON.stringify(x) : x)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** A printable report of the evidence (zh-CN and English), with its hashes and the verification result; no script, no links. */
export function evidenceHtml(e: CaseEvidence, v: EvidenceVerification): string {
  const ev = e.evidence;
  const c = ev.case;
  const touching = new Set(ev.touching);
  const field = (zh: string, en: string, value: unknown) => `<tr><th>${esc(zh)} / ${esc(en)}</th><td>${esc(value)}</td></tr>`;
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(c.id)} — 案件证据 / Case evidence</title>
<style>body{font:12px/1.5 sans-serif;margin:24px}table{border-collapse:collapse;width:100%;margin:8px 0}th,td{border:1px solid #999;padding:3px 6px;text-align:left;vertical-align:top;word-break:break-all}
h1{font-size:18px}h2{font-size:14px;margin-top:20px}.ok{color:#060}.bad{color:#a00}.none{color:#666}code{font-size:11px}@media print{h2{page-break-after:avoid}}</style></head>
<body>
<h1>案件证据报告 / Case evidence report: ${esc(c.id)}</h1>
<p class="${v.ok ? 'ok' : 'bad'}">${v.ok ? '校验通过 / Verified' : '校验失败 / Verification failed'}: ${esc(v.problems.join('; ') || `${v.audit.checked} audit records, ${v.audit.checkpointsVerified} signed checkpoints`)}</p>
<table>
${field('标题', 'Title', c.title)}${field('描述', 'Description', c.description)}${field('严重性', 'Severity', c.severity)}${field('状态', 'Status', c.status)}
${field('处置结论', 'Resolution', c.resolution ?? '')}${field('负责人', 'Assignee', c.assignee ?? '')}${field('部门', 'Departments', c.departments.join(', '))}
${field('标签', 'Tags', c.tags.join(', '))}${field('TLP', 'TLP', c.tlp)}${field('密级', 'Classification', c.classification)}
${field('创建', 'Created', `${c.createdAt} (${c.createdBy})`)}${field('确认', 'Acknowledged', c.acknowledgedAt ?? '')}${field('解决', 'Resolved', c.resolvedAt ?? '')}
${field('SLA', 'SLA', `acknowledge by ${c.sla.acknowledgeBy}, resolve by ${c.sla.resolveBy}${c.sla.met === undefined ? '' : c.sla.met ? ', met' : ', missed'}`)}
${field('版本', 'Version', c.version)}${field('合并自', 'Merged from', c.mergedFrom.join(', '))}${field('导出人', 'Exported by', `${ev.exportedBy} at ${e.exportedAt}`)}
</table>
<h2>任务 / Tasks</h2>${table(
    ['id', 'title', 'status', 'owner', 'due', 'done'],
    c.tasks.map((t) => [t.id, t.title, t.status, t.owner ?? '', t.dueAt ?? '', t.doneAt ?? '']),
  )}
<h2>可观察对象 / Observables</h2>${table(
    ['id', 'entity', 'source', 'added'],
    c.observables.map((o) => [o.id, o.entity, o.source, `${o.addedAt} (${o.addedBy})`]),
  )}
<h2>附件（引用）/ Attachments (references)</h2>${table(
    ['id', 'name', 'reference', 'sha256'],
    c.attachments.map((a) => [a.id, a.name, a.uri, a.sha256 ?? '']),
  )}
<h2>告警 / Alerts</h2>${table(
    ['id', 'rule', 'severity', 'status', 'first', 'last', 'count', 'sha256'],
    ev.alerts.map((a) => [a.id, a.rule.name, a.rule.severity, a.status, a.firstSeen, a.lastSeen, a.count, ev.hashes.alerts[a.id]]),
  )}
<h2>事件 / Events</h2>${table(
    ['id', '@timestamp', 'original', 'sha256'],
    ev.events.map((x) => {
      const id = String(getField(x as Doc, 'event.id'));
      return [id, x['@timestamp'], String(getField(x as Doc, 'event.original') ?? '').slice(0, 300), ev.hashes.events[id]];
    }),
  )}
${ev.omitted.alerts.length + ev.omitted.events.length ? `<p class="none">未包含 / Not included: ${esc([...ev.omitted.alerts.map((a) => `alert ${a}`), ...ev.omitted.events.map((x) => `event ${x}`)].join(', '))}</p>` : ''}
<h2>时间线 / Timeline</h2>${table(
    ['#', 'at', 'actor', 'action', 'case', 'details'],
    c.timeline.map((t) => [t.seq, t.at, t.actor, t.action, t.case ?? '', t.details ?? '']),
  )}
<h2>审计记录 / Audit records touching the case</h2>${table(
    ['seq', 'at', 'actor', 'action', 'resource', 'decision', 'hash'],
    e.records.filter((r) => touching.has(r.seq)).map((r) => [r.seq, r.at, r.actor, r.action, r.resource, r.decision, r.hash]),
  )}
<h2>证明 / Proof</h2>
<table>${field('审计链区间', 'Audit chain stretch', `records ${e.records[0]?.seq ?? '-'}..${e.records[e.records.length - 1]?.seq ?? '-'} (${e.records.length})`)}
${field('签名检查点', 'Signed checkpoints', e.checkpoints.map((k) => `${k.seq} @ ${k.at}`).join(', ') || '—')}
${field('案件哈希', 'Case SHA-256', ev.hashes.case)}${field('审计担保记录', 'Vouched by audit record', v.caseVouchedBy ?? '—')}
${field('清单哈希', 'Manifest SHA-256', ev.manifest)}</table>
<p class="none">校验 / To verify offline: <code>citysoc audit verify-export &lt;file.json|csv&gt;</code> (audit chain and signatures) and <code>citysoc cases verify-export &lt;file.json|csv&gt;</code> (hashes and the case against the chain).</p>
<pre><code>${esc(e.publicKeys.join('\n'))}</code></pre>
</body></html>
`;
}
