/**
 * `citysoc ingest`: replays log files through the same path as live ingest — the pipeline, the
 * durable bus, the indexer, and the same analytics consumers (detection, correlation, the alert
 * writer) — so history raises the alerts live ingest would. At the end of input the correlation
 * windows are closed (the replay is over) and the alerts raised are printed. One audit record
 * says who replayed what, with the counts.
 */
import { userInfo } from 'node:os';
import { countingStore } from '../collectors/gateway/counting-store';
import { createPipeline } from '../collectors/gateway/gateway';
import { fileInputs } from '../collectors/pipeline/file-lines';
import { Publisher } from '../collectors/pipeline/publisher';
import type { Config } from '../core/config';
import type { Alert } from '../core/alert';
import type { Logger } from '../core/logging';
import type { Subscription } from '../core/ports';
import { loadContent } from '../analytics/engine/content';
import { getPipeline } from '../analytics/sigma/pipelines';
import { AnalyticsCounters, startAlertWriter, startDetectConsumer, type DetectConsumer } from '../analytics/runtime/consumers';
import { indexerDrained, startIndexer } from '../events/indexer';
import { canonicalDepartment, DepartmentCatalogue } from '../identity/departments';
import { openIndexPreparation } from '../policy/services';
import { shippedRulesDir } from './checkout';
import { analyticsIdle } from './platform';
import { analyticsRuntime, openPorts } from './profiles';

export interface IngestOptions {
  readonly files: readonly string[];
  readonly source?: string;
  /** Replay without detection (no alerts). */
  readonly detect: boolean;
}

export async function runIngest(config: Config, log: Logger, o: IngestOptions, io: { out: (s: string) => void; err: (s: string) => void }): Promise<void> {
  const { pipeline, enrichment } = createPipeline(config, log);
  enrichment.close();
  const ports = await openPorts(config, log);
  const stored = { written: 0, duplicates: 0 };
  const counting = countingStore(ports.events, (r) => {
    stored.written += r.written;
    stored.duplicates += r.duplicates;
  });
  const departments = await DepartmentCatalogue.open(ports.state);
  const prepare = await openIndexPreparation(ports.state, config.dataDir);
  const subs: Subscription[] = [await startIndexer(ports.bus, counting, log, (e) => prepare(canonicalDepartment(e, departments)))];
  const raised = new Map<string, { alert: Alert; created: boolean }>();
  let detect: DetectConsumer | null = null;
  const runtime = analyticsRuntime(config, log);
  if (o.detect && config.detection.enabled) {
    const folders = config.detection.rules ?? [shippedRulesDir()].filter((d): d is string => d !== null);
    const content = loadContent(folders, { pipelines: [getPipeline('citysoc')] });
    const counters = new AnalyticsCounters();
    detect = await startDetectConsumer({
      bus: ports.bus,
      log,
      counters,
      content: () => content,
      // A replay correlates here only where correlation is embedded; on a cluster the Flink jobs do.
      correlate: runtime.engine === 'embedded',
      ...(runtime.engine === 'embedded' ? { checkpoints: runtime.checkpoints } : {}),
      engine: 'embedded',
      prepare: (e) => canonicalDepartment(e as { organization?: unknown }, departments) as typeof e,
    });
    subs.push(detect);
    subs.push(
      await startAlertWriter({
        bus: ports.bus,
        alerts: ports.alerts,
        log,
        counters,
        onAlert: (alert, created) => raised.set(alert.id, { alert, created: (raised.get(alert.id)?.created ?? false) || created }),
      }),
    );
  }
  const publisher = new Publisher(ports.bus, pipeline);
  let accepted = 0;
  let dead = 0;
  try {
    for (const f of o.files) {
      for await (const batch of fileInputs(f, o.source, 'cli')) {
        const r = await publisher.publish(batch);
        accepted += r.accepted;
        dead += r.deadLettered;
        r.results.forEach((x, i) => {
          if (!x.ok) io.err(`${f}:${batch[i]!.line}: ${x.error}\n`);
        });
      }
    }
    await indexerDrained(ports.bus, Number.POSITIVE_INFINITY);
    if (detect) {
      await analyticsIdle(ports, Number.POSITIVE_INFINITY);
      await detect.flush();
      await analyticsIdle(ports, Number.POSITIVE_INFINITY);
    }
    await ports.audit.append({
      actor: `cli:${userInfo().username}`,
      actorType: 'system',
      action: 'events.replay',
      resource: o.files.join(', ').slice(0, 1000),
      decision: 'success',
      reason: 'citysoc ingest',
      details: {
        accepted,
        stored: stored.written,
        alreadyPresent: stored.duplicates,
        deadLettered: dead,
        alertsRaised: [...raised.values()].filter((a) => a.created).length,
      },
    });
  } finally {
    for (const s of subs.reverse()) await s.stop();
    if (runtime.engine === 'embedded') await runtime.checkpoints.close();
    await ports.bus.close();
    await ports.events.close();
    await ports.alerts.close();
    await ports.audit.close();
    await ports.state.close();
  }
  io.out(`accepted: ${accepted}\nstored: ${stored.written + stored.duplicates} (${stored.duplicates} already present)\ndead-lettered: ${dead}\n`);
  if (o.detect) {
    const alerts = [...raised.values()].map((x) => x.alert).sort((a, b) => a.firstSeen.localeCompare(b.firstSeen));
    io.out(`alerts raised or updated: ${alerts.length}\n`);
    for (const a of alerts) {
      const who = a.entities.map((e) => `${e.type}=${e.value}`).join(' ');
      io.out(`  ${a.rule.severity.padEnd(8)} ${a.rule.name} [${a.department ?? '-'}] ${who} ×${a.count} (${a.firstSeen} … ${a.lastSeen})\n`);
    }
  }
}
