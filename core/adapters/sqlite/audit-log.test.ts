import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hashRecord } from '../../audit-chain';
import { describeAuditLogContract } from '../../contracts/audit-log.contract';
import { SqliteAuditLog } from './audit-log';

const root = mkdtempSync(path.join(tmpdir(), 'citysoc-audit-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

describeAuditLogContract('SQLite', {
  async open() {
    const file = path.join(root, `audit-${n++}.db`);
    const log = new SqliteAuditLog(file);
    // A second connection, as an insider with the database file would have.
    const raw = () => new Database(file);
    const withDb = (f: (db: Database.Database) => void) => {
      const db = raw();
      try {
        f(db);
      } finally {
        db.close();
      }
    };
    return {
      log,
      tamper: {
        async modify(seq) {
          withDb((db) => {
            const row = db.prepare('SELECT record FROM audit WHERE seq = ?').get(seq) as { record: string };
            const rec = JSON.parse(row.record);
            rec.decision = 'allow';
            rec.reason = 'nothing to see';
            db.prepare('UPDATE audit SET record = ? WHERE seq = ?').run(JSON.stringify(rec), seq);
          });
        },
        async rewrite(seq) {
          withDb((db) => {
            const row = db.prepare('SELECT record FROM audit WHERE seq = ?').get(seq) as { record: string };
            const rec = JSON.parse(row.record);
            rec.actor = 'mallory';
            db.prepare('UPDATE audit SET record = ?, actor = ?, hash = ? WHERE seq = ?').run(JSON.stringify(rec), 'mallory', hashRecord(rec), seq);
          });
        },
        async remove(seq) {
          withDb((db) => db.prepare('DELETE FROM audit WHERE seq = ?').run(seq));
        },
        async swap(a, b) {
          withDb((db) => {
            const cols = 'seq, at, actor, action, resource, decision, record, hash';
            const ra = db.prepare(`SELECT ${cols} FROM audit WHERE seq = ?`).get(a) as Record<string, unknown>;
            const rb = db.prepare(`SELECT ${cols} FROM audit WHERE seq = ?`).get(b) as Record<string, unknown>;
            const upd = db.prepare(
              'UPDATE audit SET seq=@seq, at=@at, actor=@actor, action=@action, resource=@resource, decision=@decision, record=@record, hash=@hash WHERE rowid = @rowid',
            );
            const rowid = (s: number) => (db.prepare('SELECT rowid AS r FROM audit WHERE seq = ?').get(s) as { r: number }).r;
            const ida = rowid(a);
            const idb = rowid(b);
            upd.run({ ...rb, rowid: ida });
            upd.run({ ...ra, rowid: idb });
          });
        },
      },
    };
  },
});

describe('SQLite audit columns', () => {
  it('a search column changed behind the record is caught', async () => {
    const file = path.join(root, 'columns.db');
    const log = new SqliteAuditLog(file);
    await log.append({ actor: 'alice', actorType: 'user', action: 'events.export', decision: 'allow' });
    await log.append({ actor: 'alice', actorType: 'user', action: 'events.search', decision: 'allow' });
    const db = new Database(file);
    db.prepare("UPDATE audit SET actor = 'bob' WHERE seq = 1").run();
    db.close();
    expect(await log.verify()).toEqual({ ok: false, checked: 0, firstBad: { seq: 1, problem: 'modified' } });
    await log.close();
  });
});
