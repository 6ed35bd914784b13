/**
 * The embedded event store's table as the SQL compiler sees it: hot fields of the catalogue in
 * their own indexed columns, `message` in an FTS5 index, array fields in a value index, every
 * other field read from the JSON document.
 */
import { hash } from 'node:crypto';
import { FIELDS } from '../../core/fields';
import { type Access, jsonPath, quoteLiteral, type SqlTable } from '../../core/query/to-sql';

export function columnName(field: string): string {
  return 'f_' + field.replace(/[^A-Za-z0-9]/g, '_');
}

export const INDEXED_FIELDS = Object.entries(FIELDS)
  .filter(([, s]) => s.indexed)
  .map(([f]) => f);

/** Array fields of the catalogue: their values are also kept as terms of event_terms, indexed by value. */
export const ARRAY_FIELDS = Object.entries(FIELDS)
  .filter(([, s]) => s.array)
  .map(([f]) => f);

/**
 * The term that stands for `value` of an array field in event_terms, a full-text index used as an
 * inverted index (FTS5 buffers and merges its postings like a search engine's segments: a term
 * costs a fraction of a B-tree entry to write). 80 bits of SHA-256: no value's term can be made to
 * equal another's, so a hit needs no second look at the document. Numbers and strings differ, as
 * in SQLite's comparison.
 */
export function termToken(field: string, value: string | number): string {
  return 't' + hash('sha256', `${field}\0${typeof value === 'number' ? 'n' : 's'}\0${value}`, 'hex').slice(0, 20);
}

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
  valueIndex: {
    fields: ARRAY_FIELDS,
    sql: 'e.seq IN (SELECT rowid FROM event_terms WHERE event_terms MATCH ?)',
    params: (field, value) => [`"${termToken(field, value)}"`],
  },
};
