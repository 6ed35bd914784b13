import type { Worker } from 'node:worker_threads';
import path from 'node:path';
import { type AuditCheckpoint, AuditInput, type AuditRecord, type CheckpointReason, type TrailSeal } from '../../core/audit';
import { ChainCheck, GENESIS_HASH } from '../../core/audit-chain';
import type { AuditSuite, TrailSigner } from '../../core/audit-crypto';
import { CitySocError } from '../../core/errors';
import { describeIssues } from '../../core/event';
import type { AuditLog, AuditQuery, AuditVerification, ChainScan, CheckpointCadence, CheckpointQuery } from '../../core/ports/audit-log';
import { AUDIT_SCHEMA, LOCAL_CHAIN, type WireError, WRITER_MARK, type WriterData, type WriterReply, type WriterRequest } from './audit-writer';
import { compileSql, docTable } from '../../core/query/to-sql';
import { type Db, openDatabase } from './database';
import { spawnSqliteWorker } from './worker';

/** Row filters read the indexed copies where there are some, the record otherwise. */
const AUDIT_TABLE = docTable('e.record', { actor: 'e.actor', action: 'e.action', resource: 'e.resource', decision: 'e.decision' });

/** A long synchronous run of appends is handed over this many at a time, not only at the end of the turn. */
const MAX_BATCH = 256;

interface Waiter {
  resolve(record: AuditRecord): void;
  reject(error: unknown): void;
}

type Fields = Omit<AuditRecord, 'seq' | 'at' | 'prevHash' | 'hash'>;

type Pending =
  | { readonly kind: 'append'; readonly inputs: readonly unknown[]; readonly waiters: readonly Waiter[] }
  | { readonly kind: 'prune' | 'close'; resolve(value: number): void; reject(error: unknown): void }
  | { readonly kind: 'checkpoint'; resolve(value: AuditCheckpoint | null): void; reject(error: unknown): void };

export interface SqliteAuditOptions {
  /** When records are made (tests give a fake one). */
  readonly clock?: () => Date;
  /** The algorithms of a new trail; an existing trail keeps its own, and a different setting is refused. */
  readonly suite?: AuditSuite;
  /** Signs checkpoints; absent: the trail is written unsigned (verification then fails for want of a trusted checkpoint). */
  readonly signer?: TrailSigner | null;
  readonly cadence?: CheckpointCadence;
}

export const DEFAULT_CADENCE: CheckpointCadence = { everyRecords: 1000, everyMs: 10 * 60_000 };

type RequestBody = WriterRequest extends infer R ? (R extends WriterRequest ? Omit<R, 'id'> : never) : never;

/**
 * The embedded audit trail: one SQLite table, fsync on commit, written by a worker thread.
 *
 * Why a thread: an append costs some 30–50 µs (validation, canonical JSON, SHA-256, the insert,
 * the commit), and done on the thread that makes access decisions it cut the PDP's decision rate
 * to about a quarter. Here the caller's thread only notes the time and a copy of the input's
 * fields; what is appended in one turn of the event loop (or every MAX_BATCH appends) goes to the
 * writer thread (audit-writer.ts) as one message. The writer owns the write connection, validates,
 * numbers, chains and inserts whatever has arrived in one transaction (group commit) and answers
 * with the sequence numbers and hashes once it is committed: append() still resolves only when its
 * record is on disk, records get consecutive numbers in call order, and an invalid input is
 * refused alone with the schema's reason. A record's time is when append() was called. Reads use
 * this thread's own connection: with WAL they see every committed record and never wait for the
 * writer. Written by hand: no library offers a hash-chained SQLite writer on a worker thread that
 * acknowledges each call once it is durable.
 */
export class SqliteAuditLog implements AuditLog {
  private readonly file: string;
  private readonly db: Db;
  private worker: Worker | null = null;
  private inputs: unknown[] = [];
  private ats: number[] = [];
  private waiters: Waiter[] = [];
  private scheduled = false;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closing: Promise<void> | null = null;
  private readonly clock: () => Date;
  readonly suite: AuditSuite;
  private readonly signer: TrailSigner | null;
  private readonly cadence: CheckpointCadence;

