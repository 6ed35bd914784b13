/**
 * Compiles the typed query tree (core/query) to Elasticsearch/OpenSearch query DSL. The two
 * engines share this compiler, the mappings and the store; only their client differs.
 */
import { fieldSpec } from '../fields';
import type { QueryNode, WildPart } from './ast';

export type Dsl = Record<string, unknown>;

function wildcardValue(parts: readonly WildPart[]): string {
  return parts.map((p) => (typeof p === 'string' ? p.replace(/[\\*?]/g, (c) => `\\${c}`) : p.wild)).join('');
}

function bounds(b: { gt?: unknown; gte?: unknown; lt?: unknown; lte?: unknown }): Dsl {
  return Object.fromEntries(Object.entries(b).filter(([k, v]) => ['gt', 'gte', 'lt', 'lte'].includes(k) && v !== undefined));
}

export function toDsl(node: QueryNode): Dsl {
  switch (node.type) {
    case 'all':
      return { match_all: {} };
    case 'none':
      return { match_none: {} };
    case 'and':
      return { bool: { filter: node.children.map(toDsl) } };
    case 'or':
      return { bool: { should: node.children.map(toDsl), minimum_should_match: 1 } };
    case 'not':
      return { bool: { must_not: [toDsl(node.child)] } };
    case 'exists':
      return { exists: { field: node.field } };
    case 'text':
      if (node.prefix) return { match_phrase_prefix: { [node.field]: { query: node.text, max_expansions: 1000 } } };
      return { match_phrase: { [node.field]: node.text } };
    case 'keyword':
      return { term: { [node.field]: node.value } };
    case 'wildcard':
      return { wildcard: { [node.field]: { value: wildcardValue(node.parts) } } };
    case 'number':
    case 'bool':
      return { term: { [node.field]: node.value } };
    case 'ip':
      return { term: { [node.field]: node.value } };
    case 'cidr':
      return { term: { [node.field]: node.cidr } };
    case 'number_range':
    case 'keyword_range':
      return { range: { [node.field]: bounds(node) } };
    case 'date_range':
      return { range: { [node.field]: { ...bounds(node), format: 'epoch_millis' } } };
  }
}

/** The type an engine should map a catalogue field to. */
export function mappingType(field: string): Dsl {
  const t = fieldSpec(field).type;
  switch (t) {
    case 'text':
      return { type: 'text' };
    case 'date':
      return { type: 'date', format: 'strict_date_optional_time||epoch_millis' };
    case 'keyword':
      return { type: 'keyword' };
    default:
      return { type: t };
  }
}
