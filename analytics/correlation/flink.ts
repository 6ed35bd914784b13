// Correlation rules as Flink SQL: an input view tags each referenced rule's rows (base rules by
// their compiled predicate, chained correlations by their own view), then a window TVF
// aggregation with HAVING (counts, distinct values, sums, averages, temporal) or a
// MATCH_RECOGNIZE (temporal_ordered). Static TUMBLE/HOP windows only approximate the embedded
// engine's sliding windows: that is reported as a warning, as the spec asks.
import { FlinkSqlBackend, jsonValueField } from '../sigma/backends/flink';
import { quote } from '../sigma/backends/sqlite';
import { SigmaUnsupportedError, type SigmaWarning } from '../sigma/errors';
import type { CorrelationCondition, SigmaCorrelationRule, SigmaRule } from '../sigma/model';
import { correlationKey } from './engine';

export interface FlinkCorrelationOptions {
  backend?: FlinkSqlBackend;
  /** Events table with a `doc` column and a rowtime attribute. */
  table?: string;
  timeColumn?: string;
  field?: (name: string) => string;
  /** 'tumble' (default) or 'hop' with slide = timespan / hopDivisor. */
  window?: 'tumble' | 'hop';
  hopDivisor?: number;
  /**
   * Carry each event's department and id through the window, so a firing names the departments
   * (sigma_departments, comma-joined) and events (sigma_event_ids) behind it, with sigma_events its
   * event count. Not for temporal_ordered rules.
   */
  carry?: { department: string; eventId: string };
}

export interface FlinkJob {
  /** Statements in order: CREATE TEMPORARY VIEW ... ; the final SELECT last. */
  statements: string[];
  warnings: SigmaWarning[];
}

type Resolved = { kind: 'rule'; rule: SigmaRule } | { kind: 'correlation'; rule: SigmaCorrelationRule };

const ident = (name: string): string => `\`${name.replace(/`/g, '``')}\``;
const viewName = (rule: SigmaCorrelationRule): string => ident(`sigma_${(rule.name ?? correlationKey(rule)).replace(/[^A-Za-z0-9_]/g, '_')}`);

export function compileCorrelationToFlink(
  rule: SigmaCorrelationRule,
  resolve: (ref: string) => Resolved | undefined,
  options: FlinkCorrelationOptions = {},
): FlinkJob {
  const ctx = {
    backend: options.backend ?? new FlinkSqlBackend({ field: options.field ?? jsonValueField }),
    table: options.table ?? 'events',
    ts: options.timeColumn ?? 'ts',
    field: options.field ?? jsonValueField,
    window: options.window ?? 'tumble',
    hopDivisor: options.hopDivisor ?? 10,
    ...(options.carry ? { carry: options.carry } : {}),
  };
  const statements: string[] = [];
  const warnings: SigmaWarning[] = [];
  statements.push(query(rule, resolve, ctx, statements, warnings, true));
  return { statements, warnings };
}

type Ctx = {
  backend: FlinkSqlBackend;
  table: string;
  ts: string;
  field: (n: string) => string;
  window: 'tumble' | 'hop';
  hopDivisor: number;
  carry?: { department: string; eventId: string };
};

function query(
  rule: SigmaCorrelationRule,
  resolve: (ref: string) => Resolved | undefined,
  ctx: Ctx,
  statements: string[],
  warnings: SigmaWarning[],
  outer: boolean,
): string {
  if (rule.type === 'value_percentile')
    throw new SigmaUnsupportedError('flink-percentile', 'value_percentile has no faithful Flink SQL aggregation (a share per value per window)', {
      file: rule.source,
    });
  const input = `${viewName(rule).slice(0, -1)}_input\``;
  statements.push(`CREATE TEMPORARY VIEW ${input} AS\n${inputRows(rule, resolve, ctx, statements, warnings)}`);
  const groups = rule.groupBy.map(ident);
  if (rule.type === 'temporal_ordered') return matchRecognize(rule, input, groups, ctx);
  if (rule.type === 'temporal')
    warnings.push({ code: 'flink-temporal-window', message: `temporal ${correlationKey(rule)}: rules are only related within static ${ctx.window} windows` });
  else
    warnings.push({
      code: 'flink-static-window',
      message: `${correlationKey(rule)}: ${ctx.window} windows of ${rule.timespan.text} miss bursts that straddle a window boundary`,
    });
  const span = interval(rule.timespan.milliseconds);
  const tvf =
    ctx.window === 'tumble'
      ? `TUMBLE(TABLE ${input}, DESCRIPTOR(${ctx.ts}), ${span})`
      : `HOP(TABLE ${input}, DESCRIPTOR(${ctx.ts}), ${interval(rule.timespan.milliseconds / ctx.hopDivisor)}, ${span})`;
  const measure = aggregate(rule);
  const carried =
    ctx.carry && outer
      ? ['COUNT(*) AS sigma_events', 'LISTAGG(DISTINCT sigma_department) AS sigma_departments', 'LISTAGG(sigma_event_id) AS sigma_event_ids']
      : [];
  const sql =
    `SELECT window_start, window_end, window_time, ${[...groups, `${measure} AS sigma_value`, ...carried].join(', ')}\n` +
    `FROM TABLE(${tvf})\n` +
    `GROUP BY ${['window_start', 'window_end', 'window_time', ...groups].join(', ')}\n` +
    `HAVING ${having(measure, rule.type === 'temporal' && !rule.condition ? { gte: rule.rules.length } : rule.condition)}`;
  if (outer) return sql;
  const view = viewName(rule);
  statements.push(`CREATE TEMPORARY VIEW ${view} AS\n${sql}`);
  return view;
}

