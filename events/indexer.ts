/**
 * Moves accepted events from the bus into the event store. Events the store refuses are kept
 * as dead letters (searchable, with the reason), never dropped.
 */
import type { EcsEvent } from '../core/event';
import { deadLetterEvent } from '../collectors/pipeline/dead-letter';
import type { Logger } from '../core/logging';
import type { Bus, DeliveredMessage, EventStore, Subscription } from '../core/ports';

export const INDEXER_GROUP = 'indexer';

/**
 * Resolves when the indexer group has committed everything published so far, or false after
 * `timeoutMs` (what is left stays in the bus for the next start).
 */
export async function indexerDrained(bus: Bus, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await bus.lag('citysoc.events', INDEXER_GROUP)) === 0) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * `prepare` adds what the policy needs stored beside an event (tokens and redacted free text of
 * its personal data, see policy/view.ts) before it is written.
 */
export async function startIndexer(bus: Bus, store: EventStore, log: Logger, prepare: (e: EcsEvent) => EcsEvent = (e) => e): Promise<Subscription> {
  return bus.subscribe<EcsEvent>('citysoc.events', INDEXER_GROUP, async (batch: DeliveredMessage<EcsEvent>[]) => {
    const result = await store.write(batch.map((m) => prepare(m.value)));
    if (result.failed.length) {
      const byId = new Map(batch.map((m) => [m.value.event?.id, m.value]));
      const now = new Date();
      const letters = result.failed.map((f) =>
        deadLetterEvent({
          original: JSON.stringify(byId.get(f.id) ?? f.id),
          error: f.reason,
          source: 'indexer',
          collector: 'indexer',
          receivedAt: now,
          type: 'invalid_event',
        }),
      );
      const again = await store.write(letters);
      if (again.failed.length) throw new Error(`dead letters refused by the store: ${again.failed[0]!.reason}`);
      log.warn({ count: result.failed.length, first: result.failed[0] }, 'events refused by the store were kept as dead letters');
    }
  });
}
