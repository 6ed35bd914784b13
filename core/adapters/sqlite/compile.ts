/** Compiles the typed query tree (core/query) to a SQLite WHERE clause over the events table. */
import { fieldSpec, FIELDS } from '../../fields';
import type { QueryNode, WildPart } from '../../query/ast';
import { tokenizeText } from '../../query/evaluate';
import { ipv4CidrPrefix } from '../../query/ip';

export interface Sql {
  readonly sql: string;
  readonly params: unknown[];
}

export function columnName(field: string): string {
  return 'f_' + field.replace(/[^A-Za-z0-9]/g, '_');
}

export const INDEXED_FIELDS = Object.entries(FIELDS)
  .filter(([, s]) => s.indexed)
  .map(([f]) => f);

/** Array fields of the catalogue: their values are also kept in event_values, indexed by value. */
export const ARRAY_FIELDS = Object.entries(FIELDS)
  .filter(([, s]) => s.array)
  .map(([f]) => f);

export function jsonPath(field: string): string {
  return (
    '$.' +
    field
      .split('.')
      .map((p) => `"${p.replace(/"/g, '""')}"`)
      .join('.')
  );
}

function quoteLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** How a field is read: one scalar expression, or every element of an array (json_each). */
type Access = { kind: 'scalar'; expr: string } | { kind: 'each'; path: string };

export function access(field: string): Access {
  if (field === '@timestamp') return { kind: 'scalar', expr: 'e.ts' };
  const spec = FIELDS[field];
  if (spec?.indexed) return { kind: 'scalar', expr: `e.${columnName(field)}` };
  if (spec && !spec.array) return { kind: 'scalar', expr: `json_extract(e.doc, ${quoteLiteral(jsonPath(field))})` };
  return { kind: 'each', path: jsonPath(field) };
}

/** Builds `pred(value)` over the field, whichever way it is read. */
function over(field: string, pred: (v: string) => string): string {
  const a = access(field);
  if (a.kind === 'scalar') return pred(a.expr);
  return `EXISTS (SELECT 1 FROM json_each(e.doc, ${quoteLiteral(a.path)}) j WHERE j.type NOT IN ('object','array','null') AND ${pred('j.value')})`;
}

function globPattern(parts: readonly WildPart[]): string {
  return parts.map((p) => (typeof p === 'string' ? p.replace(/[[*?]/g, (c) => `[${c}]`) : p.wild)).join('');
}

function bounds(expr: string, b: { gt?: unknown; gte?: unknown; lt?: unknown; lte?: unknown }, params: unknown[]): string {
  const parts: string[] = [];
  for (const [k, op] of [
    ['gt', '>'],
    ['gte', '>='],
    ['lt', '<'],
    ['lte', '<='],
  ] as const) {
    if (b[k] !== undefined) {
      parts.push(`${expr} ${op} ?`);
      params.push(b[k]);
    }
  }
  return parts.length ? parts.join(' AND ') : `${expr} IS NOT NULL`;
}

export function compileSql(node: QueryNode): Sql {
  const params: unknown[] = [];
  const sql = walk(node, params);
  return { sql, params };
}

function walk(node: QueryNode, params: unknown[]): string {
  switch (node.type) {
    case 'all':
      return '1';
    case 'none':
      return '0';
    case 'and': {
      // Words of one AND go to the full-text index as one MATCH: it intersects posting lists far
      // faster than SQLite intersects one sub-select per word.
      const texts = node.children.filter((c): c is Extract<QueryNode, { type: 'text' }> => c.type === 'text' && c.field === 'message');
      const rest = node.children.filter((c) => !(c.type === 'text' && c.field === 'message'));
      const parts: string[] = [];
      if (texts.length > 1) {
        const phrases = texts.map((t) => ({ t, tokens: tokenizeText(t.text) }));
        if (phrases.some((p) => p.tokens.length === 0)) return '0';
        params.push(phrases.map(({ t, tokens }) => `"${tokens.join(' ')}"${t.prefix ? ' *' : ''}`).join(' AND '));
        parts.push('e.seq IN (SELECT rowid FROM events_fts WHERE events_fts MATCH ?)');
      } else rest.unshift(...texts);
      parts.push(...rest.map((c) => walk(c, params)));
      return '(' + parts.join(' AND ') + ')';
    }
    case 'or':
      return '(' + node.children.map((c) => walk(c, params)).join(' OR ') + ')';
    case 'not':
      // SQL's NULL would make NOT (missing = x) unknown; a missing field simply does not match.
      return `NOT COALESCE((${walk(node.child, params)}), 0)`;
    case 'exists':
      return over(node.field, (v) => `${v} IS NOT NULL`);
    case 'text': {
      const tokens = tokenizeText(node.text);
      if (tokens.length === 0) return '0';
      if (node.field !== 'message') {
        // Only message has a full-text index; other text fields fall back to a token LIKE.
        params.push(`%${tokens.join(' ')}%`);
        return over(node.field, (v) => `lower(${v}) LIKE ?`);
      }
      params.push(`message : "${tokens.join(' ')}"${node.prefix ? ' *' : ''}`);
      return 'e.seq IN (SELECT rowid FROM events_fts WHERE events_fts MATCH ?)';
    }
    case 'keyword':
    case 'ip':
      if (ARRAY_FIELDS.includes(node.field)) {
        params.push(node.field, node.value);
        return 'e.seq IN (SELECT seq FROM event_values WHERE field = ? AND value = ?)';
      }
      params.push(node.value);
      return over(node.field, (v) => `${v} = ?`);
    case 'wildcard':
      params.push(globPattern(node.parts));
      return over(node.field, (v) => `${v} GLOB ?`);
    case 'number':
      params.push(node.value);
      return over(node.field, (v) => `${v} = ?`);
    case 'bool':
      return over(node.field, (v) => `${v} = ${node.value ? 1 : 0}`);
    case 'cidr': {
      // A text-prefix test first lets SQLite use the field's index; the function decides.
      const prefix = ipv4CidrPrefix(node.cidr);
      return over(node.field, (v) => {
        if (prefix === null) {
          params.push(node.cidr);
          return `cidr_match(?, ${v})`;
        }
        params.push(globPattern([prefix, { wild: '*' }]), node.cidr);
        return `(${v} GLOB ? AND cidr_match(?, ${v}))`;
      });
    }
    case 'number_range':
    case 'keyword_range':
      return over(node.field, (v) => bounds(v, node, params));
    case 'date_range': {
      if (node.field === '@timestamp') return bounds('e.ts', node, params);
      return over(node.field, (v) => bounds(`iso_ms(${v})`, node, params));
    }
  }
}

export function isNumericField(field: string): boolean {
  const t = fieldSpec(field).type;
  return t === 'long' || t === 'double' || t === 'date';
}
