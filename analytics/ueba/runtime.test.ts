import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Doc } from '../../core/doc';
import type { DeliveredMessage } from '../../core/ports';
import type { Signal } from '../../core/signal';
import { defaultUebaConfig } from './config';
import { UebaRuntime } from './runtime';

/** Small enough to alert in a test: 3 silent days make an account dormant, and dormancy alone crosses "moderate". */
const cfg = defaultUebaConfig({ latenessMinutes: 0, baseline: { window: 8, minObservations: 5 }, dormancy: { days: 3 } });

let n = 0;
const ev = (local: string, user = 'li'): Doc => ({
  '@timestamp': `${local}.000+08:00`,
  event: { id: `e${++n}`, outcome: 'success' },
  user: { name: user },
  citysoc: { identity: { department: '城管' }, data: { dataset: 'cg.tanfan', action: 'read' } },
});
const batch = (first: number, docs: Doc[]): DeliveredMessage<unknown>[] =>
  docs.map((value, i) => ({ topic: 'citysoc.events', key: 'k', value, offset: `0:${first + i}` }));

describe('the embedded UEBA runtime and its state database', () => {
  let dir: string;
  let published: Signal[];
  let failPublish: number;
  const open = () =>
    new UebaRuntime(cfg, {
      file: path.join(dir, 'ueba.db'),
      publish: async (s) => {
        if (failPublish > 0) {
          failPublish--;
          throw new Error('bus unavailable');
        }
        published.push(...s);
      },
    });
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'citysoc-ueba-rt-'));
    published = [];
    failPublish = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const first = () => batch(1, [ev('2026-06-01T09:10:00'), ev('2026-06-01T10:10:00'), ev('2026-06-01T11:10:00')]);
  const back = () => batch(4, [ev('2026-06-05T10:00:00'), ev('2026-06-05T10:05:00')]);

  test('a dormant account coming back crosses the alert level: one ueba signal, keyed by its dedup key', async () => {
    const rt = open();
    await rt.handle('citysoc.events', first());
    const r = await rt.handle('citysoc.events', back());
    expect(r.processed).toBe(2);
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      rule: { id: 'ueba.risk.user.moderate', type: 'ueba', severity: 'medium' },
      dedupKey: 'ueba:risk:user:li',
      entities: [{ type: 'user', value: 'li' }],
      departments: ['城管'],
      time: new Date(Date.parse('2026-06-05T10:00:00+08:00')).toISOString(),
      provenance: { engine: 'embedded' },
    });
    expect((published[0]!.reason as { contributions: { feature: string }[] }).contributions.map((c) => c.feature)).toEqual(['idle_hours']);
    rt.close();
  });

  test('a batch delivered again after it was committed is skipped: nothing is counted twice', async () => {
    const rt = open();
    await rt.handle('citysoc.events', first());
    await rt.handle('citysoc.events', back());
    const risk = rt.scorer.risks.get('user:li')!.current!.score;
    const again = await rt.handle('citysoc.events', back());
    expect(again).toMatchObject({ processed: 0, skipped: 2, signals: [] });
    expect(rt.engine.counters.events).toBe(5);
    expect(rt.scorer.risks.get('user:li')!.current!.score).toBe(risk);
    expect(published).toHaveLength(1);
    rt.close();
  });

  test('a signal whose publication failed stays in the outbox and goes out with the redelivered batch', async () => {
    const rt = open();
    await rt.handle('citysoc.events', first());
    failPublish = 1;
    await expect(rt.handle('citysoc.events', back())).rejects.toThrow('bus unavailable');
    expect(published).toHaveLength(0);
    expect(rt.store.outbox()).toHaveLength(1);
    const again = await rt.handle('citysoc.events', back());
    expect(again.skipped).toBe(2);
    expect(published.map((s) => s.dedupKey)).toEqual(['ueba:risk:user:li']);
    expect(rt.store.outbox()).toEqual([]);
    rt.close();
  });

  test('a restart continues from the database: baselines, first contacts, risks and offsets', async () => {
    const a = open();
    await a.handle('citysoc.events', first());
    a.close();
    const b = open();
    expect(b.engine.state('user', 'li')!.open.map((o) => o.values[0])).toEqual([1]); // the 11:00 hour is still open
    await b.handle('citysoc.events', back());
    expect(published).toHaveLength(1);
    expect(b.engine.state('user', 'li')!.baseline.count).toBe(3);
    const score = b.scorer.risks.get('user:li')!.current!.score;
    b.close();
    const c = open();
    expect(c.scorer.risks.get('user:li')!.current!.score).toBe(score);
    expect(c.store.consumed('citysoc.events', '0:5')).toBe(true);
    expect(c.store.consumed('citysoc.events', '0:6')).toBe(false);
    expect(c.store.consumed('citysoc.events', '1:1')).toBe(false); // another partition
    c.close();
  });

  test('a batch that fails midway leaves the database as it was and memory is reloaded from it', async () => {
    const rt = open();
    await rt.handle('citysoc.events', first());
    const observe = rt.scorer.observe.bind(rt.scorer);
    rt.scorer.observe = () => {
      throw new Error('scoring bug');
    };
    await expect(rt.handle('citysoc.events', back())).rejects.toThrow('scoring bug');
    expect(rt.scorer.observe).not.toBe(observe); // a new scorer was loaded
    expect(rt.store.consumed('citysoc.events', '0:4')).toBe(false);
    // As after the first batch: two hours closed, 11:00 open, nothing of 5 June.
    expect(rt.engine.state('user', 'li')!.baseline.count).toBe(2);
    expect(rt.engine.state('user', 'li')!.open.map((o) => o.hour)).toEqual([Date.parse('2026-06-01T11:00:00+08:00')]);
    const r = await rt.handle('citysoc.events', back());
    expect(r.processed).toBe(2);
    expect(published).toHaveLength(1);
    rt.close();
  });
});
