/**
 * The EventStore contract: every adapter (SQLite, Elasticsearch, OpenSearch) runs this same
 * suite. `open` must return a new, empty, isolated store each time it is called.
 */
import { CitySocError } from '../errors';
import type { EcsEvent } from '../event';
import type { EventStore, SearchRequest } from '../ports/event-store';
import { compileQuery } from '../query/analyze';
import { fixtureEvents } from './fixtures';
import { QUERY_CASES } from './queries';

export interface StoreHarness {
  open(): Promise<EventStore>;
}

const ids = (events: EcsEvent[]) => events.map((e) => e.event.id);
const sorted = (a: readonly string[]) => [...a].sort();

async function allIds(store: EventStore, req: SearchRequest): Promise<string[]> {
  const r = await store.search({ ...req, size: 10_000 });
  return sorted(ids(r.events));
}

async function walk(store: EventStore, req: SearchRequest, size: number): Promise<string[]> {
  const out: string[] = [];
  let after: string | undefined;
  for (let page = 0; page < 100; page++) {
    const r = await store.search({ ...req, size, ...(after ? { after } : {}) });
    out.push(...ids(r.events));
    if (!r.nextCursor) return out;
    after = r.nextCursor;
  }
  throw new Error('cursor paging did not end');
}

function event(id: string, t: string, extra: Record<string, unknown> = {}): EcsEvent {
  return { '@timestamp': t, message: `event ${id}`, event: { id, kind: 'event' }, ...extra } as EcsEvent;
}

async function expectError(p: Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CitySocError);
  expect((err as CitySocError).code).toBe(code);
  expect((err as CitySocError).message).toMatch(pattern);
}

