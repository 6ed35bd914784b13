import { describeBusContract } from '../../core/contracts/bus.contract';
import { KafkaBus } from './kafka-bus';

jest.setTimeout(120_000);

describeBusContract('Kafka', {
  async open(ns) {
    return new KafkaBus({ brokers: ['127.0.0.1:9092'], prefix: `${ns}.`, partitions: 3, retryMs: 200 });
  },
});

describe('a Kafka handler that runs longer than the session timeout (10 s)', () => {
  it('stays in its group: the batch is committed once and not handed out again', async () => {
    const ns = `slow-${process.pid}-${Date.now().toString(36)}`;
    const bus = new KafkaBus({ brokers: ['127.0.0.1:9092'], prefix: `${ns}.`, partitions: 1, retryMs: 200 });
    const handled: string[] = [];
    let done = false;
    try {
      await bus.publish('citysoc.signals', [{ key: 'k', value: { n: 1 } }]);
      const sub = await bus.subscribe<{ n: number }>('citysoc.signals', 'slow', async (batch) => {
        handled.push(...batch.map((m) => m.offset));
        // Longer than the session timeout: without heartbeats the group evicts this member.
        await new Promise((r) => setTimeout(r, 14_000));
        done = true;
      });
      while (!done) await new Promise((r) => setTimeout(r, 200));
      // A rebalance and redelivery would come within the next seconds.
      await new Promise((r) => setTimeout(r, 6_000));
      expect([handled, await bus.lag('citysoc.signals', 'slow')]).toEqual([['0:0'], 0]);
      await sub.stop();
    } finally {
      await bus.close();
    }
  });
});
