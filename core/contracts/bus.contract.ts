/**
 * The Bus contract: the embedded spool bus and Kafka both run it. `open(ns)` returns a bus
 * over the durable storage named ns; calling it again with the same ns is a restart.
 */
import type { Bus, DeliveredMessage, ManualSubscription } from '../ports/bus';

export interface BusHarness {
  open(ns: string): Promise<Bus>;
}

function until(cond: () => boolean, ms = 60_000): Promise<void> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (cond()) resolve();
      else if (Date.now() - start > ms) reject(new Error('condition not met in time'));
      else setTimeout(tick, 20);
    };
    tick();
  });
}

/** A batch counts as delivered once its handler's promise has resolved, a moment after the handler saw it. */
const handlerResolved = () => new Promise((r) => setTimeout(r, 100));

let counter = 0;
const ns = (name: string) => `${name}-${process.pid}-${Date.now()}-${counter++}`;

export function describeBusContract(name: string, harness: BusHarness): void {
  describe(`Bus contract: ${name}`, () => {
    const open: Bus[] = [];
    const openBus = async (n: string) => {
      const b = await harness.open(n);
      open.push(b);
      return b;
    };
    afterAll(async () => {
      for (const b of open) await b.close().catch(() => undefined);
    });

    it('delivers every published message to a group, in order per key', async () => {
      const bus = await openBus(ns('order'));
      const got: DeliveredMessage<{ n: number }>[] = [];
      const sub = await bus.subscribe<{ n: number }>('citysoc.events', 'g1', async (batch) => {
        got.push(...batch);
      });
      const msgs = Array.from({ length: 300 }, (_, i) => ({ key: `user-${i % 3}`, value: { n: i } }));
      await bus.publish('citysoc.events', msgs);
      await until(() => got.length >= 300);
      await sub.stop();
      expect(got).toHaveLength(300);
      for (const k of ['user-0', 'user-1', 'user-2']) {
        const seq = got.filter((m) => m.key === k).map((m) => m.value.n);
        expect(seq).toEqual([...seq].sort((a, b) => a - b));
        expect(seq).toHaveLength(100);
      }
      expect(got.every((m) => m.topic === 'citysoc.events')).toBe(true);
    });

    it('one publish of more bytes than a broker takes in one request (3 MiB) is delivered whole, in order', async () => {
      const bus = await openBus(ns('large'));
      const got: DeliveredMessage<{ n: number; pad: string }>[] = [];
      const sub = await bus.subscribe<{ n: number; pad: string }>('citysoc.events', 'g1', async (batch) => {
        got.push(...batch);
      });
      const msgs = Array.from({ length: 3000 }, (_, i) => ({ key: 'one-host', value: { n: i, pad: 'x'.repeat(1000) } }));
      await bus.publish('citysoc.events', msgs);
      await until(() => got.length >= 3000);
      await sub.stop();
      expect(got.map((m) => m.value.n)).toEqual(msgs.map((m) => m.value.n));
    });

    it('two groups each receive every message', async () => {
      const bus = await openBus(ns('groups'));
      const a: number[] = [];
      const b: number[] = [];
      const sa = await bus.subscribe<number>('citysoc.signals', 'ga', async (batch) => void a.push(...batch.map((m) => m.value)));
      const sb = await bus.subscribe<number>('citysoc.signals', 'gb', async (batch) => void b.push(...batch.map((m) => m.value)));
      await bus.publish(
        'citysoc.signals',
        [1, 2, 3].map((v) => ({ key: 'k', value: v })),
      );
      await until(() => a.length >= 3 && b.length >= 3);
      await sa.stop();
      await sb.stop();
      expect(a).toEqual([1, 2, 3]);
      expect(b).toEqual([1, 2, 3]);
    });

    it('topics are separate', async () => {
      const bus = await openBus(ns('topics'));
      const alerts: string[] = [];
      const sub = await bus.subscribe<string>('citysoc.alerts', 'g', async (batch) => void alerts.push(...batch.map((m) => m.value)));
      await bus.publish('citysoc.events', [{ key: 'k', value: 'event' }]);
      await bus.publish('citysoc.alerts', [{ key: 'k', value: 'alert' }]);
      await until(() => alerts.length >= 1);
      await new Promise((r) => setTimeout(r, 300));
      await sub.stop();
      expect(alerts).toEqual(['alert']);
    });

    it('a failing handler gets the same messages again; nothing is skipped', async () => {
      const bus = await openBus(ns('retry'));
      let failures = 0;
      const done: number[] = [];
      const sub = await bus.subscribe<number>('citysoc.events', 'g', async (batch) => {
        if (failures < 2) {
          failures++;
          throw new Error('store unavailable');
        }
        done.push(...batch.map((m) => m.value));
      });
      await bus.publish(
        'citysoc.events',
        [10, 11, 12].map((v) => ({ key: 'k', value: v })),
      );
      await until(() => done.length >= 3);
      await sub.stop();
      expect(failures).toBe(2);
      expect(done).toEqual([10, 11, 12]);
    });

    it('a consumer killed mid-batch resumes after a restart without losing or repeating committed work', async () => {
      const name = ns('kill');
      const first = await openBus(name);
      const values = Array.from({ length: 1000 }, (_, i) => i);
      await first.publish(
        'citysoc.events',
        values.map((v) => ({ key: `k${v % 10}`, value: v })),
      );
      const committed = new Map<number, number>();
      let killed = false;
      let processedBeforeKill = 0;
      const sub1 = await first.subscribe<number>('citysoc.events', 'indexer', async (batch) => {
        if (killed) throw new Error('process is dead');
        if (processedBeforeKill + batch.length > 400) {
          // Dies half way through this batch: the half it did is never acknowledged.
          processedBeforeKill += Math.floor(batch.length / 2);
          killed = true;
          throw new Error('killed');
        }
        processedBeforeKill += batch.length;
        for (const m of batch) committed.set(m.value, (committed.get(m.value) ?? 0) + 1);
      });
      await until(() => killed);
      await sub1.stop();
      await first.close();

      const second = await openBus(name);
      const sub2 = await second.subscribe<number>('citysoc.events', 'indexer', async (batch) => {
        for (const m of batch) committed.set(m.value, (committed.get(m.value) ?? 0) + 1);
      });
      await until(() => committed.size >= 1000);
      await new Promise((r) => setTimeout(r, 500));
      await sub2.stop();
      expect(committed.size).toBe(1000);
      expect([...committed.values()].every((n) => n === 1)).toBe(true);
      expect(await second.lag('citysoc.events', 'indexer')).toBe(0);
    });

    it('messages published before a restart are delivered after it', async () => {
      const name = ns('durable');
      const first = await openBus(name);
      await first.publish('citysoc.alerts', [
        { key: 'a', value: { id: 'x1' } },
        { key: 'b', value: { id: 'x2' } },
      ]);
      await first.close();
      const second = await openBus(name);
      const got: string[] = [];
      const sub = await second.subscribe<{ id: string }>('citysoc.alerts', 'late', async (batch) => void got.push(...batch.map((m) => m.value.id)));
      await until(() => got.length >= 2);
      await sub.stop();
      expect(got.sort()).toEqual(['x1', 'x2']);
    });

    it('manual commit: delivery goes on past the commit, and a restart delivers again exactly what was not committed', async () => {
      const name = ns('manual');
      const first = await openBus(name);
      // One key: one partition on Kafka, so offsets are in publish order.
      await first.publish(
        'citysoc.events',
        Array.from({ length: 10 }, (_, i) => ({ key: 'one', value: i })),
      );
      const got: DeliveredMessage<number>[] = [];
      const sub: ManualSubscription = await first.subscribe<number>('citysoc.events', 'checkpointed', async (b) => void got.push(...b), { commit: 'manual' });
      await until(() => got.length >= 10);
      await handlerResolved();
      expect(got.map((m) => m.value)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      // Nothing is committed by the handler resolving.
      expect(await first.lag('citysoc.events', 'checkpointed')).toBe(10);
      await sub.commit([got[3]!.offset]);
      expect(await first.lag('citysoc.events', 'checkpointed')).toBe(6);
      // An older commit does not move the group back.
      await sub.commit([got[1]!.offset]);
      expect(await first.lag('citysoc.events', 'checkpointed')).toBe(6);
      await sub.stop();
      await first.close();

      const second = await openBus(name);
      const again: number[] = [];
      const sub2 = await second.subscribe<number>('citysoc.events', 'checkpointed', async (b) => void again.push(...b.map((m) => m.value)), {
        commit: 'manual',
      });
      await until(() => again.length >= 6);
      await new Promise((r) => setTimeout(r, 300));
      await sub2.stop();
      expect(again).toEqual([4, 5, 6, 7, 8, 9]);
    });

    it('manual commit: an offset not yet delivered is refused, and so is a malformed one', async () => {
      const bus = await openBus(ns('manual-refuse'));
      await bus.publish('citysoc.events', [{ key: 'one', value: 1 }]);
      const got: DeliveredMessage<number>[] = [];
      const sub = await bus.subscribe<number>('citysoc.events', 'g', async (b) => void got.push(...b), { commit: 'manual' });
      await until(() => got.length >= 1);
      await handlerResolved();
      const beyond = got[0]!.offset.replace(/\d+$/, (d) => String(Number(d) + 5));
      await expect(sub.commit([beyond])).rejects.toThrow(/not delivered/);
      await expect(sub.commit(['x; DROP TABLE commits'])).rejects.toThrow(/offset/);
      expect(await bus.lag('citysoc.events', 'g')).toBe(1);
      await sub.commit([got[0]!.offset]);
      expect(await bus.lag('citysoc.events', 'g')).toBe(0);
      await sub.stop();
    });

    it('manual commit: a failing handler gets the same batch again; a handler may commit its own batch before it returns', async () => {
      const bus = await openBus(ns('manual-retry'));
      let failures = 0;
      const done: DeliveredMessage<number>[] = [];
      let sub: ManualSubscription | null = null;
      sub = await bus.subscribe<number>(
        'citysoc.events',
        'g',
        async (batch) => {
          if (failures < 1) {
            failures++;
            throw new Error('checkpoint store unavailable');
          }
          done.push(...batch);
          // A consumer that checkpoints inside its handler commits what the checkpoint covers there.
          await sub!.commit([batch[batch.length - 1]!.offset]);
        },
        { commit: 'manual' },
      );
      await bus.publish(
        'citysoc.events',
        [7, 8, 9].map((v) => ({ key: 'one', value: v })),
      );
      await until(() => done.length >= 3);
      await handlerResolved();
      expect(failures).toBe(1);
      expect(done.map((m) => m.value)).toEqual([7, 8, 9]);
      expect(await bus.lag('citysoc.events', 'g')).toBe(0);
      await sub.stop();
    });

    it('lag counts what a group has not yet committed', async () => {
      const bus = await openBus(ns('lag'));
      const sub = await bus.subscribe<number>('citysoc.signals', 'counted', async () => undefined);
      await sub.stop();
      await bus.publish(
        'citysoc.signals',
        [1, 2, 3, 4].map((v) => ({ key: 'k', value: v })),
      );
      await until(() => true);
      expect(await bus.lag('citysoc.signals', 'counted')).toBe(4);
    });
  });
}
