import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { cidrContains } from '../../core/query/ip';

export type Db = Database.Database;

/**
 * Opens a SQLite database the way every embedded store wants it: WAL so readers never block
 * the writer, NORMAL sync (durable at checkpoint; the spool is what makes ingest durable),
 * a busy timeout for several processes on one file, and the functions our SQL relies on.
 */
export function openDatabase(file: string, opts: { synchronous?: 'NORMAL' | 'FULL' } = {}): Db {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${opts.synchronous ?? 'NORMAL'}`);
  db.pragma('busy_timeout = 10000');
  db.pragma('foreign_keys = ON');
  db.pragma('cache_size = -262144');
  db.pragma('temp_store = MEMORY');
  db.function('cidr_match', { deterministic: true }, (cidr: unknown, ip: unknown) =>
    typeof cidr === 'string' && typeof ip === 'string' && cidrContains(cidr, ip) ? 1 : 0,
  );
  db.function('iso_ms', { deterministic: true }, (v: unknown) => {
    if (typeof v === 'number') return v;
    if (typeof v !== 'string') return null;
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? null : ms;
  });
  return db;
}
