import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
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

describe('SQLite event store: write path', () => {
  const open = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'citysoc-events-'));
    dirs.push(dir);
    return path.join(dir, 'events.db');
  };
  const ev = (i: number, category: string, ip: string) => ({
    '@timestamp': new Date(Date.UTC(2026, 10, 10, 0, 0, i)).toISOString(),
    event: { id: `w${i}`, category: [category], kind: 'event' as const },
    host: { name: `h${i}`, ip: [ip] },
    message: `event ${i}`,
  });

  it('copies the write-ahead log into the database file from its own thread, the writer never does', async () => {
    const file = open();
    const store = new SqliteEventStore(file, { checkpointEveryMs: 50 });
    const before = statSync(file).size;
    for (let b = 0; b < 5; b++) await store.write(Array.from({ length: 400 }, (_, k) => ev(b * 400 + k, 'web', '10.0.0.1')));
    // The writer's own connection has SQLite's automatic checkpoint turned off, so only the
    // checkpointer thread can have grown the database file while the store stays open.
    const deadline = Date.now() + 20_000;
    while (statSync(file).size <= before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(statSync(file).size).toBeGreaterThan(before);
    expect((await store.search({ query: 'event.category:web', size: 1 })).total).toBe(2000);
    await store.close();
  });

  it('turns the value index of an earlier version into terms on opening, and answers the same', async () => {
    const file = open();
    const store = new SqliteEventStore(file);
    await store.write([ev(1, 'web', '10.0.0.1'), ev(2, 'file', '10.0.0.2'), ev(3, 'web', '10.0.0.2')]);
    await store.close();
    // The earlier layout: array values in event_values, no terms.
    const db = new Database(file);
    db.exec("INSERT INTO event_terms(event_terms) VALUES('delete-all')");
    db.exec('CREATE TABLE event_values (field TEXT NOT NULL, value ANY NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (field, value, seq)) WITHOUT ROWID');
    const rows = db.prepare('SELECT seq, doc FROM events').all() as { seq: number; doc: string }[];
    const put = db.prepare('INSERT INTO event_values VALUES (?, ?, ?)');
    for (const r of rows) {
      const d = JSON.parse(r.doc) as ReturnType<typeof ev>;
      put.run('event.category', d.event.category[0], r.seq);
      put.run('host.ip', d.host.ip[0], r.seq);
    }
    expect(db.prepare("SELECT count(*) AS n FROM event_terms WHERE event_terms MATCH 'x'").get()).toEqual({ n: 0 });
    db.close();

    const again = new SqliteEventStore(file);
    const ids = async (query: string) => (await again.search({ query, sort: [{ field: 'event.id', order: 'asc' }] })).events.map((e) => e.event.id);
    expect(await ids('event.category:web')).toEqual(['w1', 'w3']);
    expect(await ids('host.ip:10.0.0.2')).toEqual(['w2', 'w3']);
    expect(await ids('event.category:web AND host.ip:10.0.0.2')).toEqual(['w3']);
    await again.close();
    const check = new Database(file);
    expect(check.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'event_values'").get()).toEqual({ n: 0 });
    check.close();
  });

  it('keeps no terms of events that retention removed, so a later event with a reused sequence number is not found by them', async () => {
    const store = new SqliteEventStore(open());
    await store.write([ev(1, 'web', '10.0.0.1')]);
    expect(await store.enforceRetention(new Date('2100-01-01T00:00:00Z'), 1)).toEqual({ deleted: 1 });
    await store.write([ev(2, 'file', '10.0.0.2')]);
    expect((await store.search({ query: 'event.category:web' })).total).toBe(0);
    expect((await store.search({ query: 'host.ip:10.0.0.1' })).total).toBe(0);
    expect((await store.search({ query: 'event.category:file AND host.ip:10.0.0.2' })).events.map((e) => e.event.id)).toEqual(['w2']);
    await store.close();
  });
});

describe('SQLite event store: writer thread', () => {
  it('fails the writes a dying writer thread was given, and the next write starts another and succeeds', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'citysoc-events-'));
    dirs.push(dir);
    const store = new SqliteEventStore(path.join(dir, 'events.db'));
    const ev = (id: string) => ({ '@timestamp': '2026-11-10T00:00:00.000Z', event: { id, kind: 'event' as const }, message: id });
    expect(await store.write([ev('a')])).toEqual({ written: 1, duplicates: 0, failed: [] });
    const inside = store as unknown as { writer: import('node:worker_threads').Worker; pending: Map<number, unknown> };
    // A batch big enough that the writer is still inserting it when it is stopped.
    const inFlight = store.write(Array.from({ length: 50_000 }, (_, i) => ev(`big${i}`)));
    while (inside.pending.size === 0) await new Promise((r) => setTimeout(r, 1));
    await inside.writer.terminate();
    await expect(inFlight).rejects.toMatchObject({ code: 'STORE_FAILURE' });
    // Nothing of the failed batch was committed; the next write starts a new writer.
    expect(await store.write([ev('b'), ev('a')])).toEqual({ written: 1, duplicates: 1, failed: [] });
    expect((await store.search({ query: '*' })).total).toBe(2);
    await store.close();
  });

  it('refuses an in-memory database, which its threads could not share', () => {
    expect(() => new SqliteEventStore(':memory:')).toThrow(/needs a database file/);
  });
});

describe('SQLite event store: a batch that cannot be built', () => {
  it('keeps nothing of it, answers with a clear error, and the next write goes through', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'citysoc-events-'));
    dirs.push(dir);
    const store = new SqliteEventStore(path.join(dir, 'events.db'));
    const ev = (id: string, extra: Record<string, unknown> = {}) => ({
      '@timestamp': '2026-11-10T00:00:00.000Z',
      event: { id, kind: 'event' as const },
      ...extra,
    });
    // 500 good events (more than one chunk is sent to the writer), then one JSON cannot encode.
    const batch = [...Array.from({ length: 500 }, (_, i) => ev(`ok${i}`)), ev('bad', { labels: { n: 10n } })];
    await expect(store.write(batch)).rejects.toMatchObject({ code: 'INPUT_INVALID', message: expect.stringContaining('BigInt') });
    expect((await store.search({ query: '*' })).total).toBe(0);
    expect(await store.write([ev('next')])).toEqual({ written: 1, duplicates: 0, failed: [] });
    expect((await store.search({ query: '*' })).total).toBe(1);
    await store.close();
  });
});
