/** Index template for the daily event indices, built from the field catalogue. */
import { FIELDS } from '../../fields';
import { type Dsl, mappingType } from './dsl';

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

export function eventMappings(): Dsl {
  const fields: [string, Dsl][] = Object.keys(FIELDS).map((f) => [f, mappingType(f)]);
  // ECS: the raw line is kept whole but not indexed; it is evidence, not a search field.
  const props = nest(fields.map(([f, m]) => (f === 'event.original' ? [f, { type: 'keyword', index: false, doc_values: false }] : [f, m])));
  return {
    dynamic: true,
    date_detection: false,
    numeric_detection: false,
    // Unknown strings are keywords, as in the SQLite store: exact, case-sensitive.
    dynamic_templates: [{ strings_as_keyword: { match_mapping_type: 'string', mapping: { type: 'keyword' } } }],
    properties: props,
  };
}
