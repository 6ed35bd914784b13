import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeStateStoreContract } from '../../core/contracts/state-store.contract';
import { SqliteStateStore } from './state-store';

const root = mkdtempSync(path.join(tmpdir(), 'citysoc-state-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
describeStateStoreContract('SQLite (two connections on one file)', {
  async open() {
    const file = path.join(root, `state-${n++}.db`);
    return [new SqliteStateStore(file), new SqliteStateStore(file)];
  },
});
