/**
 * The embedded event store's writer thread. It owns the connection that writes events: the main
 * thread turns each event into a row (validation, JSON, hot columns, terms) and streams a batch
 * to it in chunks, so building the next chunk overlaps inserting the previous one, and the event
 * loop never runs SQLite's index maintenance (most of a write's cost). One transaction per batch,
 * answered once committed: an answered write is visible to every reader. The main thread imports
 * this module for the row shape and the message types only; the writer itself starts only in a
 * worker started with EVENT_WRITER_MARK.
 */
import type { Statement } from 'better-sqlite3';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { type Db, openDatabase } from './database';
import { columnName, INDEXED_FIELDS } from './events-table';

export const EVENT_WRITER_MARK = 'citysoc-event-writer';

export interface EventWriterData {
  readonly mark: typeof EVENT_WRITER_MARK;
  readonly file: string;
  /** SQLite's automatic checkpoint (pages), 0 while a checkpointer thread does it. */
  readonly autocheckpoint: number;
}

/** id, ts, ingested, doc, the hot columns in INDEXED_FIELDS order, message, terms. */
export type EventRow = (string | number | null)[];

export type EventWriterRequest =
  | { readonly type: 'rows'; readonly id: number; readonly rows: readonly EventRow[]; readonly last: boolean }
  | { readonly type: 'abort'; readonly id: number; readonly reason: string }
  | { readonly type: 'retain'; readonly id: number; readonly cutoff: number }
  | { readonly type: 'autocheckpoint'; readonly id: number; readonly pages: number }
  | { readonly type: 'close'; readonly id: number };

export type EventWriterReply =
  | { readonly type: 'written'; readonly id: number; readonly written: number; readonly duplicates: number }
  | { readonly type: 'retained'; readonly id: number; readonly deleted: number }
  | { readonly type: 'done'; readonly id: number }
  | { readonly type: 'failed'; readonly id: number; readonly message: string };

class EventWriter {
  private readonly insert: Statement;
  private readonly insertFts: Statement;
  private readonly insertTerms: Statement;
  /** The batch whose transaction is open, and what it wrote so far. */
  private open: { id: number; written: number; duplicates: number } | null = null;
  /** A batch that failed part way: its remaining chunks are dropped (it was answered). */
  private abandoned = -1;

  constructor(private readonly db: Db) {
    this.insert = db.prepare(
      `INSERT OR IGNORE INTO events (id, ts, ingested, doc, ${INDEXED_FIELDS.map(columnName).join(', ')}) VALUES (?, ?, ?, ?, ${INDEXED_FIELDS.map(() => '?').join(', ')})`,
    );
    this.insertFts = db.prepare('INSERT INTO events_fts (rowid, message) VALUES (?, ?)');
    this.insertTerms = db.prepare('INSERT INTO event_terms (rowid, terms) VALUES (?, ?)');
  }

  handle(m: EventWriterRequest): EventWriterReply | null {
    try {
      switch (m.type) {
        case 'rows':
          return this.rows(m.id, m.rows, m.last);
        case 'abort':
          if (this.db.inTransaction) this.db.exec('ROLLBACK');
          this.open = null;
          return { type: 'failed', id: m.id, message: `aborted: ${m.reason}` };
        case 'retain':
          return { type: 'retained', id: m.id, deleted: this.retain(m.cutoff) };
        case 'autocheckpoint':
          this.db.pragma(`wal_autocheckpoint = ${Math.max(0, Math.floor(m.pages))}`);
          return { type: 'done', id: m.id };
        case 'close':
          if (this.db.inTransaction) this.db.exec('ROLLBACK');
          this.db.close();
          return { type: 'done', id: m.id };
      }
    } catch (e) {
      if (this.db.open && this.db.inTransaction) this.db.exec('ROLLBACK');
      if (m.type === 'rows') {
        this.open = null;
        if (!m.last) this.abandoned = m.id;
      }
      return { type: 'failed', id: m.id, message: (e as Error).message };
    }
  }

  private rows(id: number, rows: readonly EventRow[], last: boolean): EventWriterReply | null {
    if (id === this.abandoned) return null;
    if (this.open === null) {
      this.db.exec('BEGIN');
      this.open = { id, written: 0, duplicates: 0 };
    }
    const o = this.open;
    const n = INDEXED_FIELDS.length;
    for (const r of rows) {
      const info = this.insert.run(r.slice(0, 4 + n));
      if (info.changes === 0) {
        o.duplicates++;
        continue;
      }
      o.written++;
      const msg = r[4 + n];
      if (msg !== null && msg !== undefined) this.insertFts.run(info.lastInsertRowid, msg);
      const terms = r[5 + n];
      if (terms !== null && terms !== undefined) this.insertTerms.run(info.lastInsertRowid, terms);
    }
    if (!last) return null;
    this.db.exec('COMMIT');
    this.open = null;
    return { type: 'written', id, written: o.written, duplicates: o.duplicates };
  }

  /** By ingest time, in small transactions so a big purge never holds the write lock for long. */
  private retain(cutoff: number): number {
    const select = this.db.prepare('SELECT seq FROM events WHERE ingested < ? LIMIT 5000');
    const delFts = this.db.prepare('DELETE FROM events_fts WHERE rowid = ?');
    const delTerms = this.db.prepare('DELETE FROM event_terms WHERE rowid = ?');
    const delEvent = this.db.prepare('DELETE FROM events WHERE seq = ?');
    const chunk = this.db.transaction((seqs: number[]) => {
      for (const s of seqs) {
        delFts.run(s);
        delTerms.run(s);
        delEvent.run(s);
      }
    });
    let deleted = 0;
    for (;;) {
      const seqs = (select.all(cutoff) as { seq: number }[]).map((r) => r.seq);
      if (seqs.length === 0) return deleted;
      chunk(seqs);
      deleted += seqs.length;
    }
  }
}

function run(d: EventWriterData): void {
  const port = parentPort!;
  const db = openDatabase(d.file);
  db.pragma(`wal_autocheckpoint = ${d.autocheckpoint}`);
  const writer = new EventWriter(db);
  port.on('message', (m: EventWriterRequest) => {
    const reply = writer.handle(m);
    if (reply) port.postMessage(reply);
    if (m.type === 'close') port.close();
  });
}

if (!isMainThread && (workerData as Partial<EventWriterData> | null)?.mark === EVENT_WRITER_MARK) run(workerData as EventWriterData);
