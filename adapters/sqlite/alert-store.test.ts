import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeAlertStoreContract } from '../../core/contracts/alert-store.contract';
import { SqliteAlertStore } from './alert-store';

const root = mkdtempSync(path.join(tmpdir(), 'citysoc-alerts-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
describeAlertStoreContract('SQLite', {
  async open() {
    return new SqliteAlertStore(path.join(root, `alerts-${n++}.db`));
  },
});
