// The corpus in an in-memory SQLite table queried with the SQLite backend's WHERE clauses:
// one JSON column of flattened events (`{"process.executable": ..}`), read by json_extract and
// json_each (arrays match when any element does),
// and REGEXP registered from the same Sigma→JS regex conversion the matcher uses.
import Database from 'better-sqlite3';
import { jsonTreeValues, quote, SqliteBackend } from '../sigma/backends/sqlite';
import { toJsRegex } from '../sigma/backends/regex';
import type { SigmaRule } from '../sigma/model';
import type { ProcessingPipeline } from '../sigma/pipeline';
import type { CorpusEvent, Doc } from './corpus';

/** Leaf paths joined with dots; arrays (also of objects) gather every value reached by the same path. */
export function flatten(doc: Doc): Doc {
  const out: Record<string, unknown[]> = {};
  const walk = (v: unknown, path: string): void => {
    if (Array.isArray(v)) v.forEach((x) => walk(x, path));
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k);
    else (out[path] ??= []).push(v);
  };
  walk(doc, '');
  return Object.fromEntries(Object.entries(out).map(([k, vs]) => [k, vs.length === 1 ? vs[0] : vs]));
}

export const sqliteField = (name: string): string => `json_extract(doc, ${quote(`$."${name.replace(/"/g, '\\"')}"`)})`;
/** Every value of a flattened field: the scalar itself, or each element of an array. */
export const sqliteElements = (name: string): string => `json_each(doc, ${quote(`$."${name.replace(/"/g, '\\"')}"`)})`;

export class SqliteCorpus {
  private readonly db = new Database(':memory:');

  constructor(events: readonly CorpusEvent[]) {
    const cache = new Map<string, RegExp>();
    this.db.function('regexp', { deterministic: true }, (pattern: unknown, value: unknown) => {
      if (value === null || value === undefined) return null;
      const p = String(pattern);
      let re = cache.get(p);
      if (!re) cache.set(p, (re = toJsRegex(p, { i: false, m: false, s: false })));
      return re.test(String(value)) ? 1 : 0;
    });
    this.db.exec('CREATE TABLE events (id TEXT PRIMARY KEY, doc TEXT NOT NULL)');
    const insert = this.db.prepare('INSERT INTO events (id, doc) VALUES (?, ?)');
    this.db.transaction(() => events.forEach((e) => insert.run(e.id, JSON.stringify(flatten(e.doc)))))();
  }

  static backend(pipeline: ProcessingPipeline): SqliteBackend {
    return new SqliteBackend({ pipelines: [pipeline], field: sqliteField, elements: sqliteElements, eventValues: jsonTreeValues('doc') });
  }

  convert(rule: SigmaRule, pipeline: ProcessingPipeline): string {
    return SqliteCorpus.backend(pipeline).convertRule(rule);
  }

  ids(where: string): string[] {
    return (this.db.prepare(`SELECT id FROM events WHERE ${where}`).pluck().all() as string[]).sort();
  }

  close(): void {
    this.db.close();
  }
}
