/** An EventStore that counts what the indexer newly writes, for the events-out metric of the store side. */
import type { EventStore, WriteResult } from '../../core/ports';

export function countingStore(store: EventStore, onWrite: (r: WriteResult) => void): EventStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'write') {
        return async (events: Parameters<EventStore['write']>[0]) => {
          const r = await target.write(events);
          onWrite(r);
          return r;
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
