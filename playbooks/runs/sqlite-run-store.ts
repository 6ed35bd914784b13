/**
 * The run log in one SQLite file (WAL). Step writes use synchronous=NORMAL: a committed
 * transaction survives a crash of the process (kill -9) because it is in the WAL, and costs no
 * fsync, which is what lets a run write its steps at hundreds of runs a second. The batch that
 * starts runs for a bus batch is written with synchronous=FULL, because the bus offset is
 * committed after it: an acknowledged trigger is on disk even if the machine loses power.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { ApprovalRecord, RejectedInput, RunRecord, StepRecord } from './model';
import { UNFINISHED } from './model';
import type { ApprovalAnswer, ApprovalQuery, RunQuery, RunStore, Unfinished } from './run-store';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY,
  playbook_id TEXT NOT NULL,
  status TEXT NOT NULL,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_by_start ON runs(started_at);
CREATE INDEX IF NOT EXISTS runs_by_playbook ON runs(playbook_id, started_at);
CREATE INDEX IF NOT EXISTS runs_unfinished ON runs(status) WHERE status IN ('running', 'waiting', 'retrying');
CREATE TABLE IF NOT EXISTS steps (
  run_id TEXT NOT NULL,
  step_key TEXT NOT NULL,
  seq INTEGER NOT NULL,
  status TEXT NOT NULL,
  meta TEXT NOT NULL,
  input TEXT,
  output TEXT,
  PRIMARY KEY (run_id, step_key)
);
CREATE INDEX IF NOT EXISTS steps_open ON steps(status) WHERE status IN ('running', 'retrying');
CREATE TABLE IF NOT EXISTS approvals (
  id TEXT PRIMARY KEY,
  run_id TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at TEXT NOT NULL,
  doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS approvals_by_status ON approvals(status, created_at);
CREATE INDEX IF NOT EXISTS approvals_by_run ON approvals(run_id);
CREATE TABLE IF NOT EXISTS rejected (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  source TEXT NOT NULL,
  reason TEXT NOT NULL,
  raw TEXT NOT NULL
);
`;

type StepRow = { meta: string; input: string | null; output: string | null };

function stepFrom(row: StepRow): StepRecord {
  const meta = JSON.parse(row.meta) as StepRecord;
  return {
    ...meta,
    ...(row.input !== null ? { input: JSON.parse(row.input) as unknown } : {}),
    ...(row.output !== null ? { output: JSON.parse(row.output) as unknown } : {}),
  };
}

/** A WHERE clause from the conditions that apply: SQL with placeholders, then its values. */
function conditions(cs: (false | [string, ...unknown[]])[]): { where: string; args: unknown[] } {
  const on = cs.filter((c): c is [string, ...unknown[]] => c !== false);
  return { where: on.length ? `WHERE ${on.map((c) => c[0]).join(' AND ')}` : '', args: on.flatMap((c) => c.slice(1)) };
}

function stepMeta(s: StepRecord): string {
  const { input: _input, output: _output, ...meta } = s;
  return JSON.stringify(meta);
}

function prepareAll(db: Database.Database) {
  return {
    insertRun: db.prepare('INSERT OR IGNORE INTO runs (id, playbook_id, status, started_at, ended_at, doc) VALUES (?, ?, ?, ?, ?, ?)'),
    updateRun: db.prepare('UPDATE runs SET status = ?, ended_at = ?, doc = ? WHERE id = ?'),
    getRun: db.prepare('SELECT doc FROM runs WHERE id = ?'),
    upsertStep: db.prepare(
      `INSERT INTO steps (run_id, step_key, seq, status, meta, input, output)
       VALUES (?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM steps WHERE run_id = ?), ?, ?, ?, ?)
       ON CONFLICT (run_id, step_key) DO UPDATE SET status = excluded.status, meta = excluded.meta,
         input = coalesce(excluded.input, steps.input), output = excluded.output`,
    ),
    getStep: db.prepare('SELECT meta, input, output FROM steps WHERE run_id = ? AND step_key = ?'),
    listSteps: db.prepare('SELECT meta, input, output FROM steps WHERE run_id = ? ORDER BY seq'),
    insertApproval: db.prepare('INSERT INTO approvals (id, run_id, status, created_at, doc) VALUES (?, ?, ?, ?, ?)'),
    getApproval: db.prepare('SELECT doc FROM approvals WHERE id = ?'),
    answerApproval: db.prepare("UPDATE approvals SET status = ?, doc = ? WHERE id = ? AND status = 'pending'"),
    unfinishedRuns: db.prepare(`SELECT doc FROM runs WHERE status IN (${UNFINISHED.map(() => '?').join(', ')})`),
    openSteps: db.prepare("SELECT meta, input, output FROM steps WHERE status IN ('running', 'retrying')"),
    pendingApprovals: db.prepare("SELECT doc FROM approvals WHERE status = 'pending' ORDER BY created_at"),
    reject: db.prepare('INSERT INTO rejected (at, source, reason, raw) VALUES (?, ?, ?, ?)'),
    listRejected: db.prepare('SELECT at, source, reason, raw FROM rejected ORDER BY seq DESC LIMIT ?'),
  };
}

