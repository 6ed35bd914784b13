/**
 * Compiles the typed query tree (core/query) to a SQLite WHERE clause. The events table is the
 * main target (hot columns, full-text index, array value index); other stores keep JSON
 * documents in a `doc` column with a few columns beside it (alerts, audit records) and get
 * the same semantics through a DocTable.
 */
import { fieldSpec } from '../fields';
import type { QueryNode, WildPart } from './ast';
import { tokenizeText } from './evaluate';
import { ipv4CidrPrefix } from './ip';

export interface Sql {
  readonly sql: string;
  readonly params: unknown[];
}

export function jsonPath(field: string): string {
  return (
    '$.' +
    field
      .split('.')
      .map((p) => `"${p.replace(/"/g, '""')}"`)
      .join('.')
  );
}

export function quoteLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** How a field is read: one scalar expression, or every element of an array (json_each). */
export type Access = { kind: 'scalar'; expr: string } | { kind: 'each'; path: string; doc: string };

/** A table the compiler writes for, aliased `e` in the query. */
export interface SqlTable {
  access(field: string): Access;
  /** The row condition for a MATCH expression bound as a parameter, when the table has a full-text index on message. */
  readonly fullText?: string;
  /** The row condition for fields the table indexes by value, with the parameters it takes for (field, value). */
  readonly valueIndex?: { readonly fields: readonly string[]; readonly sql: string; params(field: string, value: string): unknown[] };
}

/**
 * A table of JSON documents: the named fields read from their columns, every other field from
 * the document, scalar or array alike (json_each yields a scalar as its one element).
 */
export function docTable(doc: string, columns: Readonly<Record<string, string>> = {}): SqlTable {
  return {
    access: (field) => {
      const col = columns[field];
      return col !== undefined ? { kind: 'scalar', expr: col } : { kind: 'each', path: jsonPath(field), doc };
    },
  };
}

/** Builds `pred(value)` over the field, whichever way it is read. */
function over(t: SqlTable, field: string, pred: (v: string) => string): string {
  const a = t.access(field);
  if (a.kind === 'scalar') return pred(a.expr);
  return `EXISTS (SELECT 1 FROM json_each(${a.doc}, ${quoteLiteral(a.path)}) j WHERE j.type NOT IN ('object','array','null') AND ${pred('j.value')})`;
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

export function compileSql(node: QueryNode, table: SqlTable): Sql {
  const params: unknown[] = [];
  const sql = walk(table, node, params);
  return { sql, params };
}

function walk(t: SqlTable, node: QueryNode, params: unknown[]): string {
  const overField = (field: string, pred: (v: string) => string) => over(t, field, pred);
  switch (node.type) {
    case 'all':
      return '1';
    case 'none':
      return '0';
    case 'and': {
      // Words of one AND go to the full-text index as one MATCH: it intersects posting lists far
      // faster than SQLite intersects one sub-select per word.
      const fullText = (c: QueryNode) => t.fullText !== undefined && c.type === 'text' && c.field === 'message';
      const texts = node.children.filter((c): c is Extract<QueryNode, { type: 'text' }> => fullText(c));
      const rest = node.children.filter((c) => !fullText(c));
      const parts: string[] = [];
      if (texts.length > 1) {
        const phrases = texts.map((t) => ({ t, tokens: tokenizeText(t.text) }));
        if (phrases.some((p) => p.tokens.length === 0)) return '0';
        params.push(phrases.map(({ t, tokens }) => `"${tokens.join(' ')}"${t.prefix ? ' *' : ''}`).join(' AND '));
        parts.push(t.fullText!);
      } else rest.unshift(...texts);
      parts.push(...rest.map((c) => walk(t, c, params)));
      return '(' + parts.join(' AND ') + ')';
    }
    case 'or':
      return '(' + node.children.map((c) => walk(t, c, params)).join(' OR ') + ')';
    case 'not':
      // SQL's NULL would make NOT (missing = x) unknown; a missing field simply does not match.
      return `NOT COALESCE((${walk(t, node.child, params)}), 0)`;
    case 'exists':
      return overField(node.field, (v) => `${v} IS NOT NULL`);
    case 'text': {
      const tokens = tokenizeText(node.text);
      if (tokens.length === 0) return '0';
      if (node.field !== 'message' || t.fullText === undefined) {
        // Only message has a full-text index; other text fields fall back to a token LIKE.
        params.push(`%${tokens.join(' ')}%`);
        return overField(node.field, (v) => `lower(${v}) LIKE ?`);
      }
      params.push(`message : "${tokens.join(' ')}"${node.prefix ? ' *' : ''}`);
      return t.fullText;
    }
    case 'keyword':
    case 'ip':
      if (t.valueIndex?.fields.includes(node.field)) {
        params.push(...t.valueIndex.params(node.field, node.value));
        return t.valueIndex.sql;
      }
      params.push(node.value);
      return overField(node.field, (v) => `${v} = ?`);
    case 'wildcard':
      params.push(globPattern(node.parts));
      return overField(node.field, (v) => `${v} GLOB ?`);
    case 'number':
      params.push(node.value);
      return overField(node.field, (v) => `${v} = ?`);
    case 'bool':
      return overField(node.field, (v) => `${v} = ${node.value ? 1 : 0}`);
    case 'cidr': {
      // A text-prefix test first lets SQLite use the field's index; the function decides.
      const prefix = ipv4CidrPrefix(node.cidr);
      return overField(node.field, (v) => {
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
      return overField(node.field, (v) => bounds(v, node, params));
    case 'date_range': {
      const a = t.access(node.field);
      if (node.field === '@timestamp' && a.kind === 'scalar') return bounds(a.expr, node, params);
      return overField(node.field, (v) => bounds(`iso_ms(${v})`, node, params));
    }
  }
}

export function isNumericField(field: string): boolean {
  const t = fieldSpec(field).type;
  return t === 'long' || t === 'double' || t === 'date';
}