  constructor(file: string, options: SqliteAuditOptions | (() => Date) = {}) {
    const o: SqliteAuditOptions = typeof options === 'function' ? { clock: options } : options;
    if (file === ':memory:' || file === '')
      throw new CitySocError('CONFIG_INVALID', 'audit trail: needs a database file (its writer thread opens the same file), not an in-memory database');
    this.clock = o.clock ?? (() => new Date());
    this.signer = o.signer ?? null;
    this.cadence = o.cadence ?? DEFAULT_CADENCE;
    this.file = path.resolve(file);
    this.db = openDatabase(this.file, { synchronous: 'FULL' });
    this.db.exec(AUDIT_SCHEMA);
    const wanted = o.suite ?? this.signer?.suite ?? 'international';
    if (this.signer && this.signer.suite !== wanted)
      throw new CitySocError('CONFIG_INVALID', `audit trail: the signing key is ${this.signer.suite} but audit.crypto is ${wanted}`);
    this.db.prepare("INSERT OR IGNORE INTO audit_meta (key, value) VALUES ('suite', ?)").run(wanted);
    const stored = (this.db.prepare("SELECT value FROM audit_meta WHERE key = 'suite'").get() as { value: AuditSuite }).value;
    if (o.suite && stored !== o.suite)
      throw new CitySocError(
        'CONFIG_INVALID',
        `audit.crypto is ${o.suite} but the trail in ${this.file} was created with ${stored}; a trail keeps its algorithms (start a new data directory to change them)`,
      );
    if (this.signer && this.signer.suite !== stored)
      throw new CitySocError('CONFIG_INVALID', `audit trail in ${this.file} is ${stored}; the signing key given is ${this.signer.suite}`);
    this.suite = stored;
    if (this.signer)
      this.db.prepare('INSERT OR IGNORE INTO audit_meta (key, value) VALUES (?, ?)').run(`key:${this.signer.publicKey.fingerprint}`, this.signer.publicKey.pem);
  }

