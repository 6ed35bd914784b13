import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeBusContract } from '../../core/contracts/bus.contract';
import { type Db, openDatabase } from '../sqlite/database';
import { SpoolBus } from './spool-bus';

const root = mkdtempSync(path.join(tmpdir(), 'citysoc-bus-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describeBusContract('embedded spool', {
  async open(ns) {
    return new SpoolBus({ file: path.join(root, `${ns}.db`), pollMs: 50, retryMs: 50, batchSize: 100 });
  },
});

describe('spool housekeeping', () => {
  it('compaction keeps what a lagging group has not committed', async () => {
    const bus = new SpoolBus({ file: path.join(root, 'compact.db'), pollMs: 20, batchSize: 2 });
    const seen: number[] = [];
    await bus.publish(
      'citysoc.events',
      [1, 2, 3].map((v) => ({ key: 'k', value: v })),
    );
    const before = bus.spoolBytes();
    expect(before).toBe(3);
    const sub = await bus.subscribe<number>('citysoc.events', 'fast', async (b) => void seen.push(...b.map((m) => m.value)));
    await bus.subscribe<number>('citysoc.events', 'stuck', async () => {
      throw new Error('down');
    });
    while (seen.length < 3) await new Promise((r) => setTimeout(r, 10));
    await sub.stop();
    expect(bus.compact()).toBe(0);
    expect(bus.spoolBytes()).toBe(before);
    await bus.close();
  });

  it("the timer's compaction neither waits for a held write lock nor throws; another failure is reported, and the next round compacts", async () => {
    const file = path.join(root, 'compact-locked.db');
    const errors: unknown[] = [];
    const bus = new SpoolBus({ file, pollMs: 20, compactEveryMs: 0, onCompactionError: (e) => errors.push(e) });
    const seen: number[] = [];
    const sub = await bus.subscribe<number>('citysoc.events', 'only', async (b) => void seen.push(...b.map((m) => m.value)));
    await bus.publish(
      'citysoc.events',
      [1, 2].map((v) => ({ key: 'k', value: v })),
    );
    while (seen.length < 2) await new Promise((r) => setTimeout(r, 10));
    await sub.stop();
    // Another connection holds the write lock, as a long batch write does.
    const other = openDatabase(file);
    other.prepare('BEGIN IMMEDIATE').run();
    expect(bus.compactIfFree()).toBeNull();
    expect(errors).toEqual([]);
    other.prepare('ROLLBACK').run();
    expect(bus.compactIfFree()).toBe(2);
    // The connection's own busy timeout is as it was.
    expect((bus as unknown as { db: Db }).db.pragma('busy_timeout', { simple: true })).toBe(10000);
    // A failure other than the lock is reported, not thrown.
    other.exec('ALTER TABLE messages RENAME TO gone');
    expect(bus.compactIfFree()).toBeNull();
    expect(errors).toHaveLength(1);
    expect(String((errors[0] as Error).message)).toMatch(/no such table: messages/);
    other.exec('ALTER TABLE gone RENAME TO messages');
    other.close();
    await bus.close();
    expect(bus.compactIfFree()).toBeNull();
  });

  it('compaction drops what every group has committed, and the spool shrinks', async () => {
    const bus = new SpoolBus({ file: path.join(root, 'compact2.db'), pollMs: 20 });
    const seen: number[] = [];
    const sub = await bus.subscribe<number>('citysoc.events', 'only', async (b) => void seen.push(...b.map((m) => m.value)));
    await bus.publish(
      'citysoc.events',
      [10, 20].map((v) => ({ key: 'k', value: v })),
    );
    while (seen.length < 2) await new Promise((r) => setTimeout(r, 10));
    await sub.stop();
    expect(bus.spoolBytes()).toBe(4);
    expect(bus.compact()).toBe(2);
    expect(bus.spoolBytes()).toBe(0);
    await bus.close();
  });

  it('compaction keeps what a manual-commit group has received but not committed, and drops it once committed', async () => {
    const bus = new SpoolBus({ file: path.join(root, 'compact-manual.db'), pollMs: 20, compactEveryMs: 0 });
    const got: string[] = [];
    const sub = await bus.subscribe<number>('citysoc.events', 'checkpointed', async (b) => void got.push(...b.map((m) => m.offset)), { commit: 'manual' });
    await bus.publish(
      'citysoc.events',
      [1, 2, 3].map((v) => ({ key: 'k', value: v })),
    );
    while (got.length < 3) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50)); // the handler's promise has resolved: its batch counts as delivered
    expect(bus.compact()).toBe(0);
    await sub.commit([got[1]!]);
    expect(bus.compact()).toBe(2);
    expect(bus.spoolBytes()).toBe(1);
    await sub.stop();
    await bus.close();
  });

  it('commit() on an automatically committing subscription is refused', async () => {
    const bus = new SpoolBus({ file: path.join(root, 'auto-commit.db') });
    const sub = (await bus.subscribe('citysoc.events', 'g', async () => undefined)) as unknown as { commit(o: string[]): Promise<void> };
    await expect(sub.commit(['1'])).rejects.toThrow(/automatically/);
    await bus.close();
  });

  it('a second consumer of one group in one process is refused', async () => {
    const bus = new SpoolBus({ file: path.join(root, 'conflict.db') });
    await bus.subscribe('citysoc.events', 'g', async () => undefined);
    await expect(bus.subscribe('citysoc.events', 'g', async () => undefined)).rejects.toThrow(/already consumes/);
    await bus.close();
  });
});

describe('spool writer thread', () => {
  it('concurrent publishes all land once, each one contiguous and in its order', async () => {
    const bus = new SpoolBus({ file: path.join(root, 'group.db'), pollMs: 20, batchSize: 1000 });
    const got: { p: number; i: number }[] = [];
    const sub = await bus.subscribe<{ p: number; i: number }>('citysoc.events', 'g', async (b) => void got.push(...b.map((m) => m.value)));
    await Promise.all(
      Array.from({ length: 40 }, (_, p) =>
        bus.publish(
          'citysoc.events',
          Array.from({ length: 50 }, (_, i) => ({ key: `k${p}`, value: { p, i } })),
        ),
      ),
    );
    while (got.length < 2000) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 100));
    await sub.stop();
    expect(got).toHaveLength(2000);
    for (let p = 0; p < 40; p++) {
      const at = got.findIndex((m) => m.p === p);
      expect(got.slice(at, at + 50)).toEqual(Array.from({ length: 50 }, (_, i) => ({ p, i })));
    }
    await bus.close();
  });

  it('a publish the dying writer was given fails and is not delivered; the next publish starts another writer', async () => {
    const bus = new SpoolBus({ file: path.join(root, 'writer-death.db'), pollMs: 20, batchSize: 1000 });
    const inside = bus as unknown as { writer: import('node:worker_threads').Worker | null; pending: Map<number, unknown> };
    // Big enough that the writer is still appending it when it is stopped.
    const inFlight = bus.publish(
      'citysoc.events',
      Array.from({ length: 100_000 }, (_, i) => ({ key: 'k', value: { big: i } })),
    );
    while (inside.pending.size === 0) await new Promise((r) => setTimeout(r, 1));
    await inside.writer!.terminate();
    await expect(inFlight).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await bus.publish('citysoc.events', [{ key: 'k', value: { after: 1 } }]);
    const got: unknown[] = [];
    const sub = await bus.subscribe('citysoc.events', 'g', async (b) => void got.push(...b.map((m) => m.value)));
    while (got.length < 1) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 100));
    await sub.stop();
    expect(got).toEqual([{ after: 1 }]);
    await bus.close();
  });
});
