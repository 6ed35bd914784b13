import { type Db, openDatabase } from './database';
import type { StateStore } from '../../core/ports/state-store';

/** The embedded StateStore: one table, every write its own fsynced transaction. */
export class SqliteStateStore implements StateStore {
  private readonly db: Db;

  constructor(file: string) {
    this.db = openDatabase(file, { synchronous: 'FULL' });
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS state (collection TEXT NOT NULL, id TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (collection, id)) WITHOUT ROWID',
    );
  }

  async all(collection: string): Promise<{ id: string; doc: Record<string, unknown> }[]> {
    const rows = this.db.prepare('SELECT id, doc FROM state WHERE collection = ? ORDER BY id').all(collection) as { id: string; doc: string }[];
    return rows.map((r) => ({ id: r.id, doc: JSON.parse(r.doc) as Record<string, unknown> }));
  }

  async get(collection: string, id: string): Promise<Record<string, unknown> | null> {
    const row = this.db.prepare('SELECT doc FROM state WHERE collection = ? AND id = ?').get(collection, id) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as Record<string, unknown>) : null;
  }

  async put(collection: string, id: string, doc: Record<string, unknown>): Promise<void> {
    this.db.prepare('INSERT OR REPLACE INTO state (collection, id, doc) VALUES (?, ?, ?)').run(collection, id, JSON.stringify(doc));
  }

  async create(collection: string, id: string, doc: Record<string, unknown>): Promise<boolean> {
    return this.db.prepare('INSERT OR IGNORE INTO state (collection, id, doc) VALUES (?, ?, ?)').run(collection, id, JSON.stringify(doc)).changes > 0;
  }

  async remove(collection: string, id: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM state WHERE collection = ? AND id = ?').run(collection, id).changes > 0;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
