import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeCaseStoreContract } from '../../core/contracts/case-store.contract';
import { SqliteCaseStore } from './case-store';

const root = mkdtempSync(path.join(tmpdir(), 'citysoc-cases-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
describeCaseStoreContract('SQLite', {
  async open() {
    const file = path.join(root, `cases-${n++}.db`);
    return { store: new SqliteCaseStore(file), replica: async () => new SqliteCaseStore(file) };
  },
});
