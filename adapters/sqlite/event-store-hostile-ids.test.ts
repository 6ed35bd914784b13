/** getMany with hostile ids: each id is a value, never statement text; only exact matches come back. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteEventStore } from './event-store';

describe('SQLite event store: getMany with hostile ids', () => {
  let dir: string;
  let store: SqliteEventStore;
  const ev = (id: string, i: number) => ({
    '@timestamp': new Date(Date.UTC(2026, 10, 10, 0, 0, i)).toISOString(),
    event: { id, kind: 'event' as const },
    message: `event ${i}`,
  });
  const HOSTILE = [`a'b`, `x') OR 1=1 --`, `"]`, `["plain"]`, `{"$ne":null}`, '%', '_', 'back\\slash', 'nul\u0000byte', '中文 id'];
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'citysoc-hostile-ids-'));
    store = new SqliteEventStore(path.join(dir, 'events.db'));
    const all = ['plain', 'p1', ...HOSTILE].map((id, i) => ev(id, i));
    expect((await store.write(all)).written).toBe(all.length);
    await store.refresh();
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const ids = (es: { event: { id: string } }[]) => es.map((e) => e.event.id).sort();

  it.each(HOSTILE.map((h) => [h]))('the id %j finds itself only', async (h) => {
    expect(ids(await store.getMany([h]))).toEqual([h]);
  });

  it('ids that look like SQL, JSON or patterns match nothing else', async () => {
    expect(await store.getMany([`' OR '1'='1`, `") OR 1=1 --`, '*', '%%', 'plain%', '["p1"]'.slice(1)])).toEqual([]);
  });

  it('non-strings are refused with where they are, and the store still answers', async () => {
    const odd = [null, 1, 0, true, {}, ['plain'], { id: 'plain' }] as unknown as string[];
    await expect(store.getMany(odd)).rejects.toMatchObject({ code: 'INPUT_INVALID', message: 'getMany: ids[0] is null, not an event id (a string)' });
    await expect(store.getMany(['plain', ['plain']] as unknown as string[])).rejects.toMatchObject({
      code: 'INPUT_INVALID',
      message: 'getMany: ids[1] is a list, not an event id (a string)',
    });
    expect(ids(await store.getMany(['plain']))).toEqual(['plain']);
  });

  it('a very long id and a great many ids are answered exactly', async () => {
    expect(await store.getMany(['y'.repeat(2_000_000)])).toEqual([]);
    const many = [...Array.from({ length: 50_000 }, (_, i) => `absent-${i}`), 'p1'];
    expect(ids(await store.getMany(many))).toEqual(['p1']);
  });
});
