import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeAlertStoreContract, sampleAlert } from '../../core/contracts/alert-store.contract';
import { SqliteAlertStore } from './alert-store';
import { openDatabase } from './database';

const root = mkdtempSync(path.join(tmpdir(), 'citysoc-alerts-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
describeAlertStoreContract('SQLite', {
  async open() {
    return new SqliteAlertStore(path.join(root, `alerts-${n++}.db`));
  },
});

describe('SqliteAlertStore on a database made before the queue columns', () => {
  it('gains the derived columns in place and answers the queue from them', async () => {
    const file = path.join(root, 'before-queue.db');
    const old = openDatabase(file);
    old.exec(`CREATE TABLE alerts (id TEXT PRIMARY KEY, dedup_key TEXT NOT NULL, status TEXT NOT NULL, department TEXT, rule_id TEXT NOT NULL,
      assignee TEXT, last_seen INTEGER NOT NULL, doc TEXT NOT NULL)`);
    const a = sampleAlert('old-1', { rule: { id: 'r', name: 'Old rule', type: 'sigma', severity: 'critical', tags: [] } });
    old
      .prepare('INSERT INTO alerts VALUES (?, ?, ?, ?, ?, NULL, ?, ?)')
      .run(a.id, a.dedupKey, a.status, a.department, a.rule.id, Date.parse(a.lastSeen), JSON.stringify(a));
    old.close();
    const s = new SqliteAlertStore(file);
    expect((await s.list({ severity: ['critical'], department: '城管' })).alerts.map((x) => x.id)).toEqual(['old-1']);
    expect(await s.tally({}, ['rule.type'])).toEqual([{ key: ['sigma'], count: 1 }]);
    await s.close();
    // a second open finds the columns there and changes nothing
    const again = new SqliteAlertStore(file);
    expect((await again.list({ severity: ['critical'] })).total).toBe(1);
    await again.close();
  });
});
