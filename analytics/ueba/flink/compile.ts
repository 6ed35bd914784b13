/**
 * The UEBA feature definitions compiled to Flink SQL, for the cluster profile:
 *   events (JSON text + event time) → columns (JSON_VALUE, REGEXP_EXTRACT)
 *   → per entity and hour: a TUMBLE window TVF with one aggregate per feature
 *   → the previous active hour (an OVER of one preceding row)
 *   → the baseline: OVER (PARTITION BY entity ORDER BY window_time ROWS <window> PRECEDING)
 *     sums and sums of squares of each modelled feature and the hour-of-week bins
 *   → z-scores, flags, dormancy and rare-hour flags, as the embedded engine computes them.
 * First contacts: per (user, kind, value) hour rows, an unbounded OVER count (1 = first time),
 * then the user's first activity (an unbounded OVER min) for the learning period. Hourly
 * user × dataset counts feed peer profiles. No OVER runs over raw events; state TTL bounds the
 * unbounded ones. Flink refuses two OVER aggregations stacked directly ("Field names must be
 * unique"), so a filtering projection sits between them.
 */
import { ident, literal } from '../../flink/sql';
import type { UebaConfig } from '../config';
import { COLUMN_NAMES, COLUMNS, isIndex, isRegexColumn, type ColumnName, type PathColumn, type RegexColumn } from '../features/columns';
import { ENTITY_SETS, RARITY, USER, modeled, type EntitySet, type EntityType, type FeatureDef } from '../features/definitions';
import { predicateToFlink } from '../features/predicate';

export interface SinkColumn {
  readonly name: string;
  readonly type: string;
}

export interface UebaSinks {
  readonly hourly: Readonly<Record<EntityType, string>>;
  readonly firstSeen: string;
  readonly userDatasetHour: string;
}

export interface UebaFlinkJob {
  /** Session configuration the statements rely on (time zone, state TTL). */
  readonly configuration: Readonly<Record<string, string>>;
  /** CREATE TEMPORARY VIEW statements, in order. */
  readonly views: readonly string[];
  readonly inserts: readonly string[];
  /** All inserts as one job. */
  readonly statementSet: string;
}

const EVENTS = 'ueba_events';
const PATHS = 'ueba_event_paths';

/** The Flink time zone id for an offset such as +08:00. */
export function flinkZone(offset: string): string {
  return `GMT${offset}`;
}

/** A count inside an INTERVAL literal: only a non-negative safe integer reaches the SQL text. */
function count(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`an interval count must be a non-negative integer, not ${String(n)}`);
  return n;
}

