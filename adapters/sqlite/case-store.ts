/**
 * CaseStore over SQLite: one small row per case with the columns lists sort and filter on, the
 * document (and its folded text) in a table of its own so that counting and sorting never read
 * documents, a term table for the many-valued keys (departments, tags, linked alerts and
 * events, observables), and a counter per year for readable ids. Every write is one IMMEDIATE
 * transaction, so processes sharing the file never lose a change or reuse an id.
 */
import type { Case, NewCase } from '../../core/case';
import { CitySocError } from '../../core/errors';
import {
  admittedDepartments,
  type CasePage,
  type CaseQuery,
  caseId,
  type CaseSortField,
  caseSortValue,
  type CaseStore,
  type CaseUpdateOptions,
  caseYear,
  checkCaseQuery,
  decodeCaseCursor,
  encodeCaseCursor,
} from '../../core/ports/case-store';
import { type Db, openDatabase } from './database';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS cases (
  id TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  status TEXT NOT NULL,
  severity TEXT NOT NULL,
  severity_rank INTEGER NOT NULL,
  assignee TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  sla_stage TEXT NOT NULL,
  sla_warn INTEGER,
  sla_due INTEGER,
  sla_met INTEGER,
  department_count INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS case_docs (id TEXT PRIMARY KEY, search_text TEXT NOT NULL, doc TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS cases_created ON cases(created_at, id);
CREATE INDEX IF NOT EXISTS cases_updated ON cases(updated_at, id);
CREATE INDEX IF NOT EXISTS cases_status ON cases(status, created_at, id);
CREATE INDEX IF NOT EXISTS cases_severity ON cases(severity_rank, id);
CREATE INDEX IF NOT EXISTS cases_assignee ON cases(assignee);
CREATE INDEX IF NOT EXISTS cases_sla ON cases(sla_stage, sla_due);
CREATE TABLE IF NOT EXISTS case_terms (
  field TEXT NOT NULL,
  value TEXT NOT NULL,
  case_id TEXT NOT NULL,
  PRIMARY KEY (field, value, case_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS case_terms_case ON case_terms(case_id, field);
CREATE TABLE IF NOT EXISTS case_departments_known (department TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS case_ids (year INTEGER PRIMARY KEY, last INTEGER NOT NULL);
`;

/** Separates the fields of search_text; free text may not contain it (checkCaseQuery refuses control characters). */
const SEP = '\u001f';

const SORT_COLUMN: Record<CaseSortField, string> = { createdAt: 'c.created_at', updatedAt: 'c.updated_at', severity: 'c.severity_rank' };

/** The (field, value) keys of a case that queries look up. */
function termsOf(c: Case): Set<string> {
  const out = new Set<string>();
  const add = (field: string, value: string) => out.add(`${field}\u0000${value}`);
  for (const d of c.departments) add('department', d);
  for (const t of c.tags) add('tag', t);
  for (const a of c.alertIds) add('alert', a);
  for (const e of c.eventIds) add('event', e);
  for (const o of c.observables) add('observable', o.entity);
  return out;
}

function msOrNull(iso: string | undefined): number | null {
  return iso === undefined ? null : Date.parse(iso);
}

export class SqliteCaseStore implements CaseStore {
  private readonly db: Db;

  constructor(file: string) {
    this.db = openDatabase(file);
    this.db.exec(SCHEMA);
    // fresh statistics for the planner where they are stale (cheap when they are not)
    this.db.pragma('optimize=0x10002');
  }

  private write(c: Case, prev: Case | null): void {
    const row = {
      id: c.id,
      version: c.version,
      status: c.status,
      severity: c.severity,
      severityRank: c.severityRank,
      assignee: c.assignee ?? null,
      createdAt: Date.parse(c.createdAt),
      updatedAt: Date.parse(c.updatedAt),
      slaStage: c.sla.stage,
      slaWarn: msOrNull(c.sla.warnAt),
      slaDue: msOrNull(c.sla.dueAt),
      slaMet: c.sla.met === undefined ? null : c.sla.met ? 1 : 0,
      departmentCount: c.departments.length,
    };
    if (prev === null) {
      this.db
        .prepare(
          `INSERT INTO cases (id, version, status, severity, severity_rank, assignee, created_at, updated_at, sla_stage, sla_warn, sla_due, sla_met, department_count)
           VALUES (@id, @version, @status, @severity, @severityRank, @assignee, @createdAt, @updatedAt, @slaStage, @slaWarn, @slaDue, @slaMet, @departmentCount)`,
        )
        .run(row);
    } else {
      this.db
        .prepare(
          `UPDATE cases SET version=@version, status=@status, severity=@severity, severity_rank=@severityRank, assignee=@assignee, updated_at=@updatedAt,
           sla_stage=@slaStage, sla_warn=@slaWarn, sla_due=@slaDue, sla_met=@slaMet, department_count=@departmentCount WHERE id=@id`,
        )
        .run(row);
    }
    this.db
      .prepare('INSERT OR REPLACE INTO case_docs (id, search_text, doc) VALUES (?, ?, ?)')
      .run(c.id, [c.id, c.title, c.description, ...c.tags].map((x) => x.toLowerCase()).join(SEP), JSON.stringify(c));
    const before = prev ? termsOf(prev) : new Set<string>();
    const after = termsOf(c);
    const del = this.db.prepare('DELETE FROM case_terms WHERE field = ? AND value = ? AND case_id = ?');
    const ins = this.db.prepare('INSERT OR IGNORE INTO case_terms (field, value, case_id) VALUES (?, ?, ?)');
    for (const t of before) if (!after.has(t)) del.run(...t.split('\u0000'), c.id);
    for (const t of after) if (!before.has(t)) ins.run(...t.split('\u0000'), c.id);
    const known = this.db.prepare('INSERT OR IGNORE INTO case_departments_known (department) VALUES (?)');
    for (const d of c.departments) known.run(d);
  }

  private read(id: string): Case | null {
    const row = this.db.prepare('SELECT doc FROM case_docs WHERE id = ?').get(id) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as Case) : null;
  }

  async create(draft: NewCase): Promise<Case> {
    if (Number.isNaN(Date.parse(draft.createdAt))) throw new CitySocError('INPUT_INVALID', `case createdAt '${draft.createdAt}' is not an ISO 8601 time`);
    const year = caseYear(draft.createdAt);
    return this.db
      .transaction(() => {
        const { last } = this.db
          .prepare('INSERT INTO case_ids (year, last) VALUES (?, 1) ON CONFLICT(year) DO UPDATE SET last = last + 1 RETURNING last')
          .get(year) as { last: number };
        const c: Case = { ...draft, id: caseId(year, last), version: 1 };
        this.write(c, null);
        return c;
      })
      .immediate();
  }

  async get(id: string): Promise<Case | null> {
    return this.read(id);
  }

  async update(id: string, change: (cur: Case) => Case, opts: CaseUpdateOptions = {}): Promise<Case> {
    return this.db
      .transaction(() => {
        const cur = this.read(id);
        if (!cur) throw new CitySocError('NOT_FOUND', `no case ${id}`);
        if (opts.expectedVersion !== undefined && opts.expectedVersion !== cur.version)
          throw new CitySocError(
            'CONFLICT',
            `case ${id} changed since version ${opts.expectedVersion} (it is at version ${cur.version}): reload it and try again`,
          );
        const next = change(cur);
        if (next === cur) return cur;
        if (next.id !== cur.id) throw new CitySocError('INTERNAL', `a change of case ${id} tried to rename it`);
        const stored = { ...next, version: cur.version + 1 };
        this.write(stored, cur);
        return stored;
      })
      .immediate();
  }

  async merge(
    survivorId: string,
    mergedId: string,
    steps: { mark: (merged: Case) => Case; absorb: (survivor: Case, merged: Case) => Case },
  ): Promise<{ survivor: Case; merged: Case }> {
    return this.db
      .transaction(() => {
        const survivor = this.read(survivorId);
        const merged = this.read(mergedId);
        if (!survivor) throw new CitySocError('NOT_FOUND', `no case ${survivorId}`);
        if (!merged) throw new CitySocError('NOT_FOUND', `no case ${mergedId}`);
        // both steps are pure: a merge that cannot complete fails here, before anything is written
        const marked = steps.mark(merged);
        const m = marked === merged ? merged : { ...marked, version: merged.version + 1 };
        if (m !== merged) this.write(m, merged);
        const absorbed = steps.absorb(survivor, m);
        const s = absorbed === survivor ? survivor : { ...absorbed, version: survivor.version + 1 };
        if (s !== survivor) this.write(s, survivor);
        return { survivor: s, merged: m };
      })
      .immediate();
  }

  async list(q: CaseQuery): Promise<CasePage> {
    checkCaseQuery(q);
    const where: string[] = [];
    const params: unknown[] = [];
    const anyOf = (column: string, values: readonly (string | number)[]) => {
      where.push(values.length ? `${column} IN (${values.map(() => '?').join(',')})` : '0');
      params.push(...values);
    };
    // The first term looked up drives the query: its cases are read by key, rather than every case
    // of a status checked against it (which is what the planner picks without statistics).
    let from = 'cases c';
    const fromParams: unknown[] = [];
    const term = (field: string, values: readonly string[]) => {
      const list = `SELECT case_id FROM case_terms WHERE field = ? AND value IN (${values.map(() => '?').join(',')})`;
      if (values.length === 0) where.push('0');
      else if (fromParams.length === 0) {
        from = `(SELECT DISTINCT case_id AS id FROM (${list})) v CROSS JOIN cases c ON c.id = v.id`;
        fromParams.push(field, ...values);
      } else {
        where.push(`c.id IN (${list})`);
        params.push(field, ...values);
      }
    };
    const range = (column: string, r: { from?: string; to?: string } | undefined) => {
      if (r?.from !== undefined) where.push(`${column} >= ${Number(Date.parse(r.from))}`);
      if (r?.to !== undefined) where.push(`${column} < ${Number(Date.parse(r.to))}`);
    };
    if (q.status) anyOf('c.status', q.status);
    if (q.severity) anyOf('c.severity', q.severity);
    if (q.ids) anyOf('c.id', q.ids);
    if (q.excludeIds?.length) {
      where.push(`c.id NOT IN (${q.excludeIds.map(() => '?').join(',')})`);
      params.push(...q.excludeIds);
    }
    if (q.assignee !== undefined) {
      where.push('c.assignee = ?');
      params.push(q.assignee);
    }
    if (q.unassigned) where.push('c.assignee IS NULL');
    if (q.department !== undefined) term('department', [q.department]);
    if (q.tag !== undefined) term('tag', [q.tag]);
    if (q.alertId !== undefined) term('alert', [q.alertId]);
    if (q.eventId !== undefined) term('event', [q.eventId]);
    if (q.observables) term('observable', [...new Set(q.observables.map((o) => `${o.type}:${o.value}`))]);
    range('c.created_at', q.created);
    range('c.updated_at', q.updated);
    if (q.text !== undefined) {
      where.push('c.id IN (SELECT id FROM case_docs WHERE instr(search_text, ?) > 0)');
      params.push(q.text.toLowerCase());
    }
    if (q.sla) {
      const t = Date.parse(q.sla.at);
      const live = "c.sla_stage != 'done'";
      const done = "c.sla_stage = 'done'";
      where.push(
        q.sla.colour === 'red'
          ? `((${live} AND c.sla_due <= ${t}) OR (${done} AND c.sla_met = 0))`
          : q.sla.colour === 'yellow'
            ? `(${live} AND c.sla_warn <= ${t} AND c.sla_due > ${t})`
            : `((${live} AND c.sla_warn > ${t}) OR (${done} AND c.sla_met = 1))`,
      );
    }
    if (q.visibleTo) {
      const known = (this.db.prepare('SELECT department FROM case_departments_known').all() as { department: string }[]).map((r) => r.department);
      const v = admittedDepartments(q.visibleTo, known);
      // every department a case names is a known one, so "none denied" is "none outside the allowed":
      // one look at the case's own departments, and none for a case of one department (the term
      // filter below has admitted it already)
      if (v.denied.length) {
        const outside = v.allowed.length ? ` AND t.value NOT IN (${v.allowed.map(() => '?').join(',')})` : '';
        where.push(
          `(${v.noDepartment ? '' : 'c.department_count = 1 OR '}NOT EXISTS (SELECT 1 FROM case_terms t WHERE t.case_id = c.id AND t.field = 'department'${outside}))`,
        );
        params.push(...v.allowed);
      }
      if (!v.noDepartment) term('department', v.allowed);
    }
    const base = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT count(*) AS n FROM ${from} ${base}`).get(...fromParams, ...params) as { n: number }).n;
    const sort = q.sort ?? { field: 'createdAt', order: 'desc' };
    const col = SORT_COLUMN[sort.field];
    const dir = sort.order === 'asc' ? 'ASC' : 'DESC';
    const page = [...where];
    const pageParams = [...fromParams, ...params];
    if (q.after !== undefined) {
      const [v, id] = decodeCaseCursor(q.after);
      const cmp = sort.order === 'asc' ? '>' : '<';
      page.push(`(${col} ${cmp} ? OR (${col} = ? AND c.id ${cmp} ?))`);
      pageParams.push(v, v, id);
    }
    const size = q.size ?? 50;
    // the page is chosen from the small rows, then only its documents are read
    const rows = this.db
      .prepare(
        `SELECT d.doc FROM (SELECT c.id AS i, ${col} AS s FROM ${from} ${page.length ? `WHERE ${page.join(' AND ')}` : ''} ORDER BY s ${dir}, i ${dir} LIMIT ? OFFSET ?) p
         JOIN case_docs d ON d.id = p.i ORDER BY p.s ${dir}, p.i ${dir}`,
      )
      .all(...pageParams, size, q.offset ?? 0) as { doc: string }[];
    const cases = rows.map((r) => JSON.parse(r.doc) as Case);
    const last = cases[cases.length - 1];
    return { total, cases, ...(cases.length === size && last ? { nextCursor: encodeCaseCursor(caseSortValue(last, sort.field), last.id) } : {}) };
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
