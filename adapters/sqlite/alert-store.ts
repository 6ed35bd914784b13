import { type Alert, type AlertStatus, alreadyFolded, foldAlert, moveAlert } from '../../core/alert';
import { CitySocError } from '../../core/errors';
import {
  type AlertAnnotation,
  type AlertQuery,
  type AlertSortField,
  type AlertStore,
  type AlertTally,
  type AlertTallyKey,
  annotateAlert,
  checkAlertQuery,
  compareTallyKeys,
  MAX_TALLY_GROUPS,
} from '../../core/ports/alert-store';
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

/**
 * Columns the queue filters on, derived from the document by SQLite itself (virtual generated
 * columns): the write path stays as it is, and a database made before them gains them in place.
 */
const DERIVED: readonly [name: string, definition: string][] = [
  ['severity', "TEXT GENERATED ALWAYS AS (json_extract(doc, '$.rule.severity')) VIRTUAL"],
  ['rule_type', "TEXT GENERATED ALWAYS AS (json_extract(doc, '$.rule.type')) VIRTUAL"],
  ['resolution', "TEXT GENERATED ALWAYS AS (json_extract(doc, '$.resolution')) VIRTUAL"],
];
// The queue's usual question (a department, some severities, the statuses in work) is answered
// from these alone: its count never reads a row, its page reads only the rows it returns.
const DERIVED_INDEXES = `
CREATE INDEX IF NOT EXISTS alerts_queue_department ON alerts(department, severity, status, last_seen, id);
CREATE INDEX IF NOT EXISTS alerts_queue ON alerts(severity, status, last_seen, id);
CREATE INDEX IF NOT EXISTS alerts_rule ON alerts(rule_id, last_seen);
CREATE INDEX IF NOT EXISTS alerts_assignee ON alerts(assignee, last_seen);
`;

/** Row filters read the indexed copies where there are some, the document otherwise. */
const ALERTS_TABLE = docTable('e.doc', { department: 'e.department', status: 'e.status', 'rule.id': 'e.rule_id', assignee: 'e.assignee' });

const SORT_EXPR: Record<AlertSortField, string> = {
  lastSeen: 'e.last_seen',
  firstSeen: "iso_ms(json_extract(e.doc, '$.firstSeen'))",
  risk: "json_extract(e.doc, '$.risk')",
  count: "json_extract(e.doc, '$.count')",
};

const TALLY_EXPR: Record<AlertTallyKey, string> = {
  status: 'e.status',
  resolution: 'e.resolution',
  'rule.id': 'e.rule_id',
  'rule.severity': 'e.severity',
  'rule.type': 'e.rule_type',
  department: 'e.department',
  assignee: 'e.assignee',
};

/** Case folding of free text, the same as the search engines' case_insensitive (JavaScript's, not SQLite's ASCII-only lower()). */
const FOLD = 'citysoc_fold';

export class SqliteAlertStore implements AlertStore {
  private readonly db: Db;

