/**
 * Detection in the running platform: the rule folders kept loaded (and reloaded on change), a
 * Detector on every event the ingest pipeline accepts, alerts into the AlertStore, and the
 * correlation state saved so windows survive a restart.
 */
import path from 'node:path';
import { CorrelationEngine } from '../analytics/correlation/engine';
import { FileCorrelationStateStore } from '../analytics/correlation/state-store';
import { Detector } from '../analytics/detector';
import type { LoadedContent } from '../analytics/engine/content';
import { RuleRepository, type RuleSummary } from '../analytics/engine/rule-repository';
import { getPipeline } from '../analytics/sigma/pipelines';
import type { SigmaEvent } from '../analytics/sigma/backends/fieldpath';
import type { Logger } from '../core/logging';
import type { AlertStore } from '../core/ports';
import { findCheckout } from './checkout';
import { defineModule } from '../core/module';
import type { IngestGateway } from '../collectors/gateway/gateway';

export interface Detection {
  readonly onEvent: (event: SigmaEvent) => void;
  rules(): RuleSummary[];
  setEnabled(ruleId: string, enabled: boolean): Promise<void>;
  reload(): void;
  /** Resolves when every event handed over so far has been evaluated and its alerts written. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** The rules shipped with CitySOC: rules/ at the root of the checkout. */
export function shippedRulesDir(): string | null {
  const root = findCheckout('rules/ssh');
  return root && path.join(root, 'rules');
}

export async function startDetection(opts: { folders: string[]; dataDir: string; alerts: AlertStore; log: Logger }): Promise<Detection> {
  const { log } = opts;
  const stateStore = new FileCorrelationStateStore(path.join(opts.dataDir, 'correlation-state.json'));
  const build = (content: LoadedContent, previous?: CorrelationEngine) => {
    const correlations = new CorrelationEngine(content.correlations);
    if (previous) correlations.restore(previous.snapshot());
    for (const r of content.rejected) log.warn({ file: r.file, reason: r.reason }, 'rule not loaded');
    return {
      correlations,
      detector: new Detector({
        ruleSet: content.ruleSet,
        correlations,
        store: opts.alerts,
        onError: (err, event) => log.error({ err, eventId: (event as { event?: { id?: string } }).event?.id }, 'detection failed for an event; ingest goes on'),
      }),
    };
  };
  let current: ReturnType<typeof build> | null = null;
  const repository = new RuleRepository({
    folders: opts.folders,
    stateFile: path.join(opts.dataDir, 'rules-state.json'),
    pipelines: [getPipeline('citysoc')],
    onReload: (content) => {
      current = build(content, current?.correlations);
      log.info({ files: content.files.length, rejected: content.rejected.length }, 'rules reloaded');
    },
    onError: (err) => log.error({ err }, 'rules reload failed; the previous rules stay active'),
  });
  current = build(repository.current());
  const saved = await stateStore.load().catch((err: unknown) => {
    log.error({ err }, 'correlation state unreadable; windows start empty');
    return undefined;
  });
  if (saved) current.correlations.restore(saved);
  repository.watch();
  const save = () => stateStore.save(current!.correlations.snapshot()).catch((err: unknown) => log.error({ err }, 'saving correlation state failed'));
  const timer = setInterval(() => void save(), 30_000);
  timer.unref();
  log.info({ folders: opts.folders, rules: repository.list().length }, 'detection running');
  return {
    onEvent: (event) => current!.detector.onEvent(event),
    rules: () => repository.list(),
    setEnabled: (id, enabled) => repository.setEnabled(id, enabled),
    reload: () => repository.reload(),
    idle: () => current!.detector.idle(),
    async close() {
      clearInterval(timer);
      repository.close();
      await current!.detector.idle();
      await save();
    },
  };
}

/**
 * Detection as a module: until analytics run as consumers of citysoc.events, detection hooks the
 * ingest pipeline (every accepted event is evaluated after it is published).
 */
export const detectionModule = defineModule({
  name: 'detection',
  dependsOn: ['ingest'],
  async start(ctx) {
    const cfg = ctx.platform.detection;
    const folders = cfg.rules ?? [shippedRulesDir()].filter((d): d is string => d !== null);
    if (!cfg.enabled || folders.length === 0) return {};
    const detection = await startDetection({ folders, dataDir: ctx.platform.dataDir, alerts: ctx.ports.alerts, log: ctx.log });
    ctx.services.get<{ gateway: IngestGateway }>('ingest').gateway.pipeline.onEvent(detection.onEvent);
    return { services: detection, stop: () => detection.close() };
  },
});
