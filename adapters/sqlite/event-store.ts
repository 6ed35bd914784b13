import path from 'node:path';
import { CitySocError } from '../../core/errors';
import type { EcsEvent } from '../../core/event';
import { fieldSpec } from '../../core/fields';
import type {
  AggregateRequest,
  AggregateResult,
  AggregationResult,
  Bucket,
  EventStore,
  SearchRequest,
  SearchResult,
  SortKey,
  WriteResult,
} from '../../core/ports/event-store';
import { checkEventIds } from '../../core/ports/event-store';
import { prepareEvent } from '../../core/prepare';
import type { QueryNode } from '../../core/query/ast';
import { DAY_MS, intervalMs } from '../../core/query/dates';
import { compileSql, jsonPath, quoteLiteral } from '../../core/query/to-sql';
import { access, ARRAY_FIELDS, columnName, EVENTS_TABLE, INDEXED_FIELDS, termToken } from './events-table';
import { fieldValues, getField } from '../../core/doc';
import type { Worker } from 'node:worker_threads';
import { type Db, openDatabase } from './database';
import { CHECKPOINTER_MARK, type CheckpointerData, type CheckpointerReply } from './wal-checkpointer';
import { EVENT_WRITER_MARK, type EventRow, type EventWriterData, type EventWriterReply, type EventWriterRequest } from './event-writer';
import { spawnSqliteWorker } from './worker';
import { checkFieldName, checkHistogramSpan, checkPaging, rangeBoundsHistogram, decodeCursor, encodeCursor, fillHistogram, requestFilter } from '../paging';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  ts INTEGER NOT NULL,
  ingested INTEGER,
  doc TEXT NOT NULL
  ${INDEXED_FIELDS.map((f) => `, ${columnName(f)} ANY`).join('\n  ')}
);
CREATE INDEX IF NOT EXISTS events_ts ON events(ts);
${INDEXED_FIELDS.map((f) => `CREATE INDEX IF NOT EXISTS events_${columnName(f)} ON events(${columnName(f)}, ts);`).join('\n')}
CREATE VIRTUAL TABLE IF NOT EXISTS event_terms USING fts5(terms, content='', contentless_delete=1, tokenize='ascii');
CREATE VIRTUAL TABLE IF NOT EXISTS events_fts USING fts5(
  message, content='', contentless_delete=1, tokenize="unicode61 remove_diacritics 0 tokenchars '_'"
);
`;

/** The embedded profile's event store: one SQLite file, JSON documents, indexed hot fields, FTS5. */
/** Ids per lookup statement of getMany: a bounded read however large the batch. */
const LOOKUP_CHUNK = 1_000;

export class SqliteEventStore implements EventStore {
  /** The readers' connection; writes go through the writer thread (event-writer.ts). */
  private readonly db: Db;
  private readonly file: string;
  private checkpointer: Worker | null = null;
  private writer: Worker | null = null;
  private readonly pending = new Map<number, { resolve: (r: EventWriterReply) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  /** Batches stream to the writer one at a time: each is one transaction. */
  private turn: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    file: string,
    opts: {
      /** How often the checkpointer thread copies the write-ahead log into the database file. */
      checkpointEveryMs?: number;
    } = {},
  ) {
    // The writer and checkpointer threads open the same file: an in-memory database would be three.
    if (file === ':memory:') throw new CitySocError('INPUT_INVALID', 'the embedded event store needs a database file, not :memory:');
    this.db = openDatabase(file);
    this.db.exec(SCHEMA);
    migrateValueIndex(this.db);
    // Stores of an earlier version have no ingest time: their events count from their own time.
    const cols = this.db.prepare('PRAGMA table_info(events)').all() as { name: string }[];
    if (!cols.some((c) => c.name === 'ingested')) {
      this.db.exec('ALTER TABLE events ADD COLUMN ingested INTEGER');
      this.db.exec('UPDATE events SET ingested = ts');
    }
    this.db.exec('CREATE INDEX IF NOT EXISTS events_ingested ON events(ingested)');
    this.file = path.resolve(file);
    this.startCheckpointer(opts.checkpointEveryMs ?? 500);
  }

  /**
   * The log is copied into the database file by a thread of its own; SQLite's automatic
   * checkpoint comes back should that thread fail, so the log never grows without bound.
   */
  private startCheckpointer(intervalMs: number): void {
    const worker = spawnSqliteWorker('wal-checkpointer', { mark: CHECKPOINTER_MARK, file: this.file, intervalMs } satisfies CheckpointerData);
    worker.unref();
    const fallBack = () => {
      if (this.checkpointer !== worker) return;
      this.checkpointer = null;
      if (this.writer) void this.request({ type: 'autocheckpoint', pages: 1000 }).catch(() => undefined);
    };
    worker.on('message', (m: CheckpointerReply) => {
      if (m.type === 'failed') fallBack();
    });
    worker.on('error', fallBack);
    worker.on('exit', fallBack);
    this.checkpointer = worker;
  }

  private async stopCheckpointer(): Promise<void> {
    const worker = this.checkpointer;
    if (!worker) return;
    this.checkpointer = null;
    await new Promise<void>((resolve) => {
      worker.once('exit', () => resolve());
      worker.once('message', () => void worker.terminate());
      worker.postMessage({ type: 'close' });
    });
  }

  private writerThread(): Worker {
    if (this.writer) return this.writer;
    const worker = spawnSqliteWorker('event-writer', {
      mark: EVENT_WRITER_MARK,
      file: this.file,
      autocheckpoint: this.checkpointer ? 0 : 1000,
    } satisfies EventWriterData);
    worker.unref();
    worker.on('message', (reply: EventWriterReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      if (reply.type === 'failed') p.reject(new CitySocError('STORE_FAILURE', `event store write failed: ${reply.message}`));
      else p.resolve(reply);
    });
    // A writer that dies fails what it was asked; the next write starts another.
    const gone = (why: string) => {
      if (this.writer !== worker) return;
      this.writer = null;
      for (const p of this.pending.values()) p.reject(new CitySocError('STORE_FAILURE', `event store writer stopped: ${why}`));
      this.pending.clear();
    };
    worker.on('error', (e: Error) => gone(e.message));
    worker.on('exit', (code: number) => gone(`exit code ${code}`));
    this.writer = worker;
    return worker;
  }

  /**
   * Opens a request to the writer: `send` posts its parts as they are ready (all but the last
   * unanswered), `answer` is the writer's reply to the last.
   */
  private open(): { send(part: DistributiveOmit<EventWriterRequest, 'id'>): void; answer: Promise<EventWriterReply> } {
    if (this.closed) throw new CitySocError('UNAVAILABLE', 'event store is closed');
    const worker = this.writerThread();
    const id = ++this.nextId;
    const answer = new Promise<EventWriterReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
    });
    return { send: (part) => worker.postMessage({ ...part, id }), answer };
  }

  private async request(part: DistributiveOmit<EventWriterRequest, 'id'>): Promise<EventWriterReply> {
    const r = this.open();
    r.send(part);
    return r.answer;
  }

  private serial<T>(f: () => Promise<T>): Promise<T> {
    const run = this.turn.then(f, f);
    this.turn = run.catch(() => undefined);
    return run;
  }

  async write(events: readonly EcsEvent[]): Promise<WriteResult> {
    if (events.length === 0) return { written: 0, duplicates: 0, failed: [] };
    return this.serial(async () => {
      const failed: { id: string; reason: string }[] = [];
      const req = this.open();
      // Each chunk goes as soon as it is built: the writer inserts it while the next one is built.
      let rows: EventRow[] = [];
      try {
        for (const raw of events) {
          const p = prepareEvent(raw);
          if (!p.ok) {
            failed.push({ id: p.id, reason: p.reason });
            continue;
          }
          rows.push(eventRow(p.event, p.id, p.ts, p.ingested));
          if (rows.length === WRITE_CHUNK) {
            req.send({ type: 'rows', rows, last: false });
            rows = [];
          }
        }
      } catch (e) {
        // Nothing of a batch that cannot be built is kept: the writer rolls back what it was sent.
        req.send({ type: 'abort', reason: (e as Error).message });
        await req.answer.catch(() => undefined);
        throw new CitySocError('INPUT_INVALID', `event batch could not be written: ${(e as Error).message}`);
      }
      req.send({ type: 'rows', rows, last: true });
      const reply = await req.answer;
      if (reply.type !== 'written') throw new CitySocError('STORE_FAILURE', `event store writer answered ${reply.type} to a write`);
      return { written: reply.written, duplicates: reply.duplicates, failed };
    });
  }

  async get(id: string): Promise<EcsEvent | null> {
    const row = this.db.prepare('SELECT doc FROM events WHERE id = ?').get(id) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as EcsEvent) : null;
  }

  async getMany(ids: readonly string[]): Promise<EcsEvent[]> {
    checkEventIds(ids);
    // The ids travel as one JSON array parameter: no statement text grows with the batch.
    const stmt = this.db.prepare('SELECT doc FROM events WHERE id IN (SELECT value FROM json_each(?))');
    const unique = [...new Set(ids)];
    const out: EcsEvent[] = [];
    for (let i = 0; i < unique.length; i += LOOKUP_CHUNK) {
      for (const row of stmt.all(JSON.stringify(unique.slice(i, i + LOOKUP_CHUNK))) as { doc: string }[]) out.push(JSON.parse(row.doc) as EcsEvent);
    }
    return out;
  }

  private where(
    req: { query?: string; filters?: readonly QueryNode[]; range?: { from?: string; to?: string } },
    now?: Date,
  ): { sql: string; params: unknown[] } {
    return compileSql(requestFilter(req, now), EVENTS_TABLE);
  }

  async search(req: SearchRequest): Promise<SearchResult> {
    const size = req.size ?? 100;
    checkPaging(size, req.offset, req.after);
    const where = this.where(req);
    const sort: SortKey[] = [...(req.sort ?? [{ field: '@timestamp', order: 'desc' }]), { field: 'event.id', order: 'asc' }];
    for (const s of sort) checkFieldName(s.field, 'sort');
    const keys = sort.map((s) => ({ ...s, expr: sortExpr(s.field), nullable: !NEVER_NULL.has(s.field) }));
    const total = (this.db.prepare(`SELECT count(*) AS n FROM events e WHERE ${where.sql}`).get(...where.params) as { n: number }).n;

    const cursor = req.after ? afterCursor(keys, decodeCursor(req.after, keys.length)) : { sql: '1', params: [] };
    // Missing values sort last. Keys that are never missing get no IS NULL term, which would
    // keep SQLite from reading them in index order (a filtered search then sorts every hit).
    const order = keys.map((k) => `${k.nullable ? `${k.expr} IS NULL, ` : ''}${k.expr} ${k.order === 'asc' ? 'ASC' : 'DESC'}`).join(', ');
    const rows = this.db
      .prepare(
        `SELECT e.doc, ${keys.map((k, i) => `${k.expr} AS s${i}`).join(', ')} FROM events e WHERE ${where.sql} AND ${cursor.sql} ORDER BY ${order} LIMIT ? OFFSET ?`,
      )
      .all(...where.params, ...cursor.params, size + 1, req.offset ?? 0) as Record<string, unknown>[];
    const more = rows.length > size;
    const page = rows.slice(0, size);
    const last = page[page.length - 1];
    return {
      total,
      events: page.map((r) => JSON.parse(r.doc as string) as EcsEvent),
      ...(more && last ? { nextCursor: encodeCursor(keys.map((_, i) => last[`s${i}`] ?? null)) } : {}),
    };
  }

  async aggregate(req: AggregateRequest): Promise<AggregateResult> {
    const now = new Date();
    const where = this.where(req, now);
    // Every event has a @timestamp, so an @timestamp histogram's buckets add up to the total.
    let total: number | null = null;
    const aggs: Record<string, AggregationResult> = {};
    for (const [name, agg] of Object.entries(req.aggs)) {
      if (agg.type !== 'date_histogram' || agg.field !== undefined) checkFieldName(agg.field ?? '', `aggregation ${name}`);
      if (agg.type === 'date_histogram') {
        const field = agg.field ?? '@timestamp';
        const step = intervalMs(agg.interval);
        const expr = field === '@timestamp' ? 'e.ts' : `iso_ms(json_extract(e.doc, ${quoteLiteral(jsonPath(field))}))`;
        // The span first: a stray event in year 9999 must not make a histogram of every second since 1970.
        // A time range narrow enough bounds it already, without reading every match twice.
        if (field !== '@timestamp' || !rangeBoundsHistogram(req.range, step, now)) {
          const span = this.db
            .prepare(`SELECT min(${expr}) AS lo, max(${expr}) AS hi FROM events e WHERE ${where.sql} AND ${expr} IS NOT NULL`)
            .get(...where.params) as { lo: number | null; hi: number | null };
          if (span.lo !== null && span.hi !== null) checkHistogramSpan(Math.floor(span.lo / step) * step, Math.floor(span.hi / step) * step, step);
        }
        const rows = this.db
          .prepare(`SELECT (${expr} / ${step}) * ${step} AS k, count(*) AS c FROM events e WHERE ${where.sql} AND ${expr} IS NOT NULL GROUP BY k ORDER BY k`)
          .all(...where.params) as { k: number; c: number }[];
        aggs[name] = {
          type: 'date_histogram',
          buckets: fillHistogram(
            rows.map((r) => ({ key: r.k, count: r.c })),
            step,
          ),
        };
        if (field === '@timestamp') total = rows.reduce((n, r) => n + r.c, 0);
      } else if (agg.type === 'terms') {
        const size = agg.size ?? 10;
        if (size < 1 || size > 10_000) throw new CitySocError('INPUT_INVALID', `terms size ${size} is out of range 1..10000`);
        const { from, valueExpr, distinctDoc } = fieldSource(agg.field);
        const rows = this.db
          .prepare(
            `SELECT ${valueExpr} AS k, count(${distinctDoc ? 'DISTINCT e.seq' : '*'}) AS c FROM ${from} WHERE ${where.sql} AND ${valueExpr} IS NOT NULL GROUP BY k ORDER BY c DESC, k ASC LIMIT ?`,
          )
          .all(...where.params, size) as { k: unknown; c: number }[];
        aggs[name] = { type: 'terms', buckets: rows.map((r) => termBucket(agg.field, r.k, r.c)) };
      } else {
        const { from, valueExpr } = fieldSource(agg.field);
        const row = this.db.prepare(`SELECT count(DISTINCT ${valueExpr}) AS n FROM ${from} WHERE ${where.sql}`).get(...where.params) as { n: number };
        aggs[name] = { type: 'cardinality', value: row.n };
      }
    }
    total ??= (this.db.prepare(`SELECT count(*) AS n FROM events e WHERE ${where.sql}`).get(...where.params) as { n: number }).n;
    return { total, aggs };
  }

  async refresh(): Promise<void> {
    // Committed SQLite transactions are visible to the next read; nothing to do.
  }

  async enforceRetention(now: Date, retentionDays: number): Promise<{ deleted: number }> {
    // By ingest time, as Elasticsearch ILM ages indices by creation: replayed history is not purged at once.
    const cutoff = Math.floor(now.getTime() / DAY_MS) * DAY_MS - retentionDays * DAY_MS;
    return this.serial(async () => {
      const reply = await this.request({ type: 'retain', cutoff });
      if (reply.type !== 'retained') throw new CitySocError('STORE_FAILURE', `event store writer answered ${reply.type} to retention`);
      return { deleted: reply.deleted };
    });
  }

  async health(): Promise<{ ok: boolean; detail?: string }> {
    try {
      this.db.prepare('SELECT 1').get();
      return { ok: true };
    } catch (e) {
      return { ok: false, detail: (e as Error).message };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.turn;
    const writer = this.writer;
    if (writer) {
      const exited = new Promise((r) => writer.once('exit', r));
      await this.request({ type: 'close' }).catch(() => undefined);
      await exited;
    }
    this.closed = true;
    await this.stopCheckpointer();
    if (this.db.open) {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
      this.db.close();
    }
  }
}

/** Rows go to the writer thread in chunks of this many, so preparing one overlaps inserting another. */
const WRITE_CHUNK = 200;

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

/** The row the writer inserts: hot fields copied from the object in hand (cheaper than generated columns, which parse the JSON once per column). */
function eventRow(event: EcsEvent, id: string, ts: number, ingested: number): EventRow {
  const row: EventRow = [id, ts, ingested, JSON.stringify(event)];
  for (const f of INDEXED_FIELDS) row.push(columnValue(getField(event, f)));
  const msg = event.message;
  row.push(typeof msg === 'string' && msg !== '' ? msg : null);
  const terms = termsOf(event);
  row.push(terms === '' ? null : terms);
  return row;
}

/** The event's array-field values as event_terms terms, space separated ('' when it has none). */
function termsOf(event: EcsEvent): string {
  let out = '';
  for (const f of ARRAY_FIELDS) {
    for (const v of fieldValues(event, f)) {
      if (typeof v === 'string' || typeof v === 'number') out += (out === '' ? '' : ' ') + termToken(f, v);
    }
  }
  return out;
}

/**
 * Stores written before event_terms kept array values in an event_values table (two B-tree entries
 * per value, the costliest part of a write): its rows become terms, once, and the table goes.
 */
function migrateValueIndex(db: Db): void {
  const old = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'event_values'").get();
  if (!old) return;
  const insert = db.prepare('INSERT INTO event_terms (rowid, terms) VALUES (?, ?)');
  // Read a page, then write (one connection cannot write while it iterates).
  const page = db.prepare('SELECT field, value, seq FROM event_values WHERE seq > ? ORDER BY seq LIMIT 20000');
  const one = db.prepare('SELECT field, value, seq FROM event_values WHERE seq = ?');
  type Row = { field: string; value: string | number; seq: number };
  db.transaction(() => {
    for (let after = -1; ;) {
      let rows = page.all(after) as Row[];
      if (rows.length === 0) break;
      const last = rows[rows.length - 1]!.seq;
      // A full page may end inside an event's values: that event is read whole on its own.
      if (rows.length === 20000) rows = [...rows.filter((r) => r.seq !== last), ...(one.all(last) as Row[])];
      const bySeq = new Map<number, string[]>();
      for (const r of rows) {
        const list = bySeq.get(r.seq) ?? [];
        list.push(termToken(r.field, r.value));
        bySeq.set(r.seq, list);
      }
      for (const [seq, terms] of bySeq) insert.run(seq, terms.join(' '));
      after = last;
    }
    db.exec('DROP TABLE event_values');
  })();
}

/** What json_extract would give for a scalar: text, number, 0/1 for booleans; nothing for objects. */
function columnValue(v: unknown): string | number | null {
  if (typeof v === 'string' || typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (Array.isArray(v) || (typeof v === 'object' && v !== null)) return JSON.stringify(v);
  return null;
}

/** Sort keys every stored event has (columns declared NOT NULL). */
const NEVER_NULL = new Set(['@timestamp', 'event.id']);

function sortExpr(field: string): string {
  if (field === '@timestamp') return 'e.ts';
  if (field === 'event.id') return 'e.id';
  const a = access(field);
  // Sorting on an array field uses its first element, as a stable and engine-neutral choice.
  return a.kind === 'scalar' ? a.expr : `json_extract(e.doc, ${quoteLiteral(a.path + '[0]')})`;
}

/** Keyset condition "after this row" for the sort keys, with missing values last. */
function afterCursor(keys: { expr: string; order: 'asc' | 'desc'; nullable: boolean }[], values: unknown[]): { sql: string; params: unknown[] } {
  const k = keys[0]!;
  const v = values[0];
  const rest = keys.length > 1 ? afterCursor(keys.slice(1), values.slice(1)) : null;
  if (v === null || v === undefined) {
    return rest === null ? { sql: '0', params: [] } : { sql: `(${k.expr} IS NULL AND ${rest.sql})`, params: rest.params };
  }
  const beyond = k.nullable ? `(${k.expr} ${k.order === 'asc' ? '>' : '<'} ? OR ${k.expr} IS NULL)` : `${k.expr} ${k.order === 'asc' ? '>' : '<'} ?`;
  if (rest === null) return { sql: beyond, params: [v] };
  return { sql: `(${beyond} OR (${k.expr} = ? AND ${rest.sql}))`, params: [v, v, ...rest.params] };
}

function fieldSource(field: string): { from: string; valueExpr: string; distinctDoc: boolean } {
  const a = access(field);
  if (a.kind === 'scalar') return { from: 'events e', valueExpr: a.expr, distinctDoc: false };
  return {
    from: `events e JOIN json_each(e.doc, ${quoteLiteral(a.path)}) j ON j.type NOT IN ('object','array','null')`,
    valueExpr: 'j.value',
    distinctDoc: true,
  };
}

function termBucket(field: string, key: unknown, count: number): Bucket {
  const t = fieldSpec(field).type;
  if (t === 'long' || t === 'double' || t === 'date') return { key: Number(key), count };
  if (t === 'boolean') return { key: key === 1 || key === true ? 'true' : 'false', count };
  return { key: String(key), count };
}
