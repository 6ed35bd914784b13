/**
 * Operations KPIs per department and period (the seed plan's quantifiable key nodes): alerts by
 * outcome and the false-positive rate of each rule (alerts first seen in the period), and for
 * the cases opened in the period: MTTA, MTTR, SLA attainment and closure rate, overall and per
 * severity. Only what the caller may see is counted. Exported as CSV too.
 */
import { z } from 'zod';
import type { Severity } from '../core/alert';
import { SEVERITIES } from '../core/alert';
import { type Case, slaColour } from '../core/case';
import { CitySocError } from '../core/errors';
import { type ActionContext, defineAction } from '../core/door';
import type { AlertQuery } from '../core/ports/alert-store';
import { and } from '../core/query/ast';
import type { CasesDeps } from './deps';
import { IsoTime, Name, parseInput } from './input';

const KpiInput = z.strictObject({ from: IsoTime, to: IsoTime, department: Name.optional() });
export type KpiInput = z.input<typeof KpiInput>;

export interface CaseFigures {
  readonly opened: number;
  readonly acknowledged: number;
  readonly resolved: number;
  readonly closed: number;
  /** Minutes from opening to acknowledgement, mean over the acknowledged; null when none. */
  readonly mttaMinutes: number | null;
  /** Minutes from opening to resolution, mean over the resolved; null when none. */
  readonly mttrMinutes: number | null;
  readonly slaMet: number;
  readonly slaBreached: number;
  /** Met / (met + breached); cases still within their targets are not counted yet. */
  readonly slaAttainment: number | null;
  /** Resolved or closed / opened. */
  readonly closureRate: number | null;
}

export interface KpiReport {
  readonly from: string;
  readonly to: string;
  readonly department: string | null;
  readonly generatedAt: string;
  readonly alerts: {
    readonly total: number;
    readonly byOutcome: { readonly status: string; readonly resolution: string | null; readonly count: number }[];
    readonly falsePositivesByRule: { readonly ruleId: string; readonly closed: number; readonly falsePositives: number; readonly rate: number }[];
  };
  /** Cases opened in the period, merged ones left out (their work goes on in the survivor). */
  readonly cases: CaseFigures & { readonly merged: number; readonly bySeverity: (CaseFigures & { readonly severity: Severity })[] };
}

/** Cases one report reads at most; a longer period is asked for in parts. */
const MAX_CASES = 100_000;
const MAX_PERIOD_MS = 366 * 86_400_000;

function mean(xs: readonly number[]): number | null {
  return xs.length ? Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 100) / 100 : null;
}

function ratio(a: number, b: number): number | null {
  return b > 0 ? Math.round((a / b) * 10_000) / 10_000 : null;
}

const minutes = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 60_000;

export function caseFigures(cases: readonly Case[], now: Date): CaseFigures {
  const acks = cases.flatMap((c) => (c.acknowledgedAt ? [minutes(c.createdAt, c.acknowledgedAt)] : []));
  const resolutions = cases.flatMap((c) => (c.resolvedAt ? [minutes(c.createdAt, c.resolvedAt)] : []));
  let met = 0;
  let breached = 0;
  for (const c of cases) {
    if (c.sla.stage === 'done') {
      if (c.sla.met) met++;
      else breached++;
    } else if (slaColour(c.sla, now) === 'red' || c.sla.acknowledgeMet === false) breached++;
  }
  const finished = cases.filter((c) => c.status === 'resolved' || c.status === 'closed').length;
  return {
    opened: cases.length,
    acknowledged: acks.length,
    resolved: resolutions.length,
    closed: cases.filter((c) => c.status === 'closed').length,
    mttaMinutes: mean(acks),
    mttrMinutes: mean(resolutions),
    slaMet: met,
    slaBreached: breached,
    slaAttainment: ratio(met, met + breached),
    closureRate: ratio(finished, cases.length),
  };
}

