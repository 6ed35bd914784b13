/** Index template for the daily event indices, built from the field catalogue. */
import { FIELDS } from '../../core/fields';
import { type Dsl, mappingType } from '../../core/query/to-dsl';

function nest(fields: [string, Dsl][]): Dsl {
  const root: Dsl = {};
  for (const [name, mapping] of fields) {
    const parts = name.split('.');
    let cur = root;
    for (const p of parts.slice(0, -1)) {
      cur[p] ??= { properties: {} };
      cur = (cur[p] as { properties: Dsl }).properties;
    }
    const leaf = parts[parts.length - 1]!;
    const existing = cur[leaf] as { properties?: Dsl } | undefined;
    cur[leaf] = existing?.properties ? { ...mapping, ...existing } : mapping;
  }
  return root;
}

/**
 * The raw line, whole: Sigma keyword rules (values without a field) search it with a wildcard
 * query (analytics/sigma/README.md), so it is an indexed keyword. Lucene refuses terms over
 * 32,766 bytes; `ignore_above` counts characters, and 8191 characters of UTF-8 (≤ 4 bytes each)
 * stay under that. Raw lines longer than 8191 characters are stored but not indexed, so keyword
 * rules on Elasticsearch/OpenSearch do not match them (the JS matcher and SQLite still do).
 */
export const EVENT_ORIGINAL_MAPPING: Dsl = { type: 'keyword', ignore_above: 8191 };

export function eventMappings(): Dsl {
  const fields: [string, Dsl][] = Object.keys(FIELDS).map((f) => [f, mappingType(f)]);
  const props = nest(fields.map(([f, m]) => (f === 'event.original' ? [f, EVENT_ORIGINAL_MAPPING] : [f, m])));
  return {
    dynamic: true,
    date_detection: false,
    numeric_detection: false,
    // Unknown strings are keywords, as in the SQLite store: exact, case-sensitive.
    dynamic_templates: [{ strings_as_keyword: { match_mapping_type: 'string', mapping: { type: 'keyword' } } }],
    properties: props,
  };
}
