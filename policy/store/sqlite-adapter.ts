/**
 * A casbin adapter over SQLite for the embedded profile (npm has none for better-sqlite3 that
 * we would trust with the policy). One row per policy line; every write is one transaction,
 * fsynced, so a policy change that was acknowledged survives a crash.
 */
import type { Adapter, Model } from 'casbin';
import { type Db, openDatabase } from '../../core/adapters/sqlite/database';

const COLUMNS = 7;
const SCHEMA = `
CREATE TABLE IF NOT EXISTS casbin_rule (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ptype TEXT NOT NULL,
  v0 TEXT NOT NULL DEFAULT '', v1 TEXT NOT NULL DEFAULT '', v2 TEXT NOT NULL DEFAULT '', v3 TEXT NOT NULL DEFAULT '',
  v4 TEXT NOT NULL DEFAULT '', v5 TEXT NOT NULL DEFAULT '', v6 TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS casbin_rule_ptype ON casbin_rule(ptype, v0);
`;

type Row = { ptype: string; v0: string; v1: string; v2: string; v3: string; v4: string; v5: string; v6: string };

function padded(rule: readonly string[]): string[] {
  if (rule.length > COLUMNS) throw new Error(`a policy line has at most ${COLUMNS} values, got ${rule.length}`);
  return [...rule, ...Array<string>(COLUMNS - rule.length).fill('')];
}

export class SqlitePolicyAdapter implements Adapter {
  private readonly db: Db;
  /** Columns each ptype uses, so trailing empty values (an empty condition) survive a round trip. */
  private readonly widths = new Map<string, number>([
    ['p', 7],
    ['p2', 7],
    ['g', 3],
  ]);

  constructor(file: string) {
    this.db = openDatabase(file, { synchronous: 'FULL' });
    this.db.exec(SCHEMA);
  }

  isEmpty(): boolean {
    return this.db.prepare('SELECT 1 FROM casbin_rule LIMIT 1').get() === undefined;
  }

  rows(): { ptype: string; rule: string[] }[] {
    return (this.db.prepare('SELECT * FROM casbin_rule ORDER BY id').all() as Row[]).map((r) => ({
      ptype: r.ptype,
      rule: [r.v0, r.v1, r.v2, r.v3, r.v4, r.v5, r.v6].slice(0, this.widths.get(r.ptype) ?? COLUMNS),
    }));
  }

  async loadPolicy(model: Model): Promise<void> {
    for (const { ptype, rule } of this.rows()) model.addPolicy(ptype.startsWith('g') ? 'g' : 'p', ptype, rule);
  }

  async savePolicy(model: Model): Promise<boolean> {
    const insert = this.db.prepare('INSERT INTO casbin_rule (ptype, v0, v1, v2, v3, v4, v5, v6) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM casbin_rule').run();
      for (const sec of ['p', 'g']) {
        for (const [ptype, ast] of model.model.get(sec) ?? new Map()) for (const rule of ast.policy) insert.run(ptype, ...padded(rule));
      }
    })();
    return true;
  }

  async addPolicy(_sec: string, ptype: string, rule: string[]): Promise<void> {
    this.db.prepare('INSERT INTO casbin_rule (ptype, v0, v1, v2, v3, v4, v5, v6) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(ptype, ...padded(rule));
  }

  async removePolicy(_sec: string, ptype: string, rule: string[]): Promise<void> {
    const v = padded(rule);
    this.db
      .prepare(
        'DELETE FROM casbin_rule WHERE id = (SELECT id FROM casbin_rule WHERE ptype = ? AND v0 = ? AND v1 = ? AND v2 = ? AND v3 = ? AND v4 = ? AND v5 = ? AND v6 = ? LIMIT 1)',
      )
      .run(ptype, ...v);
  }

  async removeFilteredPolicy(_sec: string, ptype: string, fieldIndex: number, ...fieldValues: string[]): Promise<void> {
    const where = ['ptype = ?'];
    const params: string[] = [ptype];
    fieldValues.forEach((v, i) => {
      if (v === '') return;
      where.push(`v${fieldIndex + i} = ?`);
      params.push(v);
    });
    this.db.prepare(`DELETE FROM casbin_rule WHERE ${where.join(' AND ')}`).run(...params);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