/** One row per (event, referenced rule): time, group columns, the rule tag and the value column. */
function inputRows(
  rule: SigmaCorrelationRule,
  resolve: (ref: string) => Resolved | undefined,
  ctx: Ctx,
  statements: string[],
  warnings: SigmaWarning[],
): string {
  const valueField = rule.condition?.field;
  const parts = rule.rules.map((ref) => {
    const target = resolve(ref);
    if (!target)
      throw new SigmaUnsupportedError('unresolved-reference', `correlation ${correlationKey(rule)} refers to '${ref}', which is not loaded`, {
        file: rule.source,
      });
    const aliasOr = (g: string): string => rule.aliases[g]?.[ref] ?? rule.aliases[g]?.[target.rule.id ?? ''] ?? g;
    if (target.kind === 'correlation') {
      const view = query(target.rule, resolve, ctx, statements, warnings, false);
      const cols = rule.groupBy.map((g) => `${ident(aliasOr(g))} AS ${ident(g)}`);
      const carry = ctx.carry ? ['CAST(NULL AS STRING) AS sigma_department', 'CAST(NULL AS STRING) AS sigma_event_id'] : [];
      return `SELECT window_time AS ${ctx.ts}, ${[...cols, `${quote(ref)} AS sigma_rule`, 'CAST(NULL AS STRING) AS sigma_field', ...carry].join(', ')} FROM ${view}`;
    }
    const where = ctx.backend.convertRule(target.rule);
    const cols = rule.groupBy.map((g) => `${ctx.field(aliasOr(g))} AS ${ident(g)}`);
    const fields = valueField === undefined ? [] : Array.isArray(valueField) ? valueField : [valueField];
    const value =
      fields.length === 0
        ? 'CAST(NULL AS STRING)'
        : fields.length === 1
          ? ctx.field(fields[0] as string)
          : `CONCAT_WS('|', ${fields.map((f) => ctx.field(f)).join(', ')})`;
    const present = rule.groupBy.map((g) => `${ctx.field(aliasOr(g))} IS NOT NULL`);
    const carry = ctx.carry ? [`${ctx.field(ctx.carry.department)} AS sigma_department`, `${ctx.field(ctx.carry.eventId)} AS sigma_event_id`] : [];
    return `SELECT ${[ctx.ts, ...cols, `${quote(ref)} AS sigma_rule`, `${value} AS sigma_field`, ...carry].join(', ')} FROM ${ctx.table} WHERE ${[where, ...present].join(' AND ')}`;
  });
  return parts.join('\nUNION ALL\n');
}

function aggregate(rule: SigmaCorrelationRule): string {
  switch (rule.type) {
    case 'event_count':
      return 'COUNT(*)';
    case 'value_count':
      return 'COUNT(DISTINCT sigma_field)';
    case 'value_sum':
      return 'SUM(TRY_CAST(sigma_field AS DOUBLE))';
    case 'value_avg':
      return 'AVG(TRY_CAST(sigma_field AS DOUBLE))';
    case 'temporal':
      return 'COUNT(DISTINCT sigma_rule)';
    default:
      throw new SigmaUnsupportedError('flink-aggregate', `no window aggregate for ${rule.type}`);
  }
}

function having(measure: string, c: CorrelationCondition | undefined): string {
  const ops: [keyof CorrelationCondition, string][] = [
    ['gt', '>'],
    ['gte', '>='],
    ['lt', '<'],
    ['lte', '<='],
    ['eq', '='],
    ['neq', '<>'],
  ];
  const parts = ops.flatMap(([k, sym]) => (c?.[k] === undefined ? [] : [`${measure} ${sym} ${String(c[k])}`]));
  return parts.length ? parts.join(' AND ') : 'TRUE';
}

/** A, B, C in the listed order within the timespan; other tagged rows may sit in between. */
function matchRecognize(rule: SigmaCorrelationRule, input: string, groups: string[], ctx: Ctx): string {
  const vars = rule.rules.map((_, i) => `R${i}`);
  return (
    `SELECT *\nFROM ${input}\nMATCH_RECOGNIZE (\n` +
    (groups.length ? `  PARTITION BY ${groups.join(', ')}\n` : '') +
    `  ORDER BY ${ctx.ts}\n` +
    `  MEASURES FIRST(R0.${ctx.ts}) AS first_seen, LAST(${vars[vars.length - 1]}.${ctx.ts}) AS last_seen\n` +
    `  ONE ROW PER MATCH\n  AFTER MATCH SKIP PAST LAST ROW\n` +
    `  PATTERN (${vars.join(' Z*? ')}) WITHIN ${interval(rule.timespan.milliseconds)}\n` +
    `  DEFINE ${vars.map((v, i) => `${v} AS ${v}.sigma_rule = ${quote(rule.rules[i] as string)}`).join(', ')}\n)`
  );
}

const seconds = (ms: number): number => Math.max(1, Math.round(ms / 1000));

/**
 * A Flink interval literal. Single-unit literals have a leading precision of 2 digits (Flink
 * rejects `INTERVAL '300' SECOND`), so the largest unit that divides the span is used, and a
 * span of 100 or more of every such unit is written as DAY TO SECOND.
 */
export function interval(ms: number): string {
  const s = seconds(ms);
  for (const [unit, size] of [
    ['DAY', 86_400],
    ['HOUR', 3_600],
    ['MINUTE', 60],
    ['SECOND', 1],
  ] as const) {
    if (s % size === 0 && s / size <= 99) return `INTERVAL '${s / size}' ${unit}`;
  }
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `INTERVAL '${Math.floor(s / 86_400)} ${pad(Math.floor((s % 86_400) / 3_600))}:${pad(Math.floor((s % 3_600) / 60))}:${pad(s % 60)}' DAY TO SECOND`;
}
