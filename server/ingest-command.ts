/**
 * `citysoc ingest`: replays log files through the same path as live ingest — the pipeline, the
 * durable bus, the indexer, and the platform's own analytics modules (detection, correlation,
 * the alert writer, UEBA), each subscribed to the bus before the first event is published so
 * none of them misses one. Several files are merged by event time, as collectors shipping them
 * live would deliver them. At the end of input the correlation windows are closed (the replay is
 * over); UEBA's open hours stay open, as on the running platform, and close when later events
 * pass them. One audit record says who replayed what, with the counts, and the counts are checked
 * to add up.
 */
import { userInfo } from 'node:os';
import { countingStore } from '../collectors/gateway/counting-store';
import { createPipeline } from '../collectors/gateway/gateway';
import { IdLedger } from '../collectors/pipeline/id-ledger';
import { Publisher } from '../collectors/pipeline/publisher';
import { timeOrderedLines, type ReadLine } from '../collectors/pipeline/time-ordered';
import type { Config } from '../core/config';
import type { Alert } from '../core/alert';
import type { Logger } from '../core/logging';
import { KERNEL, type CitySocModule } from '../core/module';
import type { Subscription } from '../core/ports';
import { analyticsModule, ANALYTICS_RUNTIME, type AlertFeed } from '../analytics/module';
import { DETECT_GROUP } from '../analytics/runtime/consumers';
import { uebaModule } from '../analytics/ueba/module';
import type { UebaCounts } from '../analytics/ueba/module';
import { canonicalDepartment } from '../identity/departments';
import { indexerDrained, startIndexer } from '../events/indexer';
import { shippedRulesDir } from './checkout';
import { openKernel } from './kernel';
import { Registry, startModules, type RunningModules } from './modules';
import { analyticsIdle } from './platform';
import { analyticsRuntime, openPorts } from './profiles';

export interface IngestOptions {
  readonly files: readonly string[];
  readonly source?: string;
  /** Replay without analytics (no alerts, no UEBA). */
  readonly detect: boolean;
  /** Told every `progressEvery` lines read, and at the end. */
  readonly progress?: (read: number) => void;
  readonly progressEvery?: number;
}

/** What a replay did; `read` = `accepted` + `deadLettered`, and every line read is in the store. */
export interface IngestSummary {
  readonly read: number;
  readonly accepted: number;
  readonly deadLettered: number;
  /** Events in the store: written now, and already present (a replay of the same lines: not published again). */
  readonly stored: number;
  readonly alreadyPresent: number;
  /** Alerts this replay created or changed, oldest first. */
  readonly alerts: readonly Alert[];
  readonly alertsCreated: number;
  /** UEBA: events it processed, anomalies it scored, risk signals it published. */
  readonly ueba: UebaCounts | null;
}

const BATCH = 1000;

/** Analytics as the platform runs it: the same modules, started in the same order. */
const ANALYTICS_MODULES = [analyticsModule, uebaModule] as CitySocModule<unknown>[];

