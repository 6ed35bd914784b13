import { type Alert, type AlertStatus, alreadyFolded, foldAlert, moveAlert } from '../../core/alert';
import { CitySocError } from '../../core/errors';
import type { AlertQuery, AlertStore } from '../../core/ports/alert-store';
import { compileSql, docTable } from '../../core/query/to-sql';
import { type Db, openDatabase } from './database';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS alerts (
  id TEXT PRIMARY KEY,
  dedup_key TEXT NOT NULL,
  status TEXT NOT NULL,
  department TEXT,
  rule_id TEXT NOT NULL,
  assignee TEXT,
  last_seen INTEGER NOT NULL,
  doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS alerts_dedup ON alerts(dedup_key, last_seen);
CREATE INDEX IF NOT EXISTS alerts_status ON alerts(status, last_seen);
-- Every signal folded, with its alert: a redelivered signal is recognised whichever alert took it.
CREATE TABLE IF NOT EXISTS alert_signals (
  signal_id TEXT PRIMARY KEY,
  alert_id TEXT NOT NULL,
  at INTEGER NOT NULL
);
`;

/** Row filters read the indexed copies where there are some, the document otherwise. */
const ALERTS_TABLE = docTable('e.doc', { department: 'e.department', status: 'e.status', 'rule.id': 'e.rule_id', assignee: 'e.assignee' });

export class SqliteAlertStore implements AlertStore {
  private readonly db: Db;

  constructor(
    file: string,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.db = openDatabase(file);
    this.db.exec(SCHEMA);
  }

  private save(a: Alert, insert: boolean): void {
    const sql = insert
      ? 'INSERT INTO alerts (id, dedup_key, status, department, rule_id, assignee, last_seen, doc) VALUES (@id, @dedupKey, @status, @department, @ruleId, @assignee, @lastSeen, @doc)'
      : 'UPDATE alerts SET status=@status, department=@department, assignee=@assignee, last_seen=@lastSeen, doc=@doc WHERE id=@id';
    this.db.prepare(sql).run({
      id: a.id,
      dedupKey: a.dedupKey,
      status: a.status,
      department: a.department ?? null,
      ruleId: a.rule.id,
      assignee: a.assignee ?? null,
      lastSeen: Date.parse(a.lastSeen),
      doc: JSON.stringify(a),
    });
  }

  async upsert(alert: Alert, suppressionMs: number): Promise<{ alert: Alert; created: boolean; changed: boolean }> {
    return this.db.transaction(() => {
      const signals = alert.signalIds ?? [];
      if (signals.length > 0) {
        const known = signals.map(
          (id) => this.db.prepare('SELECT alert_id FROM alert_signals WHERE signal_id = ?').get(id) as { alert_id: string } | undefined,
        );
        if (known.every((k) => k !== undefined)) {
          const doc = this.db.prepare('SELECT doc FROM alerts WHERE id = ?').get(known[0]!.alert_id) as { doc: string } | undefined;
          if (doc) return { alert: JSON.parse(doc.doc) as Alert, created: false, changed: false };
        }
      }
      const remember = (a: Alert) => {
        const put = this.db.prepare('INSERT OR IGNORE INTO alert_signals (signal_id, alert_id, at) VALUES (?, ?, ?)');
        for (const id of signals) put.run(id, a.id, this.clock().getTime());
      };
      const same = this.db.prepare('SELECT doc FROM alerts WHERE id = ?').get(alert.id) as { doc: string } | undefined;
      const row = this.db
        .prepare("SELECT doc FROM alerts WHERE dedup_key = ? AND status != 'closed' AND last_seen >= ? ORDER BY last_seen DESC LIMIT 1")
        .get(alert.dedupKey, Date.parse(alert.firstSeen) - suppressionMs) as { doc: string } | undefined;
      if (!row) {
        if (same) throw new CitySocError('CONFLICT', `alert ${alert.id} exists already under another dedup key`);
        this.save(alert, true);
        remember(alert);
        return { alert, created: true, changed: true };
      }
      const cur = JSON.parse(row.doc) as Alert;
      if (alreadyFolded(cur, alert)) return { alert: cur, created: false, changed: false };
      const merged = foldAlert(cur, alert);
      this.save(merged, false);
      remember(merged);
      return { alert: merged, created: false, changed: true };
    })();
  }

  async get(id: string): Promise<Alert | null> {
    const row = this.db.prepare('SELECT doc FROM alerts WHERE id = ?').get(id) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as Alert) : null;
  }

  async list(q: AlertQuery): Promise<{ total: number; alerts: Alert[] }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.status?.length) {
      where.push(`status IN (${q.status.map(() => '?').join(',')})`);
      params.push(...q.status);
    }
    if (q.department) {
      where.push('department = ?');
      params.push(q.department);
    }
    if (q.ruleId) {
      where.push('rule_id = ?');
      params.push(q.ruleId);
    }
    if (q.assignee) {
      where.push('assignee = ?');
      params.push(q.assignee);
    }
    if (q.filter) {
      const f = compileSql(q.filter, ALERTS_TABLE);
      where.push(f.sql);
      params.push(...f.params);
    }
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT count(*) AS n FROM alerts e ${w}`).get(...params) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT doc FROM alerts e ${w} ORDER BY last_seen DESC, id LIMIT ? OFFSET ?`)
      .all(...params, Math.min(q.size ?? 50, 1000), q.offset ?? 0) as { doc: string }[];
    return { total, alerts: rows.map((r) => JSON.parse(r.doc) as Alert) };
  }

  async transition(
    id: string,
    to: AlertStatus,
    actor: string,
    opts: { comment?: string; resolution?: Alert['resolution']; assignee?: string } = {},
  ): Promise<Alert> {
    return this.db.transaction(() => {
      const row = this.db.prepare('SELECT doc FROM alerts WHERE id = ?').get(id) as { doc: string } | undefined;
      if (!row) throw new CitySocError('NOT_FOUND', `alert ${id} does not exist`);
      const next = moveAlert(JSON.parse(row.doc) as Alert, to, actor, opts, this.clock());
      this.save(next, false);
      return next;
    })();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
