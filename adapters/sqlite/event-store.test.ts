import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeEventStoreContract } from '../../core/contracts/event-store.contract';
import { SqliteEventStore } from './event-store';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describeEventStoreContract('SQLite', {
  async open() {
    const dir = mkdtempSync(path.join(tmpdir(), 'citysoc-events-'));
    dirs.push(dir);
    return new SqliteEventStore(path.join(dir, 'events.db'));
  },
});
