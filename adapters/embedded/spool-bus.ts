/**
 * The embedded profile's bus: topics kept in an on-disk spool (SQLite, WAL, fsync on every
 * publish), consumer groups with committed offsets. A message a publisher saw accepted
 * survives a crash; a group sees it again until its handler has finished with it (auto commit)
 * or until the group commits it (manual commit). Compaction drops only what every group that
 * ever subscribed has committed.
 */
import { EventEmitter } from 'node:events';
import type { Statement } from 'better-sqlite3';
import { CitySocError } from '../../core/errors';
import type { BatchHandler, Bus, BusMessage, DeliveredMessage, ManualSubscription, Subscribe, SubscribeOptions, Topic } from '../../core/ports/bus';
import { type Db, openDatabase } from '../sqlite/database';

import type { Worker } from 'node:worker_threads';
import { spawnSqliteWorker } from '../sqlite/worker';
import { SPOOL_WRITER_MARK, type SpoolWriterData, type SpoolWriterReply, type SpoolWriterRequest } from './spool-writer';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS messages (
  "offset" INTEGER PRIMARY KEY AUTOINCREMENT,
  topic TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  bytes INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_topic ON messages(topic, "offset");
CREATE TABLE IF NOT EXISTS commits (
  topic TEXT NOT NULL,
  grp TEXT NOT NULL,
  "offset" INTEGER NOT NULL,
  PRIMARY KEY (topic, grp)
);
`;

export interface SpoolBusOptions {
  readonly file: string;
  readonly batchSize?: number;
  /** Poll interval: also picks up messages written by another process on the same spool. */
  readonly pollMs?: number;
  readonly retryMs?: number;
  /** How often messages every group has committed are dropped from the spool; 0 turns it off. */
  readonly compactEveryMs?: number;
  readonly onError?: (err: unknown, ctx: { topic: Topic; group: string }) => void;
  /** A compaction round failed for another reason than the write lock being held (the next round tries again). */
  readonly onCompactionError?: (err: unknown) => void;
}

export class SpoolBus implements Bus {
  private readonly db: Db;
  private readonly wake = new EventEmitter();
  private readonly subs = new Set<SpoolSubscription>();
  /** Appends run on the writer thread (spool-writer.ts); this connection reads and commits offsets. */
  private writer: Worker | null = null;
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private closed = false;
  private readonly compactTimer: NodeJS.Timeout | null;

  constructor(private readonly opts: SpoolBusOptions) {
    // FULL: fsync at every commit, so "published" means on disk.
    this.db = openDatabase(opts.file, { synchronous: 'FULL' });
    this.db.exec(SCHEMA);
    this.wake.setMaxListeners(0);
    // Without compaction the spool only grows, and its size is the gateway's backpressure signal.
    const every = opts.compactEveryMs ?? 5_000;
    this.compactTimer = every > 0 ? setInterval(() => this.compactIfFree(), every) : null;
    this.compactTimer?.unref();
  }

  async publish<T>(topic: Topic, messages: readonly BusMessage<T>[]): Promise<void> {
    if (this.closed) throw new CitySocError('UNAVAILABLE', 'the bus is closed');
    if (messages.length === 0) return;
    const rows = messages.map((m) => [m.key, JSON.stringify(m.value)] as const);
    await this.request({ type: 'publish', topic, rows });
    this.wake.emit(topic);
  }

  readonly subscribe: Subscribe = async <T>(
    topic: Topic,
    group: string,
    handler: BatchHandler<T>,
    options: SubscribeOptions = {},
  ): Promise<ManualSubscription> => {
    for (const s of this.subs) {
      if (s.topic === topic && s.group === group) throw new CitySocError('CONFLICT', `group ${group} already consumes ${topic} in this process`);
    }
    this.db.prepare('INSERT OR IGNORE INTO commits (topic, grp, "offset") VALUES (?, ?, 0)').run(topic, group);
    const sub = new SpoolSubscription(
      this.db,
      this.wake,
      topic,
      group,
      handler as (b: DeliveredMessage[]) => Promise<void>,
      this.opts,
      options.commit === 'manual',
      () => this.subs.delete(sub),
    );
    this.subs.add(sub);
    sub.start();
    return sub;
  };

  async lag(topic: Topic, group: string): Promise<number> {
    const row = this.db
      .prepare('SELECT count(*) AS n FROM messages WHERE topic = ? AND "offset" > COALESCE((SELECT "offset" FROM commits WHERE topic = ? AND grp = ?), 0)')
      .get(topic, topic, group) as { n: number };
    return row.n;
  }

  /** Bytes held in the spool: the gateway's backpressure signal. */
  spoolBytes(): number {
    return (this.db.prepare('SELECT COALESCE(sum(bytes), 0) AS b FROM messages').get() as { b: number }).b;
  }

  private writerThread(): Worker {
    if (this.writer) return this.writer;
    const worker = spawnSqliteWorker('spool-writer', { mark: SPOOL_WRITER_MARK, file: this.opts.file } satisfies SpoolWriterData, __dirname);
    worker.unref();
    worker.on('message', (reply: SpoolWriterReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      if (reply.type === 'failed') p.reject(new CitySocError('UNAVAILABLE', `the spool did not take the messages: ${reply.message}`));
      else p.resolve();
    });
    // A writer that dies fails what it was given (nothing of it was acknowledged); the next publish starts another.
    const gone = (why: string) => {
      if (this.writer !== worker) return;
      this.writer = null;
      for (const p of this.pending.values())
        p.reject(new CitySocError('UNAVAILABLE', `the spool writer stopped (${why}); nothing of this publish was acknowledged`));
      this.pending.clear();
    };
    worker.on('error', (e: Error) => gone(e.message));
    worker.on('exit', (code: number) => gone(`exit code ${code}`));
    this.writer = worker;
    return worker;
  }

  private request(body: DistributiveOmit<SpoolWriterRequest, 'id'>): Promise<void> {
    const worker = this.writerThread();
    const id = ++this.nextId;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ ...body, id });
    });
  }

  private async stopWriter(): Promise<void> {
    const worker = this.writer;
    if (!worker) return;
    const exited = new Promise((r) => worker.once('exit', r));
    await this.request({ type: 'close' }).catch(() => undefined);
    await exited;
  }

  /**
   * The timer's compaction: it runs on the thread that serves requests, so it never waits for the
   * write lock (a large batch being written holds it for a while) and never throws out of the
   * timer, which would end the process. A round skipped is made up by the next; another failure is
   * reported.
   */
  compactIfFree(): number | null {
    if (this.closed) return null;
    const waited = this.db.pragma('busy_timeout', { simple: true }) as number;
    this.db.pragma('busy_timeout = 0');
    try {
      return this.compact();
    } catch (e) {
      if ((e as { code?: unknown })?.code !== 'SQLITE_BUSY') this.opts.onCompactionError?.(e);
      return null;
    } finally {
      this.db.pragma(`busy_timeout = ${waited}`);
    }
  }

  /** Drops messages every known group has committed. */
  compact(): number {
    return this.db.prepare('DELETE FROM messages WHERE "offset" <= COALESCE((SELECT min("offset") FROM commits c WHERE c.topic = messages.topic), 0)').run()
      .changes;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.compactTimer) clearInterval(this.compactTimer);
    await Promise.all([...this.subs].map((s) => s.stop()));
    await this.stopWriter();
    this.db.close();
  }
}

class SpoolSubscription implements ManualSubscription {
  private stopped = false;
  private loop: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private wakeUp: (() => void) | null = null;
  private readonly onWake = () => this.wakeUp?.();
  /** The last offset delivered and finished by the handler (manual commit reads on from here, not from the commit). */
  private position = 0;
  /** The last offset handed to the handler: what a manual subscriber may commit, from inside its handler too. */
  private handed = 0;
  private readonly commitStmt: Statement;

  constructor(
    private readonly db: Db,
    private readonly wake: EventEmitter,
    readonly topic: Topic,
    readonly group: string,
    private readonly handler: (batch: DeliveredMessage[]) => Promise<void>,
    private readonly opts: SpoolBusOptions,
    private readonly manual: boolean,
    private readonly onStop: () => void,
  ) {
    // Never moves the commit back (a late commit of an older checkpoint changes nothing).
    this.commitStmt = this.db.prepare('UPDATE commits SET "offset" = ? WHERE topic = ? AND grp = ? AND "offset" < ?');
  }

  start(): void {
    this.position = (this.db.prepare('SELECT "offset" FROM commits WHERE topic = ? AND grp = ?').get(this.topic, this.group) as { offset: number }).offset;
    this.handed = this.position;
    this.wake.on(this.topic, this.onWake);
    this.loop = this.run();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wakeUp = () => {
        if (this.timer) clearTimeout(this.timer);
        this.wakeUp = null;
        resolve();
      };
      this.timer = setTimeout(() => this.wakeUp?.(), ms);
    });
  }

  private async run(): Promise<void> {
    const fetch = this.db.prepare('SELECT "offset", key, value FROM messages WHERE topic = ? AND "offset" > ? ORDER BY "offset" LIMIT ?');
    while (!this.stopped) {
      const rows = fetch.all(this.topic, this.position, this.opts.batchSize ?? 500) as { offset: number; key: string; value: string }[];
      if (rows.length === 0) {
        await this.sleep(this.opts.pollMs ?? 250);
        continue;
      }
      const batch: DeliveredMessage[] = rows.map((r) => ({ topic: this.topic, key: r.key, value: JSON.parse(r.value) as unknown, offset: String(r.offset) }));
      this.handed = Math.max(this.handed, rows[rows.length - 1]!.offset);
      try {
        await this.handler(batch);
      } catch (err) {
        this.opts.onError?.(err, { topic: this.topic, group: this.group });
        if (!this.stopped) await this.sleep(this.opts.retryMs ?? 1000);
        continue;
      }
      // The handler finished this batch, so it is committed even when stop() is waiting for it.
      const last = rows[rows.length - 1]!.offset;
      this.position = last;
      if (!this.manual) this.commitStmt.run(last, this.topic, this.group, last);
    }
  }

  async commit(offsets: readonly string[]): Promise<void> {
    if (!this.manual) throw new CitySocError('CONFLICT', `group ${this.group} commits ${this.topic} automatically; commit() is for manual subscriptions`);
    let upTo = 0;
    for (const o of offsets) {
      // The spool has one partition: offsets are plain integers.
      if (!/^\d{1,15}$/.test(o)) throw new CitySocError('INPUT_INVALID', `not an offset of the spool: ${JSON.stringify(o.slice(0, 40))}`);
      upTo = Math.max(upTo, Number(o));
    }
    if (upTo > this.handed) {
      throw new CitySocError('INPUT_INVALID', `offset ${upTo} of ${this.topic} was not delivered to group ${this.group} yet (delivered up to ${this.handed})`);
    }
    if (upTo > 0) this.commitStmt.run(upTo, this.topic, this.group, upTo);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.wake.off(this.topic, this.onWake);
    this.wakeUp?.();
    await this.loop;
    this.onStop();
  }
}

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;
