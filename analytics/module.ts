/**
 * The analytics module: detection content (rule folders, kept loaded and reloaded on change), the
 * detect consumer on citysoc.events, the alert writer on citysoc.signals, and — where the server
 * chose Flink — the correlation jobs on the Flink cluster. Status (consumer lag, rates, jobs) over
 * GraphQL and /metrics; rule listing and enabling through the door.
 */
import { z } from 'zod';
import { bind, defineAction } from '../core/door';
import { CitySocError } from '../core/errors';
import { defineModule, KERNEL, viaService } from '../core/module';
import type { EcsEvent } from '../core/event';
import { canonicalDepartment, type DepartmentCatalogue } from '../identity/departments';
import type { SigmaEvent } from './sigma/backends/fieldpath';
import type { AnalyticsCheckpointStore } from '../core/ports/analytics-checkpoint';
import { type FilterFile, RuleRepository } from './engine/rule-repository';
import { CompiledRuleCache } from './engine/rule-cache';
import { getPipeline } from './sigma/pipelines';
import { ALERTS_GROUP, AnalyticsCounters, DETECT_GROUP, startAlertWriter, startDetectConsumer } from './runtime/consumers';
import { FlinkCorrelationJobs, type FlinkConnection, flinkFiringSignal } from './runtime/flink-jobs';
import { correlationKey } from './correlation/engine';
import path from 'node:path';
import type { Alert } from '../core/alert';
import { RULE_FIELDS_TYPEDEFS, ruleFieldActions } from './rule-fields';

/** The pipelines CitySOC's rules are read with, on every engine (the citysoc pipeline pins each service's datasets). */
const PIPELINES = [getPipeline('citysoc')];

/** How the server runs analytics: in-process with checkpoints (embedded) or correlation on Flink (cluster). */
export type AnalyticsRuntimeChoice =
  | { readonly engine: 'embedded'; readonly checkpoints: AnalyticsCheckpointStore }
  | { readonly engine: 'flink'; readonly flink: FlinkConnection }
  /** Single-event rules only: no engine for correlation is configured. */
  | { readonly engine: 'detect-only' };

export const ANALYTICS_RUNTIME = 'analytics-runtime';
/** Where the analytics module tells of each alert written (the console's live feed subscribes). */
export const ALERT_FEED = 'alert-feed';

export interface AlertFeed {
  on(listener: (alert: Alert, created: boolean) => void): () => void;
}

export const AnalyticsConfig = z.strictObject({
  /**
   * Bounded out-of-orderness of event time: the correlation watermark is the newest event time
   * minus this. An event behind it still counts while a window it belongs to is open.
   */
  allowedLatenessSeconds: z.coerce.number().int().min(0).max(86_400).default(60),
  /** Embedded correlation: windows checkpointed (and the bus offsets they cover committed) this often, or after this many events. */
  checkpointSeconds: z.coerce.number().min(0.1).max(3_600).default(5),
  checkpointEvents: z.coerce.number().int().min(1).max(10_000_000).default(50_000),
  /** Embedded correlation: entries all windows may hold together; the oldest go first beyond it (counted, logged). */
  maxWindowEntries: z.coerce.number().int().min(1_000).max(100_000_000).default(2_000_000),
  /** Repeats of one rule and group within this time fold into one alert. */
  suppressionMinutes: z.coerce.number().int().min(0).max(10_080).default(60),
});
export type AnalyticsConfig = z.infer<typeof AnalyticsConfig>;

