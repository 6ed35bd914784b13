/**
 * Moves accepted events from the bus into the event store. Events the store refuses are kept
 * as dead letters (searchable, with the reason), never dropped.
 */
import { createHash } from 'node:crypto';
import type { EcsEvent } from '../core/event';
import type { Logger } from '../core/logging';
import type { Bus, DeliveredMessage, EventStore, Subscription } from '../core/ports';

export function deadLetter(original: string, reason: string, source: string, at: Date = new Date()): EcsEvent {
  return {
    '@timestamp': at.toISOString(),
    message: original.slice(0, 32_000),
    event: { id: 'dl-' + createHash('sha256').update(source).update('\0').update(original).digest('hex').slice(0, 32), kind: 'pipeline_error', original },
    error: { message: reason, type: 'invalid_event' },
    citysoc: { dead_letter: true, source },
  } as EcsEvent;
}

export async function startIndexer(bus: Bus, store: EventStore, log: Logger): Promise<Subscription> {
  return bus.subscribe<EcsEvent>('citysoc.events', 'indexer', async (batch: DeliveredMessage<EcsEvent>[]) => {
    const result = await store.write(batch.map((m) => m.value));
    if (result.failed.length) {
      const byId = new Map(batch.map((m) => [m.value.event?.id, m.value]));
      const letters = result.failed.map((f) => deadLetter(JSON.stringify(byId.get(f.id) ?? f.id), f.reason, 'indexer'));
      const again = await store.write(letters);
      if (again.failed.length) throw new Error(`dead letters refused by the store: ${again.failed[0]!.reason}`);
      log.warn({ count: result.failed.length, first: result.failed[0] }, 'events refused by the store were kept as dead letters');
    }
  });
}
