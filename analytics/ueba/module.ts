/**
 * The UEBA module: the embedded engine consuming `citysoc.events` in its own consumer group,
 * its risk crossings (and, if configured, every anomaly) published on `citysoc.signals` for the
 * alert writer, the riskyEntities / entity service over GraphQL, `citysoc simulate` on the
 * command line, and a job that closes the hours of entities gone quiet.
 */
import path from 'node:path';
import { bind } from '../../core/door';
import { defineModule, KERNEL } from '../../core/module';
import type { DeliveredMessage } from '../../core/ports';
import type { DepartmentCatalogue } from '../../identity/departments';
import type { Signal } from '../../core/signal';
import { UEBA_CONFIG_KEY, UebaConfigSchema, type UebaConfig } from './config';
import { canonicalDepartments } from './departments';
import { uebaGraphQL } from './graphql';
import { EmbeddedReadModel } from './read-model';
import { UebaRuntime } from './runtime';
import { uebaActions } from './service';
import { registerSimulate } from './simulator/cli';

/** What UEBA has done since it started: for /metrics, and for a replay's summary. */
export interface UebaCounts {
  batches: number;
  events: number;
  redelivered: number;
  signals: number;
  anomalies: number;
  failures: number;
}

function metricsText(c: UebaCounts, late: number, entities: number): string {
  const line = (name: string, help: string, value: number) => `# HELP ${name} ${help}\n# TYPE ${name} counter\n${name} ${value}\n`;
  return [
    line('citysoc_ueba_batches_total', 'Event batches UEBA committed.', c.batches),
    line('citysoc_ueba_events_total', 'Events UEBA processed.', c.events),
    line('citysoc_ueba_redelivered_total', 'Events skipped because their batch was committed before.', c.redelivered),
    line('citysoc_ueba_late_events_total', 'Events too late for their hour (not scored).', late),
    line('citysoc_ueba_anomalies_total', 'Anomalies scored.', c.anomalies),
    line('citysoc_ueba_signals_total', 'Signals published on citysoc.signals.', c.signals),
    line('citysoc_ueba_batch_failures_total', 'Batches that failed and were left to the bus to deliver again.', c.failures),
    `# HELP citysoc_ueba_entities Entities with a risk record.\n# TYPE citysoc_ueba_entities gauge\ncitysoc_ueba_entities ${entities}\n`,
  ].join('');
}

export const uebaModule = defineModule<UebaConfig>({
  name: 'ueba',
  config: { key: UEBA_CONFIG_KEY, schema: UebaConfigSchema },
  cli: registerSimulate,
  async start(ctx) {
    const cfg = ctx.config;
    const counters: UebaCounts = { batches: 0, events: 0, redelivered: 0, signals: 0, anomalies: 0, failures: 0 };
    const runtime = new UebaRuntime(cfg, {
      file: path.join(ctx.platform.dataDir, 'ueba', 'state.db'),
      publish: async (signals: readonly Signal[]) => {
        await ctx.ports.bus.publish(
          'citysoc.signals',
          signals.map((s) => ({ key: s.dedupKey, value: s })),
        );
        counters.signals += signals.length;
      },
    });
    // Batches and the idle job touch the same state: one at a time.
    let turn: Promise<unknown> = Promise.resolve();
    const serial = <T>(f: () => Promise<T>): Promise<T> => {
      const next = turn.then(f, f);
      turn = next.catch(() => undefined);
      return next;
    };
    // Departments as the catalogue names them (codes from enrichment become names), as detection does.
    const catalogue = ctx.services.has(KERNEL.identity) ? ctx.services.get<{ departments: DepartmentCatalogue }>(KERNEL.identity).departments : null;
    const prepare = (batch: DeliveredMessage<unknown>[]): DeliveredMessage<unknown>[] =>
      catalogue ? batch.map((m) => ({ ...m, value: canonicalDepartments(m.value, (d) => catalogue.find(d)?.name ?? null) })) : batch;
    await runtime.flushOutbox();
    const subscription = cfg.enabled
      ? await ctx.ports.bus.subscribe<unknown>('citysoc.events', cfg.consumerGroup, (batch) =>
          serial(async () => {
            try {
              const r = await runtime.handle('citysoc.events', prepare(batch));
              counters.batches++;
              counters.events += r.processed;
              counters.redelivered += r.skipped;
              counters.anomalies += r.anomalies.length;
            } catch (err) {
              counters.failures++;
              ctx.log.error({ err }, 'UEBA batch failed; its state was rolled back and the bus will deliver it again');
              throw err;
            }
          }),
        )
      : undefined;
    const model = new EmbeddedReadModel(() => runtime, cfg, ctx.clock);
    const svc = bind(ctx.door, uebaActions(model, cfg));
    return {
      // The group is named for the platform's idle check (UEBA's lag counts with detection's).
      services: { ...svc, consumerGroup: cfg.enabled ? cfg.consumerGroup : null, counts: (): UebaCounts => ({ ...counters }) },
      graphql: uebaGraphQL(svc),
      jobs: cfg.enabled
        ? [{ name: 'ueba.close-quiet-hours', intervalMs: 60_000, run: (now: Date) => serial(() => runtime.tick(now)).then(() => undefined) }]
        : [],
      metrics: async () => metricsText(counters, runtime.engine.counters.late, runtime.scorer.risks.size),
      async stop() {
        await subscription?.stop();
        await turn;
        runtime.close();
      },
    };
  },
});