export class SqliteRunStore implements RunStore {
  private readonly db: Database.Database;
  private readonly stmt: ReturnType<typeof prepareAll>;
  private readonly createTx: (batch: readonly { run: RunRecord; step: StepRecord }[]) => boolean[];

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 10000');
    this.db.exec(SCHEMA);
    this.stmt = prepareAll(this.db);
    this.createTx = this.db.transaction((batch: readonly { run: RunRecord; step: StepRecord }[]) =>
      batch.map(({ run, step }) => {
        const stored = this.stmt.insertRun.run(run.id, run.playbookId, run.status, run.startedAt, run.endedAt ?? null, JSON.stringify(run)).changes > 0;
        if (stored) this.writeStep(step);
        return stored;
      }),
    );
  }

  private writeStep(s: StepRecord): void {
    this.stmt.upsertStep.run(
      s.runId,
      s.key,
      s.runId,
      s.status,
      stepMeta(s),
      s.input === undefined ? null : JSON.stringify(s.input),
      s.output === undefined ? null : JSON.stringify(s.output),
    );
  }

  async createRuns(batch: readonly { run: RunRecord; step: StepRecord }[]): Promise<boolean[]> {
    if (batch.length === 0) return [];
    this.db.pragma('synchronous = FULL');
    try {
      return this.createTx(batch);
    } finally {
      this.db.pragma('synchronous = NORMAL');
    }
  }

  async updateRun(run: RunRecord): Promise<void> {
    this.stmt.updateRun.run(run.status, run.endedAt ?? null, JSON.stringify(run), run.id);
  }

  async getRun(id: string): Promise<RunRecord | null> {
    const row = this.stmt.getRun.get(id) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as RunRecord) : null;
  }

  async listRuns(q: RunQuery): Promise<RunRecord[]> {
    const { where, args } = conditions([
      q.playbookId !== undefined && ['playbook_id = ?', q.playbookId],
      !!q.status?.length && [`status IN (${q.status!.map(() => '?').join(', ')})`, ...q.status!],
      q.before !== undefined && ['started_at < ?', q.before],
    ]);
    const sql = `SELECT doc FROM runs ${where} ORDER BY started_at DESC, id LIMIT ?`;
    const rows = this.db.prepare(sql).all(...args, q.limit) as { doc: string }[];
    return rows.map((r) => JSON.parse(r.doc) as RunRecord);
  }

  async putStep(step: StepRecord): Promise<void> {
    this.writeStep(step);
  }

  async getStep(runId: string, key: string): Promise<StepRecord | null> {
    const row = this.stmt.getStep.get(runId, key) as StepRow | undefined;
    return row ? stepFrom(row) : null;
  }

  async listSteps(runId: string): Promise<StepRecord[]> {
    return (this.stmt.listSteps.all(runId) as StepRow[]).map(stepFrom);
  }

  async createApproval(a: ApprovalRecord): Promise<void> {
    this.stmt.insertApproval.run(a.id, a.runId, a.status, a.createdAt, JSON.stringify(a));
  }

  async getApproval(id: string): Promise<ApprovalRecord | null> {
    const row = this.stmt.getApproval.get(id) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as ApprovalRecord) : null;
  }

  async answerApproval(id: string, answer: ApprovalAnswer): Promise<ApprovalRecord | null> {
    const tx = this.db.transaction((): ApprovalRecord | null => {
      const row = this.stmt.getApproval.get(id) as { doc: string } | undefined;
      if (!row) return null;
      const cur = JSON.parse(row.doc) as ApprovalRecord;
      if (cur.status !== 'pending') return null;
      const next: ApprovalRecord = {
        ...cur,
        status: answer.status,
        answeredBy: answer.by,
        answeredAt: answer.at,
        ...(answer.comment !== undefined ? { comment: answer.comment } : {}),
      };
      return this.stmt.answerApproval.run(next.status, JSON.stringify(next), id).changes > 0 ? next : null;
    });
    return tx.immediate();
  }

  async listApprovals(q: ApprovalQuery): Promise<ApprovalRecord[]> {
    const { where, args } = conditions([
      !!q.status?.length && [`status IN (${q.status!.map(() => '?').join(', ')})`, ...q.status!],
      q.runId !== undefined && ['run_id = ?', q.runId],
    ]);
    const sql = `SELECT doc FROM approvals ${where} ORDER BY created_at DESC, id LIMIT ?`;
    return (this.db.prepare(sql).all(...args, q.limit) as { doc: string }[]).map((r) => JSON.parse(r.doc) as ApprovalRecord);
  }

  async unfinished(): Promise<Unfinished> {
    return {
      runs: (this.stmt.unfinishedRuns.all(...UNFINISHED) as { doc: string }[]).map((r) => JSON.parse(r.doc) as RunRecord),
      steps: (this.stmt.openSteps.all() as StepRow[]).map(stepFrom),
      approvals: (this.stmt.pendingApprovals.all() as { doc: string }[]).map((r) => JSON.parse(r.doc) as ApprovalRecord),
    };
  }

  async reject(input: RejectedInput): Promise<void> {
    this.stmt.reject.run(new Date().toISOString(), input.source, input.reason, input.raw);
  }

  async listRejected(limit: number): Promise<(RejectedInput & { at: string })[]> {
    return this.stmt.listRejected.all(limit) as (RejectedInput & { at: string })[];
  }

  async prune(before: Date): Promise<number> {
    const tx = this.db.transaction((cut: string) => {
      const ids = (
        this.db.prepare(`SELECT id FROM runs WHERE ended_at IS NOT NULL AND ended_at < ? AND status NOT IN ('running', 'waiting', 'retrying')`).all(cut) as {
          id: string;
        }[]
      ).map((r) => r.id);
      for (const id of ids) {
        this.db.prepare('DELETE FROM steps WHERE run_id = ?').run(id);
        this.db.prepare('DELETE FROM approvals WHERE run_id = ?').run(id);
        this.db.prepare('DELETE FROM runs WHERE id = ?').run(id);
      }
      return ids.length;
    });
    return tx(before.toISOString());
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
