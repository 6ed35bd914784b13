/** The search engines' own `_bulk`, the yardstick CitySOC's stores are measured against. */
import { Client as EsClient } from '@elastic/elasticsearch';
import { Client as OsClient } from '@opensearch-project/opensearch';
import { eventMappings } from '../adapters/search/mappings';
import type { EcsEvent } from '../core/event';

async function timed(f: () => Promise<void>): Promise<number> {
  const t = performance.now();
  await f();
  return (performance.now() - t) / 1000;
}

/** The engine's own _bulk with the same client, batch size and mappings, into a fresh index. */
export async function directBulk(kind: 'elasticsearch' | 'opensearch', url: string, batches: EcsEvent[][], index: string): Promise<number> {
  const settings = { number_of_shards: 1, number_of_replicas: 0 };
  if (kind === 'elasticsearch') {
    const c = new EsClient({ node: url });
    await c.indices.create({ index, settings, mappings: eventMappings() as never });
    const secs = await timed(async () => {
      for (const b of batches) await c.bulk({ operations: b.flatMap((e) => [{ index: { _index: index, _id: e.event.id } }, e]) });
    });
    await c.indices.delete({ index });
    await c.close();
    return secs;
  }
  const c = new OsClient({ node: url });
  await c.indices.create({ index, body: { settings, mappings: eventMappings() as never } });
  const secs = await timed(async () => {
    for (const b of batches) await c.bulk({ body: b.flatMap((e) => [{ index: { _index: index, _id: e.event.id } }, e]) as never });
  });
  await c.indices.delete({ index });
  await c.close();
  return secs;
}