export const analyticsModule = defineModule<AnalyticsConfig>({
  name: 'analytics',
  dependsOn: [ANALYTICS_RUNTIME, 'rules-folders'],
  config: { key: 'analytics', schema: AnalyticsConfig },
  async start(ctx) {
    const runtime = ctx.services.get<AnalyticsRuntimeChoice>(ANALYTICS_RUNTIME);
    const folders = ctx.services.get<readonly string[]>('rules-folders');
    const departments = ctx.services.has(KERNEL.identity) ? ctx.services.get<{ departments: DepartmentCatalogue }>(KERNEL.identity).departments : null;
    const counters = new AnalyticsCounters();
    const listeners = new Set<(a: Alert, created: boolean) => void>();
    const feed: AlertFeed = {
      on(l) {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    };
    const enabled = ctx.platform.detection.enabled && folders.length > 0;
    // What the detect stage does to each event before matching; testRule does the same.
    const prepare = (e: SigmaEvent): SigmaEvent => (departments ? (canonicalDepartment(e as EcsEvent, departments) as SigmaEvent) : e);
    // Rule exceptions made in the platform live here, beside (never inside) the shipped rules.
    const userRules = path.resolve(ctx.platform.detection.userRules ?? path.join(ctx.platform.dataDir, 'user-rules'));
    // Bound once the consumers exist; the repository is created first (the consumers read it).
    let onReload = (): void => undefined;
    const repository = enabled
      ? new RuleRepository({
          folders: [...folders],
          writable: userRules,
          stateFile: path.join(ctx.platform.dataDir, 'rules-state.json'),
          pipelines: PIPELINES,
          // compiled rules kept between starts (authenticated packs in the data directory)
          cache: new CompiledRuleCache({ dir: path.join(ctx.platform.dataDir, 'rule-cache'), onWarning: (m) => ctx.log.warn(m) }),
          onReload: () => onReload(),
          onError: (err) => ctx.log.error({ err }, 'rules reload failed; the previous rules stay active'),
        })
      : null;
    for (const r of repository?.current().rejected ?? []) ctx.log.warn({ file: r.file, reason: r.reason }, 'rule not loaded');
    const detect = repository
      ? await startDetectConsumer({
          bus: ctx.ports.bus,
          log: ctx.log,
          counters,
          content: () => repository.current(),
          correlate: runtime.engine === 'embedded',
          ...(runtime.engine === 'embedded' ? { checkpoints: runtime.checkpoints } : {}),
          // Single-event rules always run in CitySOC's own consumers, whatever engine correlates.
          engine: 'embedded',
          ...(departments ? { prepare } : {}),
          allowedLatenessMs: ctx.config.allowedLatenessSeconds * 1000,
          checkpointEveryMs: ctx.config.checkpointSeconds * 1000,
          checkpointEveryEvents: ctx.config.checkpointEvents,
          maxWindowEntries: ctx.config.maxWindowEntries,
        })
      : null;
    const jobs = repository && runtime.engine === 'flink' ? new FlinkCorrelationJobs(runtime.flink, ctx.log, PIPELINES) : null;
    if (jobs && repository) await jobs.sync(repository.current());
    if (repository) {
      onReload = () => {
        detect?.reload();
        if (jobs) void jobs.sync(repository.current()).catch((err: unknown) => ctx.log.error({ err }, 'Flink jobs not brought in line with the rules'));
      };
      repository.watch();
    }
    const writer = await startAlertWriter({
      bus: ctx.ports.bus,
      alerts: ctx.ports.alerts,
      log: ctx.log,
      counters,
      suppressionMs: ctx.config.suppressionMinutes * 60_000,
      fromFlink: (f) => {
        const sig = flinkFiringSignal(
          f,
          repository?.current().correlations.find((c) => correlationKey(c) === f.rule_id),
        );
        // The job reads events as collectors tagged them: department codes become names here.
        return departments ? { ...sig, departments: [...new Set(sig.departments.map((d) => departments.find(d)?.name ?? d))].sort() } : sig;
      },
      onAlert: (a, created) => {
        for (const l of listeners) l(a, created);
      },
    });

    const status = async () => ({
      engine: runtime.engine,
      rules: repository ? repository.list().filter((r) => r.enabled).length : 0,
      lag: [
        { group: DETECT_GROUP, topic: 'citysoc.events', messages: await ctx.ports.bus.lag('citysoc.events', DETECT_GROUP) },
        { group: ALERTS_GROUP, topic: 'citysoc.signals', messages: await ctx.ports.bus.lag('citysoc.signals', ALERTS_GROUP) },
      ],
      events: counters.events,
      signals: counters.signals,
      alertsChanged: counters.alertsChanged,
      redeliveredSkipped: counters.skippedRedelivered,
      failures: counters.failures,
      lateEvents: counters.lateEvents,
      windowEntries: counters.windowEntries,
      evictedEntries: counters.evictedEntries,
      checkpoints: { count: counters.checkpoints, totalMs: counters.checkpointMs, maxMs: counters.checkpointMaxMs, lastSize: counters.checkpointBytes },
      jobs: jobs ? await jobs.status() : [],
    });
    const svc = bind(ctx.door, {
      ...ruleFieldActions({ repository: () => repository, prepare, maxDepth: ctx.platform.ingest.maxJsonDepth }),
      status: defineAction({ name: 'analytics.status', permission: 'analytics:read', run: async (_ctx, _i: object) => status() }),
      rules: defineAction({ name: 'rules.list', permission: 'rules:read', run: async (_ctx, _i: object) => repository?.list() ?? [] }),
      setRuleEnabled: defineAction({
        name: 'rules.set_enabled',
        permission: 'rules:manage',
        resource: (i: { id: string; enabled: boolean }) => `rule:${i.id}`,
        details: (i: { id: string; enabled: boolean }) => ({ enabled: i.enabled }),
        run: async (_ctx, i: { id: string; enabled: boolean }) => {
          if (!repository) throw new CitySocError('UNAVAILABLE', 'detection is turned off (detection.enabled)');
          if (!repository.list().some((r) => r.id === i.id)) throw new CitySocError('NOT_FOUND', `no rule ${i.id}`);
          await repository.setEnabled(i.id, i.enabled);
          return repository.list().find((r) => r.id === i.id)!;
        },
      }),
    });
    /** The rule repository's filter writer (cases' rule exceptions): answers the file relative to the data directory when it is inside it. */
    const exceptions = {
      addFilter: async (filter: FilterFile): Promise<{ file: string }> => {
        if (!repository) throw new CitySocError('UNAVAILABLE', 'detection is turned off (detection.enabled)');
        const { file } = repository.addFilter(filter);
        const rel = path.relative(path.resolve(ctx.platform.dataDir), file);
        return { file: rel.startsWith('..') || path.isAbsolute(rel) ? file : rel };
      },
    };
    return {
      services: { svc, feed, exceptions, flush: async () => (detect ? detect.flush() : 0), status, counters },
      graphql: {
        typeDefs: ANALYTICS_TYPEDEFS + RULE_FIELDS_TYPEDEFS,
        resolvers: {
          Query: {
            analyticsStatus: viaService(svc.status, () => ({})),
            rules: viaService(svc.rules, () => ({})),
            ruleSource: viaService(svc.ruleSource, (a) => ({ id: a.id as string })),
            testRule: viaService(svc.testRule, (a) => ({ id: a.id as string, event: a.event })),
          },
          Mutation: { setRuleEnabled: viaService(svc.setRuleEnabled, (a) => ({ id: a.id as string, enabled: a.enabled as boolean })) },
        },
      },
      metrics: async () => {
        const s = await status();
        const lines = [
          '# HELP citysoc_analytics_lag_messages Messages published but not yet committed by an analytics consumer group.',
          '# TYPE citysoc_analytics_lag_messages gauge',
          ...s.lag.map((l) => `citysoc_analytics_lag_messages{group="${l.group}",topic="${l.topic}"} ${l.messages}`),
          '# HELP citysoc_analytics_events_total Events evaluated by the detect consumer.',
          '# TYPE citysoc_analytics_events_total counter',
          `citysoc_analytics_events_total ${s.events}`,
          '# HELP citysoc_analytics_signals_total Signals published to citysoc.signals.',
          '# TYPE citysoc_analytics_signals_total counter',
          `citysoc_analytics_signals_total ${s.signals}`,
          '# HELP citysoc_analytics_alerts_changed_total Alerts created or changed by the alert writer.',
          '# TYPE citysoc_analytics_alerts_changed_total counter',
          `citysoc_analytics_alerts_changed_total ${s.alertsChanged}`,
          '# HELP citysoc_analytics_late_events_total Events that came after every correlation window they belong to had closed (logged; stored, not counted in windows).',
          '# TYPE citysoc_analytics_late_events_total counter',
          `citysoc_analytics_late_events_total ${s.lateEvents}`,
          '# HELP citysoc_analytics_window_entries Entries held in embedded correlation windows (bounded).',
          '# TYPE citysoc_analytics_window_entries gauge',
          `citysoc_analytics_window_entries ${s.windowEntries}`,
          '# HELP citysoc_analytics_evicted_entries_total Window entries dropped by the memory bound (logged).',
          '# TYPE citysoc_analytics_evicted_entries_total counter',
          `citysoc_analytics_evicted_entries_total ${s.evictedEntries}`,
          '# HELP citysoc_analytics_checkpoints_total Correlation checkpoints written.',
          '# TYPE citysoc_analytics_checkpoints_total counter',
          `citysoc_analytics_checkpoints_total ${s.checkpoints.count}`,
          '# HELP citysoc_analytics_checkpoint_seconds_total Time spent writing correlation checkpoints.',
          '# TYPE citysoc_analytics_checkpoint_seconds_total counter',
          `citysoc_analytics_checkpoint_seconds_total ${(s.checkpoints.totalMs / 1000).toFixed(3)}`,
          '# HELP citysoc_analytics_failures_total Events or signals analytics could not evaluate (logged).',
          '# TYPE citysoc_analytics_failures_total counter',
          `citysoc_analytics_failures_total ${s.failures}`,
          '# HELP citysoc_flink_job_running Correlation jobs on Flink: 1 while running.',
          '# TYPE citysoc_flink_job_running gauge',
          ...s.jobs.map((j) => `citysoc_flink_job_running{rule="${j.rule.replace(/["\\\n]/g, '_')}",state="${j.state}"} ${j.state === 'RUNNING' ? 1 : 0}`),
        ];
        return `${lines.join('\n')}\n`;
      },
      async stop() {
        repository?.close();
        await detect?.stop();
        await writer.stop();
        await jobs?.close();
        if (runtime.engine === 'embedded') await runtime.checkpoints.close();
      },
    };
  },
});

const ANALYTICS_TYPEDEFS = /* GraphQL */ `
  "How far a consumer group is behind its topic."
  type ConsumerLag {
    group: String!
    topic: String!
    messages: Int!
  }
  "A correlation job on the Flink cluster."
  type FlinkJobStatus {
    rule: String!
    "RUNNING, FAILED, CANCELED, … or MISSING when no job runs for the rule."
    state: String!
    jobId: String
    "The Flink error of a failed job."
    error: String
  }
  "Where analytics stand: the engine, rules in force, lag, what went through, Flink jobs."
  type AnalyticsStatus {
    "embedded (in-process consumers) or flink (correlation on the Flink cluster)."
    engine: String!
    rules: Int!
    lag: [ConsumerLag!]!
    events: Int!
    signals: Int!
    alertsChanged: Int!
    redeliveredSkipped: Int!
    failures: Int!
    "Events that came after every correlation window they belong to had closed: stored and searchable, not counted in windows."
    lateEvents: Int!
    jobs: [FlinkJobStatus!]!
  }
  "A detection rule, a correlation or a filter of the loaded rule folders."
  type RuleSummary {
    id: String!
    title: String!
    "rule, correlation or filter."
    kind: String!
    enabled: Boolean!
    file: String
  }
  extend type Query {
    "Consumer lag, rates and Flink job states of analytics."
    analyticsStatus: AnalyticsStatus!
    "Every rule in the loaded folders with its enabled flag."
    rules: [RuleSummary!]!
  }
  extend type Mutation {
    "Enables or disables a rule; the running consumers (and Flink jobs) follow at once."
    setRuleEnabled(id: String!, enabled: Boolean!): RuleSummary!
  }
`;