export function kpiActions(deps: CasesDeps) {
  const report = async (ctx: ActionContext, raw: KpiInput): Promise<KpiReport> => {
    const i = parseInput(KpiInput, raw, 'cases.kpis');
    const span = Date.parse(i.to) - Date.parse(i.from);
    if (span <= 0 || span > MAX_PERIOD_MS)
      throw new CitySocError('INPUT_INVALID', `cases.kpis: the period must be positive and at most 366 days (from ${i.from} to ${i.to})`);
    const from = new Date(i.from).toISOString();
    const to = new Date(i.to).toISOString();
    const alertScope = ctx.scope('alerts');
    const aq: AlertQuery = {
      time: { field: 'firstSeen', from, to },
      ...(i.department ? { department: i.department } : {}),
      ...(alertScope.filters.length ? { filter: and(...alertScope.filters) } : {}),
    };
    const outcomes = await deps.alerts.tally(aq, ['status', 'resolution']);
    const closedByRule = await deps.alerts.tally({ ...aq, status: ['closed'] }, ['rule.id', 'resolution']);
    const rules = new Map<string, { closed: number; fp: number }>();
    for (const t of closedByRule) {
      const r = rules.get(t.key[0] ?? '') ?? { closed: 0, fp: 0 };
      r.closed += t.count;
      if (t.key[1] === 'false_positive') r.fp += t.count;
      rules.set(t.key[0] ?? '', r);
    }

    const caseScope = ctx.scope('cases');
    const cases: Case[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await deps.cases.list({
        created: { from, to },
        ...(i.department ? { department: i.department } : {}),
        ...(caseScope.filters.length ? { visibleTo: and(...caseScope.filters) } : {}),
        sort: { field: 'createdAt', order: 'asc' },
        size: 1000,
        ...(after ? { after } : {}),
      });
      cases.push(...page.cases);
      if (cases.length > MAX_CASES) throw new CitySocError('LIMIT_EXCEEDED', `cases.kpis: more than ${MAX_CASES} cases in the period; ask for a shorter one`);
      if (!page.nextCursor) break;
      after = page.nextCursor;
    }
    const counted = cases.filter((c) => c.resolution !== 'merged');
    const r: KpiReport = {
      from,
      to,
      department: i.department ?? null,
      generatedAt: ctx.now.toISOString(),
      alerts: {
        total: outcomes.reduce((n, t) => n + t.count, 0),
        byOutcome: outcomes.map((t) => ({ status: t.key[0] ?? 'unknown', resolution: t.key[1] ?? null, count: t.count })),
        falsePositivesByRule: [...rules]
          .map(([ruleId, v]) => ({ ruleId, closed: v.closed, falsePositives: v.fp, rate: ratio(v.fp, v.closed)! }))
          .sort((a, b) => b.rate - a.rate || a.ruleId.localeCompare(b.ruleId)),
      },
      cases: {
        ...caseFigures(counted, ctx.now),
        merged: cases.length - counted.length,
        bySeverity: [...SEVERITIES]
          .reverse()
          .map((severity) => ({
            severity,
            ...caseFigures(
              counted.filter((c) => c.severity === severity),
              ctx.now,
            ),
          }))
          .filter((s) => s.opened > 0),
      },
    };
    ctx.note({ from, to, ...(i.department ? { department: i.department } : {}), alerts: r.alerts.total, cases: cases.length });
    return r;
  };

  const kpis = defineAction({ name: 'cases.kpis', permission: 'cases:read', details: (i: KpiInput) => ({ ...i }), run: report });
  const kpisCsv = defineAction({
    name: 'cases.kpis_export',
    permission: 'cases:read',
    details: (i: KpiInput) => ({ ...i, format: 'csv' }),
    run: async (ctx, i: KpiInput) => kpiCsv(await report(ctx, i)),
  });
  return { kpis, kpisCsv };
}

/** Spreadsheet-safe: a cell that a spreadsheet would run as a formula is prefixed with '. */
function cell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  const guarded = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n']/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

/** One row per figure: metric, department, period, group (outcome, rule, severity) and value. */
export function kpiCsv(r: KpiReport): string {
  const rows: unknown[][] = [['metric', 'department', 'from', 'to', 'group', 'value']];
  const add = (metric: string, group: string, value: unknown) => rows.push([metric, r.department ?? '', r.from, r.to, group, value]);
  add('alerts.total', '', r.alerts.total);
  for (const o of r.alerts.byOutcome) add('alerts.outcome', o.resolution ? `${o.status}/${o.resolution}` : o.status, o.count);
  for (const f of r.alerts.falsePositivesByRule) add('alerts.false_positive_rate', f.ruleId, f.rate);
  const figures = (prefix: string, group: string, f: CaseFigures) => {
    for (const k of [
      'opened',
      'acknowledged',
      'resolved',
      'closed',
      'mttaMinutes',
      'mttrMinutes',
      'slaMet',
      'slaBreached',
      'slaAttainment',
      'closureRate',
    ] as const)
      add(`${prefix}.${k}`, group, f[k]);
  };
  figures('cases', '', r.cases);
  add('cases.merged', '', r.cases.merged);
  for (const s of r.cases.bySeverity) figures('cases', s.severity, s);
  return rows.map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}
