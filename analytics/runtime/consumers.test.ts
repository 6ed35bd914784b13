/**
 * The detect consumer with embedded correlation over a real spool and SQLite checkpoint store:
 * windows are checkpointed now and then (not with every batch), the bus keeps what no checkpoint
 * covers yet, and an event too late for every window is counted and told.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { SpoolBus } from '../../adapters/embedded/spool-bus';
import { SqliteAnalyticsCheckpointStore } from '../../adapters/sqlite/analytics-checkpoint';
import { createLogger, type Logger } from '../../core/logging';
import { sourceByName } from '../../collectors/parsers';
import { loadContent } from '../engine/content';
import { getPipeline } from '../sigma/pipelines';
import { AnalyticsCounters, startDetectConsumer } from './consumers';

const root = mkdtempSync(path.join(tmpdir(), 'citysoc-detect-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const content = loadContent([path.resolve(__dirname, '../../rules/ssh')], { pipelines: [getPipeline('citysoc')] });

/** A failed root login from `ip` at `at` (ms), with the gateway's event id. */
function failed(ip: string, at: number, id: string): object {
  const t = new Date(at);
  const line = `Nov ${t.getUTCDate()} ${t.toISOString().slice(11, 19)} LabSZ sshd[1000]: Failed password for root from ${ip} port 22000 ssh2`;
  const parsed = sourceByName('openssh')!.parse({ kind: 'line', line }, { receivedAt: new Date('2026-12-01T00:00:00Z'), timeZone: 'UTC' });
  if (!parsed.ok) throw new Error('not parsed');
  const e = parsed.event as { event: Record<string, unknown> };
  return { ...e, event: { ...e.event, id } };
}

const until = async (cond: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** A detect consumer with embedded correlation over the spool and checkpoint store in `dir`. */
async function openDetect(
  dir: string,
  opts: {
    log?: Logger;
    spool?: Partial<ConstructorParameters<typeof SpoolBus>[0]>;
    wrap?: (bus: SpoolBus) => SpoolBus;
    consumer?: Partial<Parameters<typeof startDetectConsumer>[0]>;
  } = {},
) {
  const spool = new SpoolBus({ file: path.join(dir, 'spool.db'), pollMs: 20, compactEveryMs: 0, ...opts.spool });
  const checkpoints = new SqliteAnalyticsCheckpointStore(path.join(dir, 'analytics.db'));
  const counters = new AnalyticsCounters();
  const detect = await startDetectConsumer({
    bus: opts.wrap ? opts.wrap(spool) : spool,
    log: opts.log ?? createLogger('silent'),
    counters,
    content: () => content,
    correlate: true,
    checkpoints,
    engine: 'embedded',
    allowedLatenessMs: 60_000,
    checkpointWhenQuietMs: 200,
    ...opts.consumer,
  });
  return {
    bus: spool,
    counters,
    checkpoints,
    async close() {
      await detect.stop();
      await spool.close();
      await checkpoints.close();
    },
  };
}

test('windows are checkpointed when the stream goes quiet, not with every batch; the bus keeps the events until then', async () => {
  const dir = mkdtempSync(path.join(root, 'quiet-'));
  const { bus, counters, checkpoints, close } = await openDetect(dir, {
    spool: { batchSize: 10 },
    consumer: { checkpointEveryMs: 3_600_000, checkpointEveryEvents: 1_000_000, checkpointWhenQuietMs: 1_500 },
  });
  const start = Date.UTC(2026, 10, 20);
  await bus.publish(
    'citysoc.events',
    Array.from({ length: 100 }, (_, i) => ({ key: 'k', value: failed(`10.1.0.${i % 7}`, start + i * 1000, `q-${i}`) })),
  );
  await until(() => counters.events === 100);
  // Ten batches went through, none checkpointed yet: the bus still holds all of them.
  expect(counters.checkpoints).toBe(0);
  expect(await bus.lag('citysoc.events', 'detect')).toBe(100);
  await until(() => counters.checkpoints === 1);
  expect(await bus.lag('citysoc.events', 'detect')).toBe(0);
  expect(((await checkpoints.load('detect'))?.offsets ?? {})['0']).toBe('100');
  await close();
});

test('an event after every window it belongs to has closed is counted and logged, and the count is not repeated after a restart', async () => {
  const dir = mkdtempSync(path.join(root, 'late-'));
  const lines: string[] = [];
  const log = createLogger(
    'warn',
    new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    }),
  );
  const open = () => openDetect(dir, { log });
  const a = await open();
  const start = Date.UTC(2026, 10, 20);
  // Lateness 60 s; the windows of the rules a failed login feeds span 5 and 10 min: an event 17 min
  // behind the newest is after every window it could be in, one 5 min behind is not.
  await a.bus.publish('citysoc.events', [
    { key: 'k', value: failed('10.2.0.1', start + 20 * 60_000, 'new') },
    { key: 'k', value: failed('10.2.0.2', start + 3 * 60_000, 'too-late') },
    { key: 'k', value: failed('10.2.0.3', start + 15 * 60_000, 'behind-but-open') },
  ]);
  await until(() => a.counters.checkpoints >= 1);
  expect(a.counters.lateEvents).toBe(1);
  expect(lines.filter((l) => l.includes('after every correlation window')).map((l) => (JSON.parse(l) as { late: number }).late)).toEqual([1]);
  await a.close();

  const b = await open();
  await b.bus.publish('citysoc.events', [{ key: 'k', value: failed('10.2.0.4', start + 20 * 60_000, 'later') }]);
  await until(() => b.counters.checkpoints >= 1);
  expect(b.counters.lateEvents).toBe(0);
  expect(lines.filter((l) => l.includes('after every correlation window'))).toHaveLength(1);
  await b.close();
});

test('after a restart from a checkpoint whose offsets were never committed, the redelivered events are skipped and committed', async () => {
  const dir = mkdtempSync(path.join(root, 'uncommitted-'));
  const start = Date.UTC(2026, 10, 20);
  // The first run dies between the checkpoint and the commit: every commit fails.
  const failingCommits = (spool: SpoolBus): SpoolBus =>
    new Proxy(spool, {
      get(target, prop, receiver) {
        if (prop !== 'subscribe') return Reflect.get(target, prop, receiver) as unknown;
        return async (...args: Parameters<SpoolBus['subscribe']>) => {
          const sub = await (target.subscribe as (...a: unknown[]) => Promise<{ stop(): Promise<void> }>)(...args);
          return { stop: () => sub.stop(), commit: () => Promise.reject(new Error('broker gone')) };
        };
      },
    });
  const run = (commitFails: boolean) => openDetect(dir, commitFails ? { wrap: failingCommits } : {});
  const a = await run(true);
  await a.bus.publish(
    'citysoc.events',
    Array.from({ length: 10 }, (_, i) => ({ key: 'k', value: failed('10.3.0.1', start + i * 1000, `u-${i}`) })),
  );
  await until(() => a.counters.checkpoints >= 1);
  expect(await a.bus.lag('citysoc.events', 'detect')).toBe(10);
  await a.close();

  const b = await run(false);
  await until(async () => (await b.bus.lag('citysoc.events', 'detect')) === 0);
  expect(b.counters.skippedRedelivered).toBe(10);
  expect(b.counters.events).toBe(0);
  await b.close();
});
