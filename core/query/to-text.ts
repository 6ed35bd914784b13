/** Prints a query tree in the query language so that compileQuery(text) gives the same tree back. */
import type { QueryNode, WildPart } from './ast';

const quote = (s: string) => `"${s.replace(/["\\]/g, (c) => '\\' + c)}"`;
const escapeWord = (s: string) => s.replace(/[\s\\"():[\]{}<>=*?]/g, (c) => '\\' + c);
/** A predicate no document satisfies, for the rare empty filter. */
const NONE = '(citysoc.none:* AND NOT citysoc.none:*)';

function wildcard(parts: readonly WildPart[]): string {
  return parts.map((p) => (typeof p === 'string' ? escapeWord(p) : p.wild)).join('');
}

function range(field: string, b: { gt?: unknown; gte?: unknown; lt?: unknown; lte?: unknown }, fmt: (v: never) => string): string {
  const low = b.gte !== undefined ? { v: b.gte, incl: true } : b.gt !== undefined ? { v: b.gt, incl: false } : null;
  const high = b.lte !== undefined ? { v: b.lte, incl: true } : b.lt !== undefined ? { v: b.lt, incl: false } : null;
  // Two bounds print as one Lucene range, so the text parses back to one range node.
  if (low && high) return `${field}:${low.incl ? '[' : '{'}${fmt(low.v as never)} TO ${fmt(high.v as never)}${high.incl ? ']' : '}'}`;
  if (low) return `${field} ${low.incl ? '>=' : '>'} ${fmt(low.v as never)}`;
  if (high) return `${field} ${high.incl ? '<=' : '<'} ${fmt(high.v as never)}`;
  return `${field}:*`;
}

function toQueryText(node: QueryNode): string {
  switch (node.type) {
    case 'all':
      return `NOT ${NONE}`;
    case 'none':
      return NONE;
    case 'and':
    case 'or':
      return `(${node.children.map(toQueryText).join(node.type === 'and' ? ' AND ' : ' OR ')})`;
    case 'not':
      return `NOT ${toQueryText(node.child)}`;
    case 'exists':
      return `${node.field}:*`;
    case 'text':
      return node.prefix ? `${node.field}:${escapeWord(node.text)}*` : `${node.field}:${quote(node.text)}`;
    case 'keyword':
      return `${node.field}:${quote(node.value)}`;
    case 'wildcard':
      return `${node.field}:${wildcard(node.parts)}`;
    case 'number':
      return `${node.field}:${node.value}`;
    case 'bool':
      return `${node.field}:${node.value}`;
    case 'ip':
      return `${node.field}:${quote(node.value)}`;
    case 'cidr':
      return `${node.field}:${quote(node.cidr)}`;
    case 'date_range':
      return range(node.field, node, (v: number) => quote(new Date(v).toISOString()));
    case 'number_range':
      return range(node.field, node, (v: number) => String(v));
    case 'keyword_range':
      return range(node.field, node, (v: string) => quote(v));
  }
}

/** The text of a top-level filter: `all` is the empty query. */
export function filterText(node: QueryNode): string {
  return node.type === 'all' ? '' : toQueryText(node);
}
