/** AnalyticsCheckpointStore on SQLite: one row per consumer, replaced in one statement (atomic, fsync'd by WAL commit). */
import type { AnalyticsCheckpoint, AnalyticsCheckpointStore } from '../../core/ports/analytics-checkpoint';
import { type Db, openDatabase } from './database';

export class SqliteAnalyticsCheckpointStore implements AnalyticsCheckpointStore {
  private readonly db: Db;

  constructor(file: string) {
    // FULL: a checkpoint the consumer relies on must survive a power loss, not only a crash.
    this.db = openDatabase(file, { synchronous: 'FULL' });
    this.db.exec('CREATE TABLE IF NOT EXISTS checkpoints (name TEXT PRIMARY KEY, offsets TEXT NOT NULL, state TEXT NOT NULL, saved_at INTEGER NOT NULL)');
  }

  async load(name: string): Promise<AnalyticsCheckpoint | null> {
    const row = this.db.prepare('SELECT offsets, state FROM checkpoints WHERE name = ?').get(name) as { offsets: string; state: string } | undefined;
    return row ? { offsets: JSON.parse(row.offsets) as Record<string, string>, state: JSON.parse(row.state) as unknown } : null;
  }

  async save(name: string, cp: AnalyticsCheckpoint): Promise<number> {
    const state = JSON.stringify(cp.state);
    this.db
      .prepare(
        'INSERT INTO checkpoints (name, offsets, state, saved_at) VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET offsets = excluded.offsets, state = excluded.state, saved_at = excluded.saved_at',
      )
      .run(name, JSON.stringify(cp.offsets), state, Date.now());
    return state.length;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
