/**
 * The audit trail's writer thread (see SqliteAuditLog for why there is one): it owns the write
 * connection, validates each input, assigns sequence numbers, chains the hashes and inserts, one
 * transaction for all the requests that arrived together, and answers each request once that
 * transaction is committed. Given a signing key it also signs the checkpoints: one in the same
 * transaction as every Nth record since the last checkpoint (so the cadence holds whichever process
 * writes, and a crash cannot leave a record that should have been signed unsigned), one when the
 * oldest unsigned record is older than the cadence's time, on opening over unsigned records and on
 * closing. The main thread imports this module for the schema and the message types only; the
 * writer itself starts only in a worker started with WRITER_MARK.
 */
import type { Statement } from 'better-sqlite3';
import { isMainThread, type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { type AuditCheckpoint, AuditInput, type CheckpointReason } from '../../core/audit';
import { GENESIS_HASH, merkleRoot, sealRecord, signCheckpoint } from '../../core/audit-chain';
import { type AuditSuite, signerFromPem, type TrailSigner } from '../../core/audit-crypto';
import type { CheckpointCadence } from '../../core/ports/audit-log';
import type { ErrorCode } from '../../core/errors';
import { describeIssues } from '../../core/event';
import { type Db, openDatabase } from './database';

export const AUDIT_SCHEMA = `
CREATE TABLE IF NOT EXISTS audit (
  seq INTEGER NOT NULL,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  resource TEXT NOT NULL,
  decision TEXT NOT NULL,
  record TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_seq ON audit(seq);
CREATE INDEX IF NOT EXISTS audit_actor ON audit(actor, seq);
CREATE INDEX IF NOT EXISTS audit_at ON audit(at);
CREATE TABLE IF NOT EXISTS audit_anchor (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit_checkpoint (seq INTEGER PRIMARY KEY, body TEXT NOT NULL, signature TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

/** The chain name of the embedded trail's checkpoints (its records carry none). */
export const LOCAL_CHAIN = 'local';

/** Marks the workerData of a writer thread, so importing this module elsewhere does nothing. */
export const WRITER_MARK = 'citysoc-audit-writer';

export interface WriterData {
  readonly mark: typeof WRITER_MARK;
  readonly file: string;
  readonly suite: AuditSuite;
  /** PKCS#8 PEM of the checkpoint signing key; absent: no checkpoints. */
  readonly signingKey?: string;
  readonly cadence: CheckpointCadence;
}

/** An error as it crosses the thread boundary; the main thread turns it back into a CitySocError. */
export interface WireError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly cause?: string;
}

/** Appends: inputs[i] (validated here) was made at ats[i] (ms since the epoch; formatted here, off the caller's thread). */
export interface AppendRequest {
  readonly type: 'append';
  readonly id: number;
  readonly inputs: readonly unknown[];
  readonly ats: readonly number[];
}

export type WriterRequest =
  | AppendRequest
  | { readonly type: 'prune'; readonly id: number; readonly before: string }
  | { readonly type: 'checkpoint'; readonly id: number; readonly reason: CheckpointReason }
  | { readonly type: 'close'; readonly id: number };

export type WriterReply =
  /**
   * hashes[i] and ats[i] answer inputs[i], null where that input was refused (listed in errors).
   * The written ones got consecutive sequence numbers from firstSeq, the first chained to prevHash.
   * Only this goes back: the caller's thread already has the rest of each record.
   */
  | {
      readonly type: 'appended';
      readonly id: number;
      readonly firstSeq: number;
      readonly prevHash: string;
      readonly hashes: (string | null)[];
      readonly ats: (string | null)[];
      readonly errors: [number, WireError][];
    }
  | { readonly type: 'pruned'; readonly id: number; readonly deleted: number }
  | { readonly type: 'checkpointed'; readonly id: number; readonly checkpoint: AuditCheckpoint | null }
  | { readonly type: 'closed'; readonly id: number }
  /** The whole request failed (its transaction rolled back): nothing of it was written. */
  | { readonly type: 'failed'; readonly id: number; readonly error: WireError };

type Parsed = ReturnType<typeof AuditInput.parse>;
type Appended = Extract<WriterReply, { type: 'appended' }>;

class Writer {
  private readonly db: Db;
  private readonly appendTx: (requests: readonly AppendRequest[], parsed: (Parsed | null)[][]) => Appended[];
  private readonly pruneTx: (before: string) => number;
  private readonly checkpointTx: (reason: CheckpointReason) => AuditCheckpoint | null;
  private readonly signer: TrailSigner | null;
  private readonly suite: AuditSuite;
  private readonly cadence: CheckpointCadence;
  /** The hashes since the last checkpoint, valid while nobody else wrote (checked against the tail). */
  private window: { afterSeq: number; hashes: string[] } | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(data: WriterData) {
    this.db = openDatabase(data.file, { synchronous: 'FULL' });
    this.db.exec(AUDIT_SCHEMA);
    this.suite = data.suite;
    this.cadence = data.cadence;
    this.signer = data.signingKey ? signerFromPem(data.signingKey) : null;
    const last: Statement = this.db.prepare('SELECT seq, hash, at FROM audit ORDER BY rowid DESC LIMIT 1');
    // When retention has removed every record, the chain continues from the kept anchor.
    const anchor: Statement = this.db.prepare('SELECT seq, hash FROM audit_anchor WHERE id = 1');
    const insert = this.db.prepare('INSERT INTO audit (seq, at, actor, action, resource, decision, record, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    const lastCheckpoint: Statement = this.db.prepare('SELECT max(seq) AS seq FROM audit_checkpoint');
    const windowHashes: Statement = this.db.prepare('SELECT hash FROM audit WHERE seq > ? ORDER BY seq');
    const insertCheckpoint = this.db.prepare('INSERT OR REPLACE INTO audit_checkpoint (seq, body, signature) VALUES (?, ?, ?)');
    const recordAt: Statement = this.db.prepare('SELECT at FROM audit WHERE seq = ?');
    const tail = () => (last.get() ?? anchor.get()) as { seq: number; hash: string; at?: string } | undefined;
    const signedUpTo = () => (lastCheckpoint.get() as { seq: number | null }).seq ?? (anchor.get() as { seq: number } | undefined)?.seq ?? 0;
    /** The window's hashes, reloaded when another process wrote since. */
    const windowOf = (from: number, headSeq: number): string[] => {
      const w = this.window;
      if (!w || w.afterSeq !== from || from + w.hashes.length !== headSeq)
        this.window = { afterSeq: from, hashes: (windowHashes.all(from) as { hash: string }[]).map((r) => r.hash) };
      return this.window!.hashes;
    };
    const sign = (reason: CheckpointReason, head: { seq: number; hash: string; at: string }, from: number): AuditCheckpoint => {
      const c = signCheckpoint(this.signer!, {
        chain: LOCAL_CHAIN,
        from: from + 1,
        seq: head.seq,
        hash: head.hash,
        root: merkleRoot(this.suite, windowOf(from, head.seq)),
        at: head.at,
        signedAt: new Date().toISOString(),
        reason,
        everyRecords: this.cadence.everyRecords,
        everyMs: this.cadence.everyMs,
      });
      const { signature, ...body } = c;
      insertCheckpoint.run(c.seq, JSON.stringify(body), signature);
      this.window = { afterSeq: c.seq, hashes: [] };
      return c;
    };
    const tx = this.db.transaction((requests: readonly AppendRequest[], parsed: (Parsed | null)[][]): Appended[] => {
      // The tail is read inside the transaction every time: another process may have appended.
      const t = tail();
      let seq = t?.seq ?? 0;
      let prevHash = t?.hash ?? GENESIS_HASH;
      let signed = this.signer ? signedUpTo() : 0;
      if (this.signer) windowOf(signed, seq);
      return requests.map((r, g): Appended => {
        const reply: Appended = { type: 'appended', id: r.id, firstSeq: seq + 1, prevHash, hashes: [], ats: [], errors: [] };
        parsed[g]!.forEach((data, i) => {
          let sealed: { json: string; hash: string } | null = null;
          const base = data && { seq: seq + 1, at: new Date(r.ats[i]!).toISOString(), ...data, prevHash };
          if (base) {
            try {
              // The stored JSON is the canonical JSON the hash covers (sorted keys): one serialization, not two.
              sealed = sealRecord(base, this.suite);
            } catch (e) {
              // A value the record cannot be written with (a BigInt in details): refused alone.
              reply.errors.push([i, { code: 'INPUT_INVALID', message: `audit record: ${(e as Error).message}` }]);
            }
          }
          if (!base || !sealed) {
            reply.hashes.push(null);
            reply.ats.push(null);
            return;
          }
          insert.run(base.seq, base.at, base.actor, base.action, base.resource, base.decision, sealed.json, sealed.hash);
          seq = base.seq;
          prevHash = sealed.hash;
          if (this.signer) {
            this.window!.hashes.push(sealed.hash);
            if (seq - signed >= this.cadence.everyRecords) {
              sign('count', { seq, hash: sealed.hash, at: base.at }, signed);
              signed = seq;
            }
          }
          reply.hashes.push(sealed.hash);
          reply.ats.push(base.at);
        });
        return reply;
      });
    });
    // IMMEDIATE: take the write lock before reading the tail, so two processes cannot fork the chain.
    this.appendTx = (requests, parsed) => tx.immediate(requests, parsed);
    const checkpoint = this.db.transaction((reason: CheckpointReason): AuditCheckpoint | null => {
      if (!this.signer) return null;
      const t = tail();
      const from = signedUpTo();
      if (!t?.at || t.seq <= from) return null;
      if (reason === 'time') {
        const oldest = recordAt.get(from + 1) as { at: string } | undefined;
        if (!oldest || Date.now() - Date.parse(oldest.at) < this.cadence.everyMs) return null;
      }
      return sign(reason, t as { seq: number; hash: string; at: string }, from);
    });
    this.checkpointTx = (reason) => checkpoint.immediate(reason);
    const prune = this.db.transaction((before: string): number => {
      // With a signer the cut is the newest checkpoint older than the cutoff: the anchor left is signed.
      const cut = (
        this.signer
          ? this.db.prepare('SELECT c.seq, a.hash FROM audit_checkpoint c JOIN audit a ON a.seq = c.seq WHERE a.at < ? ORDER BY c.seq DESC LIMIT 1').get(before)
          : this.db.prepare('SELECT seq, hash FROM audit WHERE at < ? ORDER BY seq DESC LIMIT 1').get(before)
      ) as { seq: number; hash: string } | undefined;
      if (!cut) return 0;
      const deleted = this.db.prepare('DELETE FROM audit WHERE seq <= ?').run(cut.seq).changes;
      this.db.prepare('DELETE FROM audit_checkpoint WHERE seq < ?').run(cut.seq);
      this.db
        .prepare('INSERT INTO audit_anchor (id, seq, hash) VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash')
        .run(cut.seq, cut.hash);
      return deleted;
    });
    this.pruneTx = (before) => prune.immediate(before);
    // Records a writer that stopped without closing left unsigned are signed now.
    this.checkpointTx('open');
    if (this.signer) {
      const every = Math.max(50, Math.min(30_000, Math.floor(this.cadence.everyMs / 4)));
      this.timer = setInterval(() => {
        try {
          this.checkpointTx('time');
        } catch {
          // Busy or failing: the next tick tries again, and verification reports a late window.
        }
      }, every);
    }
  }

  /** Several append requests, one transaction: one fsync for everything that arrived together. */
  append(requests: readonly AppendRequest[]): WriterReply[] {
    const invalid: [number, WireError][][] = requests.map(() => []);
    const parsed = requests.map((r, g) =>
      r.inputs.map((input, i) => {
        const p = AuditInput.safeParse(input);
        if (p.success) return p.data;
        invalid[g]!.push([i, { code: 'INPUT_INVALID', message: `audit record: ${describeIssues(p.error)}` }]);
        return null;
      }),
    );
    try {
      const replies = this.appendTx(requests, parsed);
      for (const [g, reply] of replies.entries()) if (invalid[g]!.length > 0) reply.errors.push(...invalid[g]!);
      return replies;
    } catch (e) {
      this.window = null;
      return requests.map((r) => ({ type: 'failed', id: r.id, error: storeError(e) }));
    }
  }

  prune(r: Extract<WriterRequest, { type: 'prune' }>): WriterReply {
    try {
      return { type: 'pruned', id: r.id, deleted: this.pruneTx(r.before) };
    } catch (e) {
      return { type: 'failed', id: r.id, error: storeError(e) };
    }
  }

  checkpoint(r: Extract<WriterRequest, { type: 'checkpoint' }>): WriterReply {
    try {
      return { type: 'checkpointed', id: r.id, checkpoint: this.checkpointTx(r.reason) };
    } catch (e) {
      return { type: 'failed', id: r.id, error: storeError(e) };
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    if (!this.db.open) return;
    try {
      this.checkpointTx('close');
    } finally {
      this.db.close();
    }
  }
}

function storeError(e: unknown): WireError {
  const err = e as { message?: unknown; code?: unknown };
  return {
    code: 'STORE_FAILURE',
    message: `audit trail write failed: ${String(err?.message ?? e)}`,
    ...(typeof err?.code === 'string' ? { cause: err.code } : {}),
  };
}

function serve(port: MessagePort, data: WriterData): void {
  let writer: Writer;
  try {
    writer = new Writer(data);
  } catch (e) {
    // Every request is answered with the reason, rather than the thread dying without one.
    const error = { ...storeError(e), message: `audit trail could not be opened for writing: ${(e as Error)?.message ?? String(e)}` };
    port.on('message', (m: WriterRequest) => port.postMessage(m.type === 'close' ? { type: 'closed', id: m.id } : { type: 'failed', id: m.id, error }));
    return;
  }
  // Requests that arrive while a transaction runs queue up and are written together next.
  const queue: WriterRequest[] = [];
  let scheduled = false;
  const drain = () => {
    scheduled = false;
    while (queue.length > 0) {
      const head = queue[0]!;
      if (head.type === 'append') {
        let n = 1;
        while (n < queue.length && queue[n]!.type === 'append') n++;
        const replies = writer.append(queue.splice(0, n) as AppendRequest[]);
        for (const reply of replies) port.postMessage(reply);
      } else if (head.type === 'prune') {
        queue.shift();
        port.postMessage(writer.prune(head));
      } else if (head.type === 'checkpoint') {
        queue.shift();
        port.postMessage(writer.checkpoint(head));
      } else {
        queue.length = 0;
        try {
          writer.close();
        } catch {
          // The database is closed either way; an unsigned tail is reported by verification.
        }
        port.postMessage({ type: 'closed', id: head.id });
        port.close();
      }
    }
  };
  port.on('message', (m: WriterRequest) => {
    queue.push(m);
    if (!scheduled) {
      scheduled = true;
      setImmediate(drain);
    }
  });
}

if (!isMainThread && parentPort && (workerData as Partial<WriterData> | null)?.mark === WRITER_MARK) serve(parentPort, workerData as WriterData);
