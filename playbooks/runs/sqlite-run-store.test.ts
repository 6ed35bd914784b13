import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runStoreContract } from './run-store.contract';
import { SqliteRunStore } from './sqlite-run-store';

runStoreContract('SQLite', async () => new SqliteRunStore(path.join(mkdtempSync(path.join(tmpdir(), 'citysoc-runs-')), 'runs.db')));