  append(input: AuditInput): Promise<AuditRecord> {
    if (this.closing) return Promise.reject(closedError());
    return new Promise((resolve, reject) => {
      const fields = recordFields(input);
      if (fields instanceof CitySocError) return reject(fields);
      const at = this.clock().getTime();
      if (!Number.isFinite(at)) return reject(new RangeError('audit trail: the clock gave an invalid time'));
      this.ats.push(at);
      this.inputs.push(fields);
      this.waiters.push({ resolve, reject });
      if (this.inputs.length >= MAX_BATCH) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.flushSoon);
      }
    });
  }

  private readonly flushSoon = () => {
    this.scheduled = false;
    this.flush();
  };

  /** Hands the queued appends to the writer as one message. */
  private flush(): void {
    if (this.inputs.length === 0) return;
    const { inputs, ats, waiters } = this;
    this.inputs = [];
    this.ats = [];
    this.waiters = [];
    try {
      this.post({ type: 'append', inputs, ats }, { kind: 'append', inputs, waiters });
    } catch (e) {
      if ((e as Error)?.name !== 'DataCloneError') {
        for (const w of waiters) w.reject(e);
        return;
      }
      // A value that cannot be copied to the writer (a function, a symbol) fails only its own append.
      inputs.forEach((input, i) => {
        const one = { inputs: [input], ats: [ats[i]!] };
        try {
          this.post({ type: 'append', ...one }, { kind: 'append', inputs: one.inputs, waiters: [waiters[i]!] });
        } catch (e1) {
          waiters[i]!.reject((e1 as Error)?.name === 'DataCloneError' ? new CitySocError('INPUT_INVALID', `audit record: ${(e1 as Error).message}`) : e1);
        }
      });
    }
  }

  /** Sends one request to the writer, starting it if needed; throws if the message cannot be sent. */
  private post(body: RequestBody, waiting: Pending): void {
    const worker = this.writer();
    const id = this.nextId++;
    worker.postMessage({ ...body, id } as WriterRequest);
    // The thread keeps the process alive only while something waits for it.
    if (this.pending.size === 0) worker.ref();
    this.pending.set(id, waiting);
  }

  private writer(): Worker {
    if (this.worker) return this.worker;
    let worker: Worker;
    try {
      worker = spawnWriter({
        mark: WRITER_MARK,
        file: this.file,
        suite: this.suite,
        cadence: this.cadence,
        ...(this.signer ? { signingKey: this.signer.privateKeyPem } : {}),
      });
    } catch (e) {
      throw new CitySocError('STORE_FAILURE', `audit writer thread could not be started: ${(e as Error)?.message ?? String(e)}`);
    }
    worker.unref();
    worker.on('message', (reply: WriterReply) => this.answer(reply));
    worker.on('error', (e: Error) => {
      if (this.worker === worker) this.lost(`audit writer thread failed: ${e.message}`);
    });
    worker.on('exit', (code: number) => {
      if (this.worker === worker) this.lost(`audit writer thread exited with code ${code}`);
    });
    this.worker = worker;
    return worker;
  }

  private answer(reply: WriterReply): void {
    const waiting = this.pending.get(reply.id);
    if (!waiting) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker?.unref();
    if (waiting.kind === 'append') {
      if (reply.type !== 'appended') {
        const e = reply.type === 'failed' ? wireError(reply.error) : unexpected(reply);
        for (const w of waiting.waiters) w.reject(e);
        return;
      }
      for (const [i, e] of reply.errors) waiting.waiters[i]!.reject(wireError(e));
      let seq = reply.firstSeq;
      let prevHash = reply.prevHash;
      reply.hashes.forEach((hash, i) => {
        if (hash === null) return;
        waiting.waiters[i]!.resolve({ seq, at: reply.ats[i]!, ...(waiting.inputs[i] as Fields), prevHash, hash });
        seq++;
        prevHash = hash;
      });
    } else if (waiting.kind === 'checkpoint') {
      if (reply.type === 'checkpointed') waiting.resolve(reply.checkpoint);
      else waiting.reject(reply.type === 'failed' ? wireError(reply.error) : unexpected(reply));
    } else if (reply.type === 'pruned') waiting.resolve(reply.deleted);
    else if (reply.type === 'closed') waiting.resolve(0);
    else waiting.reject(reply.type === 'failed' ? wireError(reply.error) : unexpected(reply));
  }

  /** The writer is gone: whatever waits for it is refused; the next write starts a new one. */
  private lost(why: string): void {
    const worker = this.worker;
    this.worker = null;
    worker?.terminate().catch(() => undefined);
    const error = new CitySocError('STORE_FAILURE', `${why}; appends not yet acknowledged may not have been written`);
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const p of waiting) {
      if (p.kind === 'append') for (const w of p.waiters) w.reject(error);
      else p.reject(error);
    }
  }

  async query(q: AuditQuery): Promise<AuditRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      where.push(sql);
      params.push(v);
    };
    if (q.chain !== undefined && q.chain !== LOCAL_CHAIN) return [];
    if (q.actor) add('actor = ?', q.actor);
    if (q.action) add('action = ?', q.action);
    if (q.resource) add('resource = ?', q.resource);
    if (q.decision) add('decision = ?', q.decision);
    if (q.from) add('at >= ?', new Date(q.from).toISOString());
    if (q.to) add('at < ?', new Date(q.to).toISOString());
    if (q.afterSeq !== undefined) add('seq > ?', q.afterSeq);
    if (q.filter) {
      const f = compileSql(q.filter, AUDIT_TABLE);
      where.push(f.sql);
      params.push(...f.params);
    }
    const size = Math.min(Math.max(q.size ?? 100, 1), 10_000);
    const rows = this.db
      .prepare(
        `SELECT record, hash FROM audit e ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY seq ${q.afterSeq !== undefined ? 'ASC' : 'DESC'} LIMIT ?`,
      )
      .all(...params, size) as { record: string; hash: string }[];
    return rows.map(toRecord);
  }

  async verify(): Promise<AuditVerification> {
    let result: AuditVerification = { ok: true, checked: 0 };
    for await (const scan of this.scan()) {
      const check = new ChainCheck(scan.anchor ?? { seq: 0, hash: GENESIS_HASH }, this.suite);
      for (const r of scan.records as Iterable<AuditRecord>) if (!check.next(r)) break;
      result = check.result();
    }
    return result;
  }

  /** The one chain, in storage order; a search column that disagrees with its record counts as a modification. */
  async *scan(): AsyncGenerator<ChainScan> {
    type Row = { seq: number; at: string; actor: string; action: string; resource: string; decision: string; record: string; hash: string };
    const anchor = this.db.prepare('SELECT seq, hash FROM audit_anchor WHERE id = 1').get() as { seq: number; hash: string } | undefined;
    const select = this.db.prepare('SELECT * FROM audit ORDER BY rowid');
    // Read only when iterated: a caller that looks at the chain's name alone leaves no statement open.
    function* records(): Generator<AuditRecord> {
      for (const row of select.iterate() as IterableIterator<Row>) {
        const r = toRecord(row);
        // The indexed columns are copies for searching; a copy that disagrees is tampering too.
        const copiesAgree =
          row.seq === r.seq &&
          row.at === r.at &&
          row.actor === r.actor &&
          row.action === r.action &&
          row.resource === r.resource &&
          row.decision === r.decision;
        yield copiesAgree ? r : { ...r, hash: 'column-copy-differs' };
      }
    }
    yield { chain: LOCAL_CHAIN, ...(anchor ? { anchor } : {}), records: records() };
  }

  async checkpoints(q: CheckpointQuery = {}): Promise<AuditCheckpoint[]> {
    if (q.chain !== undefined && q.chain !== LOCAL_CHAIN) return [];
    const rows = this.db
      .prepare('SELECT body, signature FROM audit_checkpoint WHERE seq >= ? AND seq <= ? ORDER BY seq')
      .all(q.fromSeq ?? 0, q.toSeq ?? Number.MAX_SAFE_INTEGER) as { body: string; signature: string }[];
    return rows.map((r) => ({ ...(JSON.parse(r.body) as Omit<AuditCheckpoint, 'signature'>), signature: r.signature }));
  }

  async seals(): Promise<TrailSeal[]> {
    return [];
  }

  async publicKeys(): Promise<string[]> {
    return (this.db.prepare("SELECT value FROM audit_meta WHERE key LIKE 'key:%'").all() as { value: string }[]).map((r) => r.value);
  }

  /** Runs on the writer, after every append made before it. */
  async checkpoint(reason: CheckpointReason = 'manual'): Promise<AuditCheckpoint | null> {
    if (this.closing) throw closedError();
    if (!this.signer) return null;
    this.flush();
    return new Promise<AuditCheckpoint | null>((resolve, reject) => this.post({ type: 'checkpoint', reason }, { kind: 'checkpoint', resolve, reject }));
  }

  /** Runs on the writer, after every append made before it. */
  async prune(before: Date): Promise<{ deleted: number }> {
    if (this.closing) throw closedError();
    const cutoff = before.toISOString();
    this.flush();
    const deleted = await new Promise<number>((resolve, reject) => this.post({ type: 'prune', before: cutoff }, { kind: 'prune', resolve, reject }));
    return { deleted };
  }

  /** Writes what is queued, waits for it, stops the writer thread and closes the database. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.flush();
    const worker = this.worker;
    if (worker) {
      try {
        await new Promise<number>((resolve, reject) => this.post({ type: 'close' }, { kind: 'close', resolve, reject }));
      } catch {
        // The writer failed; every append waiting for it has been refused with the reason.
      } finally {
        this.worker = null;
        await worker.terminate();
      }
    }
    if (this.db.open) this.db.close();
  }
}

/** The fields a record takes from its input, in the schema's order, and the defaults it fills in. */
const FIELDS = Object.keys(AuditInput.shape);
const DEFAULTS = new Map(
  FIELDS.flatMap((k) => {
    const d = AuditInput.shape[k as keyof typeof AuditInput.shape].safeParse(undefined);
    return d.success && d.data !== undefined ? [[k, d.data] as const] : [];
  }),
);

