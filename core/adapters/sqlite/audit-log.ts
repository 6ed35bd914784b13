import type { Statement } from 'better-sqlite3';
import { AuditInput, type AuditRecord } from '../../audit';
import { GENESIS_HASH, hashRecord, verifyChain } from '../../audit-chain';
import { CitySocError } from '../../errors';
import { describeIssues } from '../../event';
import type { AuditLog, AuditQuery, AuditVerification } from '../../ports/audit-log';
import { compileSql, docTable } from './compile';
import { type Db, openDatabase } from './database';

/** Row filters read the indexed copies where there are some, the record otherwise. */
const AUDIT_TABLE = docTable('e.record', { actor: 'e.actor', action: 'e.action', resource: 'e.resource', decision: 'e.decision' });

const SCHEMA = `
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
`;

/**
 * The embedded audit trail: one SQLite table, fsync on commit. Appends that arrive together are
 * written in one transaction (group commit): each caller still gets its record only after the
 * transaction holding it is on disk, but a burst of decisions pays for one fsync, not one each.
 */
export class SqliteAuditLog implements AuditLog {
  private readonly db: Db;
  private readonly appendTx: (inputs: AuditInput[]) => AuditRecord[];
  private readonly last: Statement;
  private queue: { input: AuditInput; resolve: (r: AuditRecord) => void; reject: (e: unknown) => void }[] = [];
  private scheduled = false;

  constructor(
    file: string,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.db = openDatabase(file, { synchronous: 'FULL' });
    this.db.exec(SCHEMA);
    this.last = this.db.prepare('SELECT seq, hash FROM audit ORDER BY rowid DESC LIMIT 1');
    // When retention has removed every record, the chain continues from the kept anchor.
    const anchor = this.db.prepare('SELECT seq, hash FROM audit_anchor WHERE id = 1');
    const insert = this.db.prepare('INSERT INTO audit (seq, at, actor, action, resource, decision, record, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    const tx = this.db.transaction((inputs: AuditInput[]): AuditRecord[] => {
      let prev = (this.last.get() ?? anchor.get()) as { seq: number; hash: string } | undefined;
      return inputs.map((input) => {
        const base: Omit<AuditRecord, 'hash'> = {
          seq: (prev?.seq ?? 0) + 1,
          at: this.clock().toISOString(),
          ...(input as ReturnType<typeof AuditInput.parse>),
          prevHash: prev?.hash ?? GENESIS_HASH,
        };
        const record: AuditRecord = { ...base, hash: hashRecord(base) };
        const { hash, ...body } = record;
        insert.run(record.seq, record.at, record.actor, record.action, record.resource, record.decision, JSON.stringify(body), hash);
        prev = { seq: record.seq, hash };
        return record;
      });
    });
    // IMMEDIATE: take the write lock before reading the tail, so two processes cannot fork the chain.
    this.appendTx = (inputs) => tx.immediate(inputs);
  }

  append(input: AuditInput): Promise<AuditRecord> {
    const parsed = AuditInput.safeParse(input);
    if (!parsed.success) return Promise.reject(new CitySocError('INPUT_INVALID', `audit record: ${describeIssues(parsed.error)}`));
    return new Promise((resolve, reject) => {
      this.queue.push({ input: parsed.data, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    try {
      const records = this.appendTx(batch.map((b) => b.input));
      batch.forEach((b, i) => b.resolve(records[i]!));
    } catch (e) {
      batch.forEach((b) => b.reject(e));
    }
  }

  async query(q: AuditQuery): Promise<AuditRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      where.push(sql);
      params.push(v);
    };
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
    type Row = { seq: number; at: string; actor: string; action: string; resource: string; decision: string; record: string; hash: string };
    const rows = this.db.prepare('SELECT * FROM audit ORDER BY rowid').iterate() as IterableIterator<Row>;
    function* records(): Generator<AuditRecord> {
      for (const row of rows) {
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
    const anchor = this.db.prepare('SELECT seq, hash FROM audit_anchor WHERE id = 1').get() as { seq: number; hash: string } | undefined;
    return verifyChain(records(), anchor);
  }

  async prune(before: Date): Promise<{ deleted: number }> {
    this.flush();
    return this.db
      .transaction(() => {
        const last = this.db.prepare('SELECT seq, hash FROM audit WHERE at < ? ORDER BY seq DESC LIMIT 1').get(before.toISOString()) as
          { seq: number; hash: string } | undefined;
        if (!last) return { deleted: 0 };
        const deleted = this.db.prepare('DELETE FROM audit WHERE seq <= ?').run(last.seq).changes;
        this.db
          .prepare('INSERT INTO audit_anchor (id, seq, hash) VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash')
          .run(last.seq, last.hash);
        return { deleted };
      })
      .immediate();
  }

  async close(): Promise<void> {
    this.flush();
    if (this.db.open) this.db.close();
  }
}

function toRecord(r: { record: string; hash: string }): AuditRecord {
  return { ...(JSON.parse(r.record) as Omit<AuditRecord, 'hash'>), hash: r.hash };
}