function jsonPath(path: readonly string[]): string {
  let out = '$';
  for (const k of path) {
    if (isIndex(k)) out += `[${k}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) out += `.${k}`;
    else throw new Error(`column path segment ${JSON.stringify(k)} is not a plain name or a list index`);
  }
  return out;
}

function pathExpr(c: PathColumn): string {
  return c.type === 'number'
    ? // JSON_VALUE returns no BIGINT in Flink 1.20 (INT, DOUBLE, BOOLEAN, STRING only); integers as text cast exactly.
      `TRY_CAST(JSON_VALUE(doc, ${literal(jsonPath(c.path))}) AS BIGINT)`
    : `NULLIF(JSON_VALUE(doc, ${literal(jsonPath(c.path))}), '')`;
}

function regexExpr(c: RegexColumn): string {
  const pattern = c.ignoreCase ? `(?i)${c.pattern}` : c.pattern;
  return `NULLIF(REGEXP_EXTRACT(${ident(c.of)}, ${literal(pattern)}, ${c.group}), '')`;
}

/**
 * The table of events the job reads: the whole ECS event as one STRING column `doc` (what the
 * bus carries), with the event time parsed from its `@timestamp` (ISO 8601 with milliseconds and
 * an offset, as the pipeline writes it) and a watermark `lateness` behind it.
 */
export function eventsTable(name: string, options: string, latenessMinutes: number): string {
  const t = `JSON_VALUE(doc, ${literal("$['@timestamp']")})`;
  // Arithmetic rather than UNIX_TIMESTAMP(string, format): that one parses with a shared
  // SimpleDateFormat, which is not thread-safe, and a garbled time moves the watermark.
  const wall = `TIMESTAMPDIFF(SECOND, TIMESTAMP '1970-01-01 00:00:00', TO_TIMESTAMP(SUBSTRING(${t} FROM 1 FOR 19), 'yyyy-MM-dd''T''HH:mm:ss'))`;
  const sign = `CASE SUBSTRING(${t} FROM 24 FOR 1) WHEN 'Z' THEN 0 WHEN '-' THEN -1 ELSE 1 END`;
  const offset = `(CASE WHEN CHAR_LENGTH(${t}) >= 29 THEN CAST(SUBSTRING(${t} FROM 25 FOR 2) AS BIGINT) * 3600 + CAST(SUBSTRING(${t} FROM 28 FOR 2) AS BIGINT) * 60 ELSE 0 END)`;
  const millis = `CAST(SUBSTRING(${t} FROM 21 FOR 3) AS BIGINT)`;
  const valid = `REGEXP(${t}, '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[.][0-9]{3}(Z|[+-][0-9]{2}:[0-9]{2})$')`;
  return [
    `CREATE TABLE ${ident(name)} (`,
    '  doc STRING,',
    `  ts AS TO_TIMESTAMP_LTZ(CASE WHEN ${valid} THEN (CAST(${wall} AS BIGINT) - ${sign} * ${offset}) * 1000 + ${millis} ELSE 0 END, 3),`,
    // HOUR TO MINUTE: a MINUTE interval past 99 needs a precision Flink's planner refuses.
    `  WATERMARK FOR ts AS ts - INTERVAL '${count(Math.floor(latenessMinutes / 60))}:${String(count(latenessMinutes % 60)).padStart(2, '0')}' HOUR TO MINUTE`,
    `) ${options}`,
  ].join('\n');
}

function aggregate(f: FeatureDef): string {
  const p = predicateToFlink(f.where);
  const of = f.of === undefined ? '' : ident(f.of);
  switch (f.agg) {
    case 'count':
      return `CAST(SUM(CASE WHEN ${p} THEN 1 ELSE 0 END) AS BIGINT)`;
    case 'sum':
      return `CAST(SUM(CASE WHEN ${p} THEN COALESCE(${of}, 0) ELSE 0 END) AS BIGINT)`;
    case 'distinct':
      return `CAST(COUNT(DISTINCT CASE WHEN ${p} THEN ${of} END) AS BIGINT)`;
    case 'max': {
      const ranks = Object.entries(f.rank ?? {})
        .map(([v, r]) => `WHEN ${literal(v)} THEN ${r}`)
        .join(' ');
      return `CAST(MAX(CASE WHEN ${p} THEN CASE ${of} ${ranks} ELSE 0 END ELSE 0 END) AS BIGINT)`;
    }
  }
}

const f = (name: string) => ident(`f_${name}`);
const v = (name: string) => ident(`v_${name}`);

function entityViews(set: EntitySet, cfg: UebaConfig): { views: string[]; select: string } {
  const e = set.entity;
  const key = ident(set.key);
  const models = modeled(set);
  const hourly = `ueba_${e}_hourly`;
  const withPrev = `ueba_${e}_prev`;
  const scaledView = `ueba_${e}_scaled`;
  const windowed = `ueba_${e}_window`;
  const views = [
    `CREATE TEMPORARY VIEW ${hourly} AS\nSELECT ${key} AS entity, window_start, window_end, window_time, MAX(${ident(set.department)}) AS department, ${set.role ? `MAX(${ident(set.role)})` : 'CAST(NULL AS STRING)'} AS role,\n  ${set.features
      .map((x) => `${aggregate(x)} AS ${f(x.name)}`)
      .join(
        ',\n  ',
      )}\nFROM TABLE(TUMBLE(TABLE ${EVENTS}, DESCRIPTOR(ts), INTERVAL '1' HOUR))\nWHERE ${key} IS NOT NULL AND ${predicateToFlink(set.where)}\nGROUP BY ${key}, window_start, window_end, window_time`,
    `CREATE TEMPORARY VIEW ${withPrev} AS\nSELECT entity, window_start, window_time, department, role, ${set.features.map((x) => f(x.name)).join(', ')},\n  MIN(window_start) OVER (PARTITION BY entity ORDER BY window_time ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS prev_start\nFROM ${hourly}`,
    `CREATE TEMPORARY VIEW ${scaledView} AS\nSELECT entity, window_start, window_time, department, role, ${set.features.map((x) => f(x.name)).join(', ')}, prev_start,\n  ${models
      .map((x) => `${x.model!.scale === 'log' ? `LN(1 + ${f(x.name)})` : `CAST(${f(x.name)} AS DOUBLE)`} AS ${v(x.name)}`)
      .join(
        ',\n  ',
      )},\n  CASE WHEN DAYOFWEEK(window_start) IN (1, 7) THEN 24 ELSE 0 END + HOUR(window_start) AS bin,\n  MOD(DAYOFWEEK(window_start) + 5, 7) * 24 + HOUR(window_start) AS how\nFROM ${withPrev}\nWHERE entity IS NOT NULL`,
    `CREATE TEMPORARY VIEW ${windowed} AS\nSELECT entity, window_start, window_time, department, role, ${set.features.map((x) => f(x.name)).join(', ')}, prev_start, bin, how, ${models.map((x) => v(x.name)).join(', ')},\n  COUNT(*) OVER w AS cnt,\n  ${models
      .map((x) => `SUM(${v(x.name)}) OVER w AS ${ident(`s_${x.name}`)}, SUM(${v(x.name)} * ${v(x.name)}) OVER w AS ${ident(`ss_${x.name}`)}`)
      .join(
        ',\n  ',
      )},\n  ${Array.from({ length: 48 }, (_, b) => `SUM(CASE WHEN bin = ${b} THEN 1 ELSE 0 END) OVER w AS b${b}`).join(', ')}\nFROM ${scaledView}\nWINDOW w AS (PARTITION BY entity ORDER BY window_time ROWS BETWEEN ${cfg.baseline.window} PRECEDING AND CURRENT ROW)`,
  ];
  const n = '(cnt - 1)';
  const enough = `${n} >= ${cfg.baseline.minObservations}`;
  const columns = [
    `entity AS ${ident('entity')}`,
    `CAST(window_start AS STRING) AS ${ident('hour')}`,
    `CAST(how AS INT) AS ${ident('hour_of_week')}`,
    `department AS ${ident('department')}`,
    `role AS ${ident('role')}`,
    ...set.features.map((x) => f(x.name)),
    `${n} AS ${ident('n_prev')}`,
  ];
  for (const x of models) {
    const mean = `((${ident(`s_${x.name}`)} - ${v(x.name)}) / ${n})`;
    const variance = `((${ident(`ss_${x.name}`)} - ${v(x.name)} * ${v(x.name)}) / ${n} - ${mean} * ${mean})`;
    const std = `GREATEST(SQRT(GREATEST(${variance}, CAST(0 AS DOUBLE))), CAST(${x.model!.minStd} AS DOUBLE))`;
    const z = `((${v(x.name)} - ${mean}) / ${std})`;
    columns.push(
      `CASE WHEN ${enough} THEN ${mean} END AS ${ident(`mean_${x.name}`)}`,
      `CASE WHEN ${enough} THEN ${std} END AS ${ident(`std_${x.name}`)}`,
      `CASE WHEN ${enough} THEN ${z} END AS ${ident(`z_${x.name}`)}`,
      `COALESCE(${enough} AND ${z} >= ${x.model!.zThreshold ?? cfg.baseline.zThreshold}, FALSE) AS ${ident(`a_${x.name}`)}`,
    );
  }
  const gap = 'TIMESTAMPDIFF(HOUR, prev_start, window_start)';
  const near = `(CASE bin ${Array.from({ length: 48 }, (_, b) => {
    const base = b >= 24 ? 24 : 0;
    const h = b - base;
    return `WHEN ${b} THEN b${base + ((h + 23) % 24)} + b${b} + b${base + ((h + 1) % 24)}`;
  }).join(' ')} END - 1)`;
  columns.push(
    `${gap} AS ${ident('gap_hours')}`,
    `${gap} >= ${cfg.dormancy.days * 24} AS ${ident('dormant')}`,
    `CAST(${near} AS INT) AS ${ident('near_prior')}`,
    `${set.hourOfWeek ? `${n} >= ${cfg.hourOfWeek.minObservations} AND ${near} = 0` : 'FALSE'} AS ${ident('rare_hour')}`,
  );
  return { views, select: `SELECT\n  ${columns.join(',\n  ')}\nFROM ${windowed}` };
}

/** The sink schema of an entity type's hourly rows. */
export function hourlySinkColumns(set: EntitySet): SinkColumn[] {
  const cols: SinkColumn[] = [
    { name: 'entity', type: 'STRING' },
    { name: 'hour', type: 'STRING' },
    { name: 'hour_of_week', type: 'INT' },
    { name: 'department', type: 'STRING' },
    { name: 'role', type: 'STRING' },
    ...set.features.map((x) => ({ name: `f_${x.name}`, type: 'BIGINT' })),
    { name: 'n_prev', type: 'BIGINT' },
  ];
  for (const x of modeled(set))
    cols.push(
      { name: `mean_${x.name}`, type: 'DOUBLE' },
      { name: `std_${x.name}`, type: 'DOUBLE' },
      { name: `z_${x.name}`, type: 'DOUBLE' },
      { name: `a_${x.name}`, type: 'BOOLEAN' },
    );
  cols.push(
    { name: 'gap_hours', type: 'INT' },
    { name: 'dormant', type: 'BOOLEAN' },
    { name: 'near_prior', type: 'INT' },
    { name: 'rare_hour', type: 'BOOLEAN' },
  );
  return cols;
}

export const FIRST_SEEN_COLUMNS: readonly SinkColumn[] = [
  { name: 'entity', type: 'STRING' },
  { name: 'kind', type: 'STRING' },
  { name: 'val', type: 'STRING' },
  { name: 'classification', type: 'STRING' },
  { name: 'hour', type: 'STRING' },
  { name: 'first_active', type: 'STRING' },
];

export const USER_DATASET_HOUR_COLUMNS: readonly SinkColumn[] = [
  { name: 'entity', type: 'STRING' },
  { name: 'dataset', type: 'STRING' },
  { name: 'hour', type: 'STRING' },
  { name: 'events', type: 'BIGINT' },
];

/** `CREATE TABLE <name> (<columns>) <options>` for a sink. */
export function sinkTable(name: string, columns: readonly SinkColumn[], options: string): string {
  return `CREATE TABLE ${ident(name)} (\n  ${columns.map((c) => `${ident(c.name)} ${c.type}`).join(',\n  ')}\n) ${options}`;
}

export function compileUebaToFlink(cfg: UebaConfig, opts: { source: string; sinks: UebaSinks; entitySets?: readonly EntitySet[] }): UebaFlinkJob {
  const sets = opts.entitySets ?? ENTITY_SETS;
  const pathCols = COLUMN_NAMES.filter((n) => !isRegexColumn(COLUMNS[n]));
  const regexCols = COLUMN_NAMES.filter((n) => isRegexColumn(COLUMNS[n]));
  const views: string[] = [
    `CREATE TEMPORARY VIEW ${PATHS} AS\nSELECT ${pathCols.map((n) => `${pathExpr(COLUMNS[n] as PathColumn)} AS ${ident(n)}`).join(',\n  ')},\n  ts\nFROM ${ident(opts.source)}`,
    `CREATE TEMPORARY VIEW ${EVENTS} AS\nSELECT ${pathCols.map((n) => ident(n)).join(', ')},\n  ${regexCols.map((n) => `${regexExpr(COLUMNS[n] as RegexColumn)} AS ${ident(n)}`).join(',\n  ')},\n  ts\nFROM ${PATHS}`,
  ];
  const inserts: string[] = [];
  for (const set of sets) {
    const ev = entityViews(set, cfg);
    views.push(...ev.views);
    inserts.push(`INSERT INTO ${ident(opts.sinks.hourly[set.entity])}\n${ev.select}`);
  }

  const obs = RARITY.map(
    (k) =>
      `SELECT ${ident('user')} AS entity, ${literal(k.kind)} AS kind, ${ident(k.of)} AS val, ${k.kind === 'dataset' ? ident('classification') : 'CAST(NULL AS STRING)'} AS classification, ts\nFROM ${EVENTS}\nWHERE ${ident('user')} IS NOT NULL AND ${ident(k.of)} IS NOT NULL AND ${predicateToFlink(k.where)}`,
  );
  views.push(
    `CREATE TEMPORARY VIEW ueba_rarity_obs AS\n${obs.join('\nUNION ALL\n')}`,
    `CREATE TEMPORARY VIEW ueba_rarity_hourly AS\nSELECT entity, kind, val, MAX(classification) AS classification, window_start, window_end, window_time\nFROM TABLE(TUMBLE(TABLE ueba_rarity_obs, DESCRIPTOR(ts), INTERVAL '1' HOUR))\nGROUP BY entity, kind, val, window_start, window_end, window_time`,
    `CREATE TEMPORARY VIEW ueba_rarity_seen AS\nSELECT entity, kind, val, classification, window_start, window_time,\n  COUNT(*) OVER (PARTITION BY entity, kind, val ORDER BY window_time ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS seen\nFROM ueba_rarity_hourly`,
    `CREATE TEMPORARY VIEW ueba_rarity_first AS\nSELECT entity, kind, val, classification, window_start, window_time\nFROM ueba_rarity_seen\nWHERE seen = 1`,
    `CREATE TEMPORARY VIEW ueba_rarity_aged AS\nSELECT entity, kind, val, classification, window_start,\n  MIN(window_start) OVER (PARTITION BY entity ORDER BY window_time ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS first_active\nFROM ueba_rarity_first`,
  );
  inserts.push(
    `INSERT INTO ${ident(opts.sinks.firstSeen)}\nSELECT entity, kind, val, classification, CAST(window_start AS STRING), CAST(first_active AS STRING)\nFROM ueba_rarity_aged\nWHERE window_start >= first_active + INTERVAL '${count(cfg.rarity.learningDays)}' DAY`,
    `INSERT INTO ${ident(opts.sinks.userDatasetHour)}\nSELECT ${ident('user')}, ${ident('dataset')}, CAST(window_start AS STRING), CAST(COUNT(*) AS BIGINT)\nFROM TABLE(TUMBLE(TABLE ${EVENTS}, DESCRIPTOR(ts), INTERVAL '1' HOUR))\nWHERE ${ident('user')} IS NOT NULL AND ${ident('dataset')} IS NOT NULL AND ${predicateToFlink(USER.where)}\nGROUP BY ${ident('user')}, ${ident('dataset')}, window_start, window_end`,
  );
  return {
    configuration: {
      'table.local-time-zone': flinkZone(cfg.utcOffset),
      'table.exec.state.ttl': `${cfg.stateTtlDays} d`,
      // Flink 1.20's two-phase (local/global) window aggregation loses some windows' rows on
      // TIMESTAMP_LTZ time in a zone other than UTC (day windows showed it: a day counted partly,
      // at random); one phase is exact (see differential.itest.ts).
      'table.optimizer.agg-phase-strategy': 'ONE_PHASE',
    },
    views,
    inserts,
    statementSet: `EXECUTE STATEMENT SET\nBEGIN\n${inserts.map((s) => `${s};`).join('\n')}\nEND`,
  };
}

export type { ColumnName };