export async function runIngest(
  config: Config,
  log: Logger,
  o: IngestOptions,
  io: { out: (s: string) => void; err: (s: string) => void },
): Promise<IngestSummary> {
  const { pipeline, enrichment } = createPipeline(config, log);
  enrichment.close();
  const ports = await openPorts(config, log);
  // `repeats`: lines whose event is already stored or already sent in this replay (same id, same
  // content). Like the gateway, the replay does not publish them again, so no consumer (UEBA's
  // hour counts, correlation windows, alert counts) sees an event twice.
  const stored = { written: 0, duplicates: 0, repeats: 0 };
  const counting = countingStore(ports.events, (r) => {
    stored.written += r.written;
    stored.duplicates += r.duplicates;
  });
  const raised = new Map<string, { alert: Alert; created: boolean }>();
  const subs: Subscription[] = [];
  let modules: RunningModules | null = null;
  let kernel: Awaited<ReturnType<typeof openKernel>> | null = null;
  let accepted = 0;
  let dead = 0;
  let ueba: UebaCounts | null = null;
  try {
    kernel = await openKernel(config, ports, log, { listen: false });
    const k = kernel;
    subs.push(await startIndexer(ports.bus, counting, log, (e) => k.policy.prepareForIndex(canonicalDepartment(e, k.departments))));
    const folders = config.detection.rules ?? [shippedRulesDir()].filter((d): d is string => d !== null);
    if (o.detect) {
      const registry = new Registry();
      registry.set(KERNEL.identity, { store: k.identity, departments: k.departments });
      registry.set(KERNEL.policy, k.policy);
      registry.set(ANALYTICS_RUNTIME, analyticsRuntime(config, log));
      registry.set('rules-folders', folders);
      modules = await startModules(
        ANALYTICS_MODULES,
        { platform: config, log, ports, door: k.door, clock: () => new Date() },
        registry,
        config as unknown as Record<string, unknown>,
        log,
      );
      registry
        .get<{ feed: AlertFeed }>('analytics')
        .feed.on((alert, created) => raised.set(alert.id, { alert, created: (raised.get(alert.id)?.created ?? false) || created }));
      // Everything is subscribed before the first event is published: no consumer misses one.
      const groups = [
        ...(config.detection.enabled && folders.length > 0 ? [DETECT_GROUP] : []),
        ...[registry.get<{ consumerGroup: string | null }>('ueba').consumerGroup].filter((g): g is string => g !== null),
      ];
      await publishFiles();
      await indexerDrained(ports.bus, Number.POSITIVE_INFINITY);
      await analyticsIdle(ports, Number.POSITIVE_INFINITY, groups);
      await registry.get<{ flush: () => Promise<number> }>('analytics').flush();
      await analyticsIdle(ports, Number.POSITIVE_INFINITY, groups);
      ueba = registry.get<{ counts: () => UebaCounts }>('ueba').counts();
    } else {
      await publishFiles();
      await indexerDrained(ports.bus, Number.POSITIVE_INFINITY);
    }
    await ports.audit.append({
      actor: `cli:${userInfo().username}`,
      actorType: 'system',
      action: 'events.replay',
      resource: o.files.join(', ').slice(0, 1000),
      decision: 'success',
      reason: 'citysoc ingest',
      details: {
        read: accepted + dead,
        accepted,
        stored: stored.written,
        alreadyPresent: stored.duplicates + stored.repeats,
        deadLettered: dead,
        alertsRaised: [...raised.values()].filter((a) => a.created).length,
        ...(ueba ? { uebaAnomalies: ueba.anomalies } : {}),
      },
    });
  } finally {
    await modules?.stop();
    for (const s of subs.reverse()) await s.stop();
    await kernel?.close();
    await ports.bus.close();
    await ports.events.close();
    await ports.alerts.close();
    await ports.cases.close();
    await ports.audit.close();
    await ports.state.close();
  }

  async function publishFiles(): Promise<void> {
    const publisher = new Publisher(ports.bus, pipeline);
    const ledger = new IdLedger(config.ingest.recentIds, ports.events);
    const every = o.progressEvery ?? 10_000;
    let batch: ReadLine[] = [];
    const flush = async () => {
      const results = batch.map((b) => b.result);
      const decisions = await ledger.decide(results);
      await publisher.publishResults(results.filter((_, i) => decisions[i]!.kind !== 'repeat'));
      for (const d of decisions) if (d.kind === 'repeat') stored.repeats++;
      for (const b of batch) {
        if (b.result.ok) accepted++;
        else {
          dead++;
          io.err(`${b.file}:${b.line}: ${b.result.error}\n`);
        }
        if ((accepted + dead) % every === 0) o.progress?.(accepted + dead);
      }
      batch = [];
    };
    for await (const l of timeOrderedLines(
      o.files.map((file) => ({ file, source: o.source })),
      'cli',
      pipeline,
    )) {
      batch.push(l);
      if (batch.length >= BATCH) await flush();
    }
    await flush();
    o.progress?.(accepted + dead);
  }

  const alerts = [...raised.values()].map((x) => x.alert).sort((a, b) => a.firstSeen.localeCompare(b.firstSeen));
  return {
    read: accepted + dead,
    accepted,
    deadLettered: dead,
    stored: stored.written + stored.duplicates + stored.repeats,
    alreadyPresent: stored.duplicates + stored.repeats,
    alerts,
    alertsCreated: [...raised.values()].filter((a) => a.created).length,
    ueba,
  };
}

/** The summary as `citysoc ingest` prints it; false when the counts do not add up. */
export function printIngestSummary(s: IngestSummary, detect: boolean, out: (s: string) => void): boolean {
  out(
    `read: ${s.read}\naccepted: ${s.accepted}\ndead-lettered: ${s.deadLettered}\nstored: ${s.stored} (${s.alreadyPresent} already present; dead letters are kept searchable)\n`,
  );
  const adds = s.read === s.accepted + s.deadLettered && s.stored === s.read;
  if (!adds) out(`counts do not add up: ${s.read} read, ${s.accepted} accepted + ${s.deadLettered} dead-lettered, ${s.stored} in the store\n`);
  if (!detect) return adds;
  if (s.ueba) out(`UEBA: ${s.ueba.events} events processed, ${s.ueba.anomalies} anomalies scored, ${s.ueba.signals} risk signals\n`);
  out(`alerts raised or updated: ${s.alerts.length} (${s.alertsCreated} new)\n`);
  for (const a of s.alerts) {
    const who = a.entities.map((e) => `${e.type}=${e.value}`).join(' ');
    out(`  ${a.rule.severity.padEnd(8)} ${a.rule.name} [${a.department ?? '-'}] ${who} ×${a.count} (${a.firstSeen} … ${a.lastSeen})\n`);
  }
  return adds;
}
