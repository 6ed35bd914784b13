/**
 * The event columns UEBA reads, defined once as data: where each sits in the ECS document, or how
 * it is derived (a regular expression over another column). The embedded engine compiles them to
 * getters; the Flink compiler to JSON_VALUE / REGEXP_EXTRACT over the event's JSON text. Empty
 * strings count as absent on both sides.
 */
import type { Doc } from '../../../core/doc';

export interface PathColumn {
  readonly path: readonly string[];
  readonly type: 'string' | 'number';
}

export interface RegexColumn {
  /** A string column the expression reads (defined before it). */
  readonly of: string;
  /**
   * Written in the common subset of JavaScript and Java regular expressions (no lookbehind, no
   * named groups, no inline flags): the same text runs in both engines.
   */
  readonly pattern: string;
  readonly group: number;
  readonly ignoreCase: boolean;
  readonly type: 'string';
}

export type ColumnDef = PathColumn | RegexColumn;

const p = (path: string, type: 'string' | 'number' = 'string'): PathColumn => ({ path: path.split('.'), type });

export const COLUMNS = {
  user: p('user.name'),
  user_department: p('citysoc.identity.department'),
  // The first role the identity directory gives (enrichment writes user.roles as a list).
  user_role: p('user.roles.0'),
  host: p('host.name'),
  asset_department: p('citysoc.asset.department'),
  asset_criticality: p('citysoc.asset.criticality'),
  source_ip: p('source.ip'),
  event_action: p('event.action'),
  outcome: p('event.outcome'),
  data_action: p('citysoc.data.action'),
  dataset: p('citysoc.data.dataset'),
  classification: p('citysoc.data.classification'),
  owner_department: p('citysoc.data.owner_department'),
  records: p('citysoc.data.records', 'number'),
  bytes: p('citysoc.data.bytes', 'number'),
  message: p('message'),
  event_id: p('event.id'),
  // The account a GRANT gives to: MySQL `TO 'li'@'%'`, PostgreSQL `TO li`, Hive `TO USER li`.
  grantee: { of: 'message', pattern: '\\bTO\\s+(?:USER\\s+)?[\'"`]?([A-Za-z0-9_.-]+)', group: 1, ignoreCase: true, type: 'string' } as RegexColumn,
  // The /24 an IPv4 address sits in: a user's network location at the granularity DHCP leaves stable.
  source_subnet: { of: 'source_ip', pattern: '^(\\d{1,3}\\.\\d{1,3}\\.\\d{1,3})\\.\\d{1,3}$', group: 1, ignoreCase: false, type: 'string' } as RegexColumn,
} as const satisfies Record<string, ColumnDef>;

export type ColumnName = keyof typeof COLUMNS;
export const COLUMN_NAMES = Object.keys(COLUMNS) as ColumnName[];

/** One event's columns; absent values are undefined. */
export type Row = { [K in ColumnName]?: (typeof COLUMNS)[K]['type'] extends 'number' ? number : string };

export function isRegexColumn(c: ColumnDef): c is RegexColumn {
  return 'pattern' in c;
}

/** A numeric path segment indexes a list; any other names an object's key. */
export function isIndex(segment: string): boolean {
  return /^\d+$/.test(segment);
}

function scalarAt(doc: Doc, path: readonly string[]): unknown {
  let v: unknown = doc;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    if (Array.isArray(v) !== isIndex(k)) return undefined;
    v = Array.isArray(v) ? v[Number(k)] : (v as Doc)[k];
  }
  return v;
}

/** Compiles the column definitions into one function that reads them all from an ECS document. */
export function compileExtractor(): (doc: Doc) => Row {
  const paths = COLUMN_NAMES.filter((n) => !isRegexColumn(COLUMNS[n])).map((n) => [n, COLUMNS[n] as PathColumn] as const);
  const regexes = COLUMN_NAMES.filter((n) => isRegexColumn(COLUMNS[n])).map((n) => {
    const c = COLUMNS[n] as RegexColumn;
    return [n, c.of, new RegExp(c.pattern, c.ignoreCase ? 'i' : ''), c.group] as const;
  });
  return (doc) => {
    const row: Record<string, string | number | undefined> = {};
    for (const [name, c] of paths) {
      const v = scalarAt(doc, c.path);
      if (c.type === 'number') row[name] = typeof v === 'number' && Number.isSafeInteger(v) ? v : undefined;
      else row[name] = typeof v === 'string' && v !== '' ? v : undefined;
    }
    for (const [name, of, re, group] of regexes) {
      const s = row[of as ColumnName];
      const m = typeof s === 'string' ? re.exec(s) : null;
      const g = m?.[group];
      row[name] = g === undefined || g === '' ? undefined : g;
    }
    return row as Row;
  };
}
