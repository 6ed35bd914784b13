/**
 * The embedded analytics consumers (detect with correlation, alert writer) as a process of their
 * own over a spool, a checkpoint store and an alert store in one directory, so a test can kill
 * it with SIGKILL. Prints `handled <offset>` after each batch of events the detect consumer
 * finished, and `ready` once subscribed; SIGTERM stops it cleanly.
 *
 *   tsx consumers-main.ts <dir> <checkpoint every N events>
 */
import path from 'node:path';
import { SpoolBus } from '../../../adapters/embedded/spool-bus';
import { SqliteAlertStore } from '../../../adapters/sqlite/alert-store';
import { SqliteAnalyticsCheckpointStore } from '../../../adapters/sqlite/analytics-checkpoint';
import { createLogger } from '../../../core/logging';
import type { Bus, DeliveredMessage } from '../../../core/ports/bus';
import { loadContent } from '../../engine/content';
import { getPipeline } from '../../sigma/pipelines';
import { AnalyticsCounters, startAlertWriter, startDetectConsumer } from '../consumers';

async function main(): Promise<void> {
  const [dir, every] = process.argv.slice(2);
  if (!dir || !every) throw new Error('usage: consumers-main.ts <dir> <checkpoint every N events>');
  // No compaction: the test reads what was published to citysoc.signals afterwards.
  const spool = new SpoolBus({ file: path.join(dir, 'spool.db'), pollMs: 20, batchSize: 200, compactEveryMs: 0 });
  // Tells the parent how far detection got, after each batch its handler finished.
  const bus = new Proxy(spool, {
    get(target, prop, receiver) {
      if (prop !== 'subscribe') return Reflect.get(target, prop, receiver) as unknown;
      return (topic: Parameters<Bus['subscribe']>[0], group: string, handler: (b: DeliveredMessage[]) => Promise<void>, options?: { commit: 'manual' }) =>
        target.subscribe(
          topic,
          group,
          async (batch: DeliveredMessage[]) => {
            await handler(batch);
            if (topic === 'citysoc.events') process.stdout.write(`handled ${batch[batch.length - 1]!.offset}\n`);
          },
          options as { commit: 'manual' },
        );
    },
  }) as Bus;
  const checkpoints = new SqliteAnalyticsCheckpointStore(path.join(dir, 'analytics.db'));
  const alerts = new SqliteAlertStore(path.join(dir, 'alerts.db'));
  const log = createLogger('warn');
  const counters = new AnalyticsCounters();
  const content = loadContent([path.resolve(__dirname, '../../../rules')], { pipelines: [getPipeline('citysoc')] });
  const detect = await startDetectConsumer({
    bus,
    log,
    counters,
    content: () => content,
    correlate: true,
    checkpoints,
    engine: 'embedded',
    allowedLatenessMs: 60_000,
    // Only by count, so checkpoints fall at the same events in every run and kills land between them.
    checkpointEveryMs: 3_600_000,
    checkpointEveryEvents: Number(every),
    checkpointWhenQuietMs: 3_600_000,
  });
  const writer = await startAlertWriter({ bus, alerts, log, counters });
  process.once('SIGTERM', () => {
    void (async () => {
      await detect.stop();
      await writer.stop();
      await spool.close();
      await checkpoints.close();
      process.exit(0);
    })();
  });
  process.stdout.write('ready\n');
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
