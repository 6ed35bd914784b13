/**
 * The embedded event store's table as the SQL compiler sees it: hot fields of the catalogue in
 * their own indexed columns, `message` in an FTS5 index, array fields in a value index, every
 * other field read from the JSON document.
 */
import { FIELDS } from '../../core/fields';
import { type Access, jsonPath, quoteLiteral, type SqlTable } from '../../core/query/to-sql';

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

export function access(field: string): Access {
  if (field === '@timestamp') return { kind: 'scalar', expr: 'e.ts' };
  const spec = FIELDS[field];
  if (spec?.indexed) return { kind: 'scalar', expr: `e.${columnName(field)}` };
  if (spec && !spec.array) return { kind: 'scalar', expr: `json_extract(e.doc, ${quoteLiteral(jsonPath(field))})` };
  return { kind: 'each', path: jsonPath(field), doc: 'e.doc' };
}

export const EVENTS_TABLE: SqlTable = {
  access,
  fullText: 'e.seq IN (SELECT rowid FROM events_fts WHERE events_fts MATCH ?)',
  valueIndex: { fields: ARRAY_FIELDS, sql: 'e.seq IN (SELECT seq FROM event_values WHERE field = ? AND value = ?)' },
};