  constructor(
    file: string,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.db = openDatabase(file);
    this.db.exec(SCHEMA);
    const have = new Set((this.db.prepare('PRAGMA table_xinfo(alerts)').all() as { name: string }[]).map((c) => c.name));
    for (const [name, definition] of DERIVED) if (!have.has(name)) this.db.exec(`ALTER TABLE alerts ADD COLUMN ${name} ${definition}`);
    this.db.exec(DERIVED_INDEXES);
    this.db.function(FOLD, { deterministic: true }, (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : null));
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

  /** The WHERE clause of a query (alias e), every value bound as a parameter. */
  private where(q: AlertQuery): { sql: string; params: unknown[] } {
    checkAlertQuery(q);
    const where: string[] = [];
    const params: unknown[] = [];
    const anyOf = (column: string, values: readonly string[]) => {
      where.push(values.length ? `${column} IN (${values.map(() => '?').join(',')})` : '0');
      params.push(...values);
    };
    if (q.status) anyOf('e.status', q.status);
    if (q.severity) anyOf('e.severity', q.severity);
    if (q.ruleType) anyOf('e.rule_type', q.ruleType);
    if (q.ids) anyOf('e.id', q.ids);
    if (q.department !== undefined) {
      where.push('e.department = ?');
      params.push(q.department);
    }
    if (q.ruleId !== undefined) {
      where.push('e.rule_id = ?');
      params.push(q.ruleId);
    }
    if (q.assignee !== undefined) {
      where.push('e.assignee = ?');
      params.push(q.assignee);
    }
    if (q.unassigned) where.push('e.assignee IS NULL');
    if (q.entity) {
      const type = q.entity.type !== undefined ? " AND json_extract(j.value, '$.type') = ?" : '';
      where.push(`EXISTS (SELECT 1 FROM json_each(e.doc, '$.entities') j WHERE json_extract(j.value, '$.value') = ?${type})`);
      params.push(q.entity.value, ...(q.entity.type !== undefined ? [q.entity.type] : []));
    }
    if (q.time) {
      const col = q.time.field === 'lastSeen' ? 'e.last_seen' : SORT_EXPR.firstSeen;
      if (q.time.from !== undefined) {
        where.push(`${col} >= ?`);
        params.push(Date.parse(q.time.from));
      }
      if (q.time.to !== undefined) {
        where.push(`${col} < ?`);
        params.push(Date.parse(q.time.to));
      }
    }
    if (q.text !== undefined) {
      const needle = q.text.toLowerCase();
      const has = (expr: string) => `instr(${FOLD}(${expr}), ?) > 0`;
      // the JSON paths are bound like the needle: nothing but placeholders in the SQL text
      const each = (value: string) => `EXISTS (SELECT 1 FROM json_each(e.doc, ?) j WHERE ${has(value)})`;
      where.push(
        `(${[has('e.id'), has('e.rule_id'), has("json_extract(e.doc, '$.rule.name')"), has('e.assignee'), each('j.value'), each("json_extract(j.value, '$.value')")].join(' OR ')})`,
      );
      params.push(needle, needle, needle, needle, '$.rule.tags', needle, '$.entities', needle);
    }
    if (q.excludeDedupKeys?.length) {
      where.push(`e.dedup_key NOT IN (${q.excludeDedupKeys.map(() => '?').join(',')})`);
      params.push(...q.excludeDedupKeys);
    }
    if (q.filter) {
      const f = compileSql(q.filter, ALERTS_TABLE);
      where.push(f.sql);
      params.push(...f.params);
    }
    return { sql: where.length ? `WHERE ${where.join(' AND ')}` : '', params };
  }

  async list(q: AlertQuery): Promise<{ total: number; alerts: Alert[] }> {
    const w = this.where(q);
    const sort = q.sort ?? { field: 'lastSeen', order: 'desc' };
    const dir = sort.order === 'asc' ? 'ASC' : 'DESC';
    const total = (this.db.prepare(`SELECT count(*) AS n FROM alerts e ${w.sql}`).get(...w.params) as { n: number }).n;
    // the page is chosen from the index first and only its rows are read: sorting candidates
    // together with their documents would read every candidate's document
    const rows = this.db
      .prepare(
        `SELECT a.doc FROM (SELECT e.rowid AS r, ${SORT_EXPR[sort.field]} AS s, e.id AS i FROM alerts e ${w.sql} ORDER BY s ${dir}, i LIMIT ? OFFSET ?) p
         JOIN alerts a ON a.rowid = p.r ORDER BY p.s ${dir}, p.i`,
      )
      .all(...w.params, q.size ?? 50, q.offset ?? 0) as { doc: string }[];
    return { total, alerts: rows.map((r) => JSON.parse(r.doc) as Alert) };
  }

  async tally(q: AlertQuery, by: readonly AlertTallyKey[]): Promise<AlertTally[]> {
    const w = this.where({ ...q, size: 1, offset: 0 });
    if (by.length === 0) return [{ key: [], count: (this.db.prepare(`SELECT count(*) AS n FROM alerts e ${w.sql}`).get(...w.params) as { n: number }).n }];
    const cols = by.map((k) => TALLY_EXPR[k]);
    const rows = this.db
      .prepare(`SELECT ${cols.map((c, i) => `${c} AS k${i}`).join(', ')}, count(*) AS n FROM alerts e ${w.sql} GROUP BY ${cols.join(', ')} LIMIT ?`)
      .all(...w.params, MAX_TALLY_GROUPS + 1) as Record<string, string | null | number>[];
    if (rows.length > MAX_TALLY_GROUPS)
      throw new CitySocError('LIMIT_EXCEEDED', `alert tally by ${by.join(', ')} has more than ${MAX_TALLY_GROUPS} groups: narrow the query`);
    return rows
      .map((r) => ({ key: by.map((_, i) => (r[`k${i}`] as string | null) ?? null), count: r.n as number }))
      .sort((a, b) => compareTallyKeys(a.key, b.key));
  }

  async annotate(id: string, actor: string, change: AlertAnnotation): Promise<Alert> {
    return this.db.transaction(() => {
      const row = this.db.prepare('SELECT doc FROM alerts WHERE id = ?').get(id) as { doc: string } | undefined;
      if (!row) throw new CitySocError('NOT_FOUND', `alert ${id} does not exist`);
      const next = annotateAlert(JSON.parse(row.doc) as Alert, actor, change, this.clock());
      this.save(next, false);
      return next;
    })();
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