export function describeEventStoreContract(name: string, harness: StoreHarness): void {
  describe(`EventStore contract: ${name}`, () => {
    describe('search over the fixture events', () => {
      let store: EventStore;
      beforeAll(async () => {
        store = await harness.open();
        const r = await store.write(fixtureEvents());
        expect(r).toEqual({ written: 24, duplicates: 0, failed: [] });
        await store.refresh();
      });
      afterAll(async () => store.close());

      for (const c of QUERY_CASES) {
        it(`query: ${c.name}`, async () => {
          expect(await allIds(store, { query: c.query })).toEqual(sorted(c.ids));
        });
      }

      it('total counts every match, not just the page', async () => {
        const r = await store.search({ query: 'event.category:authentication', size: 2 });
        expect(r.total).toBe(9);
        expect(r.events).toHaveLength(2);
      });

      it('get returns the stored document by id, nested and with canonical IPs', async () => {
        const e = (await store.get('e10')) as Record<string, unknown> & EcsEvent;
        expect(e.event.id).toBe('e10');
        expect((e.source as { ip: string }).ip).toBe('2001:db8::11');
        const e19 = (await store.get('e19')) as unknown as { user: { name: string; target: { name: string } } };
        expect(e19.user).toEqual({ name: 'root', target: { name: 'frank' } });
      });

      it('get of an unknown id returns null', async () => {
        expect(await store.get('no-such-event')).toBeNull();
      });

      it('filters are ANDed with the query (row filters)', async () => {
        expect(await allIds(store, { query: 'event.outcome:failure', filters: [compileQuery('organization.id:cg')] })).toEqual([
          'e01',
          'e02',
          'e03',
          'e20',
          'e21',
        ]);
        expect(await allIds(store, { query: 'event.outcome:failure' })).toEqual(['e01', 'e02', 'e03', 'e07', 'e08', 'e10', 'e15', 'e20', 'e21']);
      });

      it('a time range includes from and excludes to', async () => {
        expect(await allIds(store, { range: { from: '2026-11-01T01:11:00Z', to: '2026-11-01T01:14:00Z' } })).toEqual(['e06', 'e07', 'e08']);
      });

      it('the default sort is newest first, ties broken by event id', async () => {
        const r = await store.search({ size: 6 });
        expect(ids(r.events)).toEqual(['e24', 'e23', 'e22', 'e20', 'e21', 'e19']);
      });

      it('sorts by a number ascending with missing values last', async () => {
        const r = await store.search({ sort: [{ field: 'http.response.status_code', order: 'asc' }], size: 8 });
        expect(ids(r.events)).toEqual(['e05', 'e06', 'e09', 'e22', 'e07', 'e08', 'e10', 'e01']);
      });

      it('sorts by a keyword descending', async () => {
        const r = await store.search({ query: 'user.name:*', sort: [{ field: 'user.name', order: 'desc' }], size: 7 });
        expect(ids(r.events)).toEqual(['e01', 'e02', 'e19', 'e20', 'e23', 'e21', 'e14']);
      });

      it('offset paging returns the next slice', async () => {
        const r = await store.search({ size: 3, offset: 3 });
        expect(ids(r.events)).toEqual(['e20', 'e21', 'e19']);
      });

      it('cursor paging visits every match once, in order', async () => {
        const full = ids((await store.search({ size: 100 })).events);
        expect(full).toHaveLength(24);
        expect(await walk(store, {}, 5)).toEqual(full);
      });

      it('cursor paging works with a sort on a field that some events lack', async () => {
        const sort = [{ field: 'http.response.status_code', order: 'desc' as const }];
        const full = ids((await store.search({ sort, size: 100 })).events);
        expect(full.slice(0, 7)).toEqual(['e10', 'e08', 'e07', 'e05', 'e06', 'e09', 'e22']);
        expect(await walk(store, { sort }, 4)).toEqual(full);
      });

      it('cursor paging respects the query', async () => {
        expect(await walk(store, { query: 'event.category:web' }, 2)).toEqual(['e22', 'e10', 'e09', 'e08', 'e07', 'e06', 'e05']);
      });

      it('the last page has no cursor', async () => {
        const r = await store.search({ query: 'user.name:bob', size: 3 });
        expect(r.events).toHaveLength(3);
        expect(r.nextCursor).toBeUndefined();
      });

      it('page sizes outside 1..10000 are refused', async () => {
        await expectError(store.search({ size: 0 }), 'INPUT_INVALID', /size 0 is out of range/);
        await expectError(store.search({ size: 10_001 }), 'INPUT_INVALID', /size 10001 is out of range/);
      });

      it('offset beyond the result window is refused with advice', async () => {
        await expectError(store.search({ size: 100, offset: 9_950 }), 'INPUT_INVALID', /exceeds 10000: use the cursor/);
      });

      it('a tampered cursor is refused', async () => {
        await expectError(store.search({ size: 2, after: 'bm90LWEtY3Vyc29y' }), 'INPUT_INVALID', /cursor is not valid/);
      });

      it('a syntax error names the position and what was expected', async () => {
        await expectError(store.search({ query: 'user.name:' }), 'QUERY_SYNTAX', /position 10: expected a value after 'user.name:', found end of query/);
        await expectError(store.search({ query: '(user.name:root' }), 'QUERY_SYNTAX', /position 15: expected '\)' to close the '\(' at position 0/);
      });

      it('a value of the wrong type for its field is refused', async () => {
        await expectError(store.search({ query: 'http.response.status_code:abc' }), 'QUERY_FIELD', /status_code: is a number; 'abc' is not/);
        await expectError(store.search({ query: 'source.ip:10.0.0.300' }), 'QUERY_FIELD', /not an IPv4 or IPv6 address/);
      });

      it('terms counts values, largest first, ties by key', async () => {
        const r = await store.aggregate({ aggs: { users: { type: 'terms', field: 'user.name', size: 3 } } });
        expect(r.aggs.users).toEqual({
          type: 'terms',
          buckets: [
            { key: 'root', count: 5 },
            { key: 'bob', count: 3 },
            { key: 'alice', count: 2 },
          ],
        });
      });

      it('terms over an array field counts each event once per value', async () => {
        const r = await store.aggregate({ aggs: { c: { type: 'terms', field: 'event.category', size: 10 } } });
        expect(r.aggs.c).toEqual({
          type: 'terms',
          buckets: [
            { key: 'authentication', count: 9 },
            { key: 'web', count: 7 },
            { key: 'file', count: 3 },
            { key: 'host', count: 2 },
            { key: 'session', count: 2 },
            { key: 'database', count: 1 },
            { key: 'iam', count: 1 },
          ],
        });
      });

      it('terms over a number field have numeric keys', async () => {
        const r = await store.aggregate({ aggs: { s: { type: 'terms', field: 'http.response.status_code' } } });
        expect(r.aggs.s).toEqual({
          type: 'terms',
          buckets: [
            { key: 200, count: 4 },
            { key: 401, count: 1 },
            { key: 404, count: 1 },
            { key: 502, count: 1 },
          ],
        });
      });

      it('terms respect the query', async () => {
        const r = await store.aggregate({ query: 'event.outcome:failure', aggs: { ip: { type: 'terms', field: 'source.ip', size: 2 } } });
        expect(r.total).toBe(9);
        expect(r.aggs.ip).toEqual({
          type: 'terms',
          buckets: [
            { key: '10.1.1.1', count: 3 },
            { key: '10.1.1.2', count: 1 },
          ],
        });
      });

      it('a daily histogram counts events per UTC day', async () => {
        const r = await store.aggregate({ aggs: { d: { type: 'date_histogram', interval: '1d' } } });
        expect(r.total).toBe(24);
        expect(r.aggs.d).toEqual({
          type: 'date_histogram',
          buckets: [
            { key: Date.parse('2026-11-01T00:00:00Z'), count: 19 },
            { key: Date.parse('2026-11-02T00:00:00Z'), count: 5 },
          ],
        });
      });

      it('a time range around the matches changes neither the buckets nor the span check of a histogram', async () => {
        const range = { from: '2026-10-31T00:00:00Z', to: '2026-11-03T00:00:00Z' };
        const r = await store.aggregate({ query: 'event.action:http_request', range, aggs: { h: { type: 'date_histogram', interval: '1h' } } });
        const buckets = (r.aggs.h as { buckets: { key: number; count: number }[] }).buckets;
        expect(r.total).toBe(7);
        expect(buckets).toHaveLength(34);
        expect(buckets[0]).toEqual({ key: Date.parse('2026-11-01T01:00:00Z'), count: 6 });
        // Three days of seconds are too many buckets for the range to bound; the matches' own span is too.
        await expectError(
          store.aggregate({ query: 'event.action:http_request', range, aggs: { h: { type: 'date_histogram', interval: '1s' } } }),
          'LIMIT_EXCEEDED',
          /^date_histogram: 120001 buckets of 1 s between 2026-11-01T01:10:00\.000Z and 2026-11-02T10:30:00\.000Z exceed the limit of 10000;/,
        );
      });

      it('an hourly histogram lists the empty hours between its first and last bucket', async () => {
        const r = await store.aggregate({ query: 'event.action:http_request', aggs: { h: { type: 'date_histogram', interval: '1h' } } });
        const buckets = (r.aggs.h as { buckets: { key: number; count: number }[] }).buckets;
        expect(r.total).toBe(7);
        expect(buckets).toHaveLength(34);
        expect(buckets[0]).toEqual({ key: Date.parse('2026-11-01T01:00:00Z'), count: 6 });
        expect(buckets[33]).toEqual({ key: Date.parse('2026-11-02T10:00:00Z'), count: 1 });
        expect(buckets.slice(1, 33).every((b) => b.count === 0)).toBe(true);
      });

      it('cardinality counts distinct values', async () => {
        const r = await store.aggregate({
          aggs: {
            u: { type: 'cardinality', field: 'user.name' },
            ip: { type: 'cardinality', field: 'source.ip' },
            c: { type: 'cardinality', field: 'event.category' },
          },
        });
        expect(r.aggs).toEqual({ u: { type: 'cardinality', value: 9 }, ip: { type: 'cardinality', value: 12 }, c: { type: 'cardinality', value: 7 } });
      });

      it('aggregations respect the time range and report the total', async () => {
        const r = await store.aggregate({ range: { from: '2026-11-02T00:00:00Z' }, aggs: { u: { type: 'terms', field: 'user.name' } } });
        expect(r.total).toBe(5);
        expect(r.aggs.u).toEqual({
          type: 'terms',
          buckets: [
            { key: 'root', count: 2 },
            { key: 'bob', count: 1 },
            { key: 'guest', count: 1 },
          ],
        });
      });

      it('an invalid histogram interval is refused', async () => {
        await expectError(store.aggregate({ aggs: { h: { type: 'date_histogram', interval: '0h' } } }), 'INPUT_INVALID', /interval '0h' is not valid/);
      });

      it('reports healthy', async () => {
        expect((await store.health()).ok).toBe(true);
      });
    });

    describe('writes', () => {
      let store: EventStore;
      beforeEach(async () => {
        store = await harness.open();
      });
      afterEach(async () => store.close());

      it('writing the same ids again stores nothing twice', async () => {
        const batch = [event('w1', '2026-11-10T00:00:00Z'), event('w2', '2026-11-10T00:00:01Z')];
        expect(await store.write(batch)).toEqual({ written: 2, duplicates: 0, failed: [] });
        expect(await store.write([...batch, event('w3', '2026-11-10T00:00:02Z')])).toEqual({ written: 1, duplicates: 2, failed: [] });
        await store.refresh();
        expect((await store.search({})).total).toBe(3);
      });

      it('an event the store cannot take is reported and the rest are stored', async () => {
        const bad = { '@timestamp': 'yesterday', event: { id: 'bad1' } } as unknown as EcsEvent;
        const r = await store.write([event('ok1', '2026-11-10T00:00:00Z'), bad]);
        expect(r.written).toBe(1);
        expect(r.failed).toEqual([{ id: 'bad1', reason: expect.stringMatching(/@timestamp/) as unknown as string }]);
        await store.refresh();
        expect(await allIds(store, {})).toEqual(['ok1']);
      });

      it('an id over the 512 bytes the search engines take is refused by name, in every store alike', async () => {
        const long = '好'.repeat(171);
        const r = await store.write([event('ok2', '2026-11-10T00:00:00Z'), event(long, '2026-11-10T00:00:01Z')]);
        expect(r.written).toBe(1);
        expect(r.failed).toEqual([{ id: long.slice(0, 64), reason: "event.id: 513 bytes; a stored event's id is at most 512 bytes" }]);
        await store.refresh();
        expect(await allIds(store, {})).toEqual(['ok2']);
      });

      it('concurrent writers with overlapping batches store each event exactly once', async () => {
        const all = Array.from({ length: 400 }, (_, i) =>
          event(`c${i}`, new Date(Date.UTC(2026, 10, 10, 0, 0, i)).toISOString(), { user: { name: `u${i % 7}` } }),
        );
        const batches = Array.from({ length: 8 }, (_, k) => all.slice(k * 40, k * 40 + 120));
        const results = await Promise.all(batches.map((b) => store.write(b)));
        expect(results.reduce((n, r) => n + r.written, 0)).toBe(400);
        expect(results.reduce((n, r) => n + r.duplicates, 0)).toBe(8 * 120 - 400);
        expect(results.every((r) => r.failed.length === 0)).toBe(true);
        await store.refresh();
        expect((await store.search({})).total).toBe(400);
        const r = await store.aggregate({ aggs: { u: { type: 'cardinality', field: 'user.name' } } });
        expect(r.aggs.u).toEqual({ type: 'cardinality', value: 7 });
      });

      it('getMany returns each stored event among the ids once, leaves absent ids out, across more ids than one lookup takes', async () => {
        const stored = Array.from({ length: 1_200 }, (_, i) => event(`m${i}`, new Date(Date.UTC(2026, 10, 10, 0, 0, i)).toISOString()));
        expect(await store.write(stored)).toEqual({ written: 1_200, duplicates: 0, failed: [] });
        await store.refresh();
        const asked = [...Array.from({ length: 1_200 }, (_, i) => `m${1_199 - i}`), ...Array.from({ length: 1_300 }, (_, i) => `absent${i}`), 'm0', 'm7'];
        const found = await store.getMany(asked);
        expect(sorted(ids(found))).toEqual(sorted(ids(stored)));
        expect(found.find((e) => e.event.id === 'm7')).toEqual(await store.get('m7'));
        expect(found.find((e) => e.event.id === 'm7')).toMatchObject({ message: 'event m7' });
        expect(await store.getMany([])).toEqual([]);
        expect(await store.getMany(['absent'])).toEqual([]);
      });

      it('getMany answers an id once even when two days hold it', async () => {
        await store.write([event('twice', '2026-11-10T00:00:00Z')]);
        await store.write([event('twice', '2026-11-12T00:00:00Z')]);
        await store.refresh();
        expect(ids(await store.getMany(['twice', 'twice']))).toEqual(['twice']);
      });

      it('an empty write is a no-op', async () => {
        expect(await store.write([])).toEqual({ written: 0, duplicates: 0, failed: [] });
      });
    });

    describe('retention', () => {
      let store: EventStore;
      beforeEach(async () => {
        store = await harness.open();
        await store.write(fixtureEvents());
        await store.refresh();
      });
      afterEach(async () => store.close());

      it('deletes the days before the retention period and keeps the rest', async () => {
        const r = await store.enforceRetention(new Date('2026-11-03T05:00:00Z'), 1);
        expect(r.deleted).toBe(19);
        await store.refresh();
        expect(await allIds(store, {})).toEqual(['e20', 'e21', 'e22', 'e23', 'e24']);
      });

      it('deleted events are gone from full-text search and aggregations too', async () => {
        await store.enforceRetention(new Date('2026-11-03T05:00:00Z'), 1);
        await store.refresh();
        expect(await allIds(store, { query: 'password' })).toEqual(['e20', 'e21']);
        const a = await store.aggregate({ aggs: { d: { type: 'date_histogram', interval: '1d' } } });
        expect(a.aggs.d).toEqual({ type: 'date_histogram', buckets: [{ key: Date.parse('2026-11-02T00:00:00Z'), count: 5 }] });
        expect(await store.get('e01')).toBeNull();
      });

      it('counts from when an event was received: replayed history received recently stays, old receipts go', async () => {
        await store.write([
          { '@timestamp': '2026-10-01T00:00:00Z', event: { id: 'replayed', ingested: '2026-11-03T04:00:00Z' }, message: 'old line replayed today' },
          { '@timestamp': '2026-11-02T12:00:00Z', event: { id: 'late-receipt', ingested: '2026-10-30T00:00:00Z' }, message: 'received long ago' },
        ] as never);
        await store.refresh();
        await store.enforceRetention(new Date('2026-11-03T05:00:00Z'), 1);
        await store.refresh();
        const ids = await allIds(store, {});
        expect(ids).toContain('replayed');
        expect(ids).not.toContain('late-receipt');
      });

      it('keeps everything inside the default 180 days', async () => {
        expect(await store.enforceRetention(new Date('2026-11-03T05:00:00Z'), 180)).toEqual({ deleted: 0 });
        await store.refresh();
        expect((await store.search({})).total).toBe(24);
      });
    });
  });
}