/**
 * What a record holds of its input, given the input is valid (the writer validates it, and this
 * thread builds the record from these fields and the writer's answer): the schema's fields with
 * their defaults, copied, so a caller changing its object after append() changes nothing. Values
 * the copy to the writer would change (a class instance arrives as a plain object) are validated
 * here, so they are refused as they always were.
 */
function recordFields(input: unknown): unknown {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return input;
  const fields: Record<string, unknown> = {};
  let exotic = false;
  for (const k of FIELDS) {
    let v = (input as Record<string, unknown>)[k];
    if (v === undefined) v = DEFAULTS.get(k);
    if (v === undefined) continue;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const proto = Object.getPrototypeOf(v) as unknown;
      if (proto === Object.prototype || proto === null) v = { ...v };
      else exotic = true;
    }
    fields[k] = v;
  }
  if (exotic) {
    const p = AuditInput.safeParse(input);
    if (!p.success) return new CitySocError('INPUT_INVALID', `audit record: ${describeIssues(p.error)}`);
  }
  return fields;
}

function spawnWriter(data: WriterData): Worker {
  return spawnSqliteWorker('audit-writer', data);
}

function wireError(e: WireError): CitySocError {
  return new CitySocError(e.code, e.message, e.cause ? { cause: e.cause } : {});
}

function unexpected(reply: WriterReply): CitySocError {
  return new CitySocError('STORE_FAILURE', `audit writer answered ${reply.type} to the wrong request`);
}

function closedError(): CitySocError {
  return new CitySocError('UNAVAILABLE', 'audit trail is closed');
}

function toRecord(r: { record: string; hash: string }): AuditRecord {
  return { ...(JSON.parse(r.record) as Omit<AuditRecord, 'hash'>), hash: r.hash };
}
