/**
 * Correlation on the Flink cluster (the cluster profile): the enabled correlation rules run as one
 * streaming job submitted through the SQL Gateway, reading citysoc.events from Kafka (event time
 * from @timestamp, a watermark of the allowed lateness) and writing their firings to
 * citysoc.signals, where the alert writer turns them into signals and alerts (flinkFiringSignal).
 *
 * sync() is idempotent: the job is named after a hash of every rule's content and of this
 * compiler, so a job already running for the same rules is left alone, and a changed, added or
 * disabled rule replaces it. Jobs are found by name on the JobManager, so replicas starting
 * together and restarts converge to one job.
 */
import { createHash } from 'node:crypto';
import type { Logger } from '../../core/logging';
import { type Signal, signalId } from '../../core/signal';
import { alertTags, entitiesOf, riskScore, severityOf } from '../alerts';
import { correlationKey } from '../correlation/engine';
import { compileCorrelationToFlink } from '../correlation/flink';
import { FlinkSqlBackend, jsonValueField } from '../sigma/backends/flink';
import type { ProcessingPipeline } from '../sigma/pipeline';
import type { LoadedContent } from '../engine/content';
import { FlinkRestClient, ident, literal, SqlGatewayClient, withOptions } from '../flink';
import type { SigmaCorrelationRule } from '../sigma/model';

export interface FlinkConnection {
  readonly gatewayUrl: string;
  readonly restUrl: string;
  readonly brokers: readonly string[];
  /** Kafka topic prefix of the platform's topics (cluster.topicPrefix). */
  readonly topicPrefix: string;
  /** Names this platform's jobs and consumer groups apart from other deployments (cluster.indexPrefix). */
  readonly name: string;
  readonly allowedLatenessSeconds: number;
}

/** Bumped when the SQL this file generates changes: every job is then replaced. */
const COMPILER_VERSION = '1';

/** A firing as the Flink job writes it to citysoc.signals. */
export interface FlinkFiring {
  readonly kind: 'flink-correlation';
  readonly rule_id: string;
  readonly rule_version: string;
  readonly job: string;
  readonly group_key: string;
  readonly group_json: string;
  readonly window_start: string;
  readonly window_end: string;
  readonly sigma_value: number;
  readonly sigma_events: number;
  readonly sigma_departments: string | null;
  readonly sigma_event_ids: string | null;
}

export function isFlinkFiring(v: unknown): v is FlinkFiring {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'flink-correlation';
}

export interface JobStatus {
  readonly rule: string;
  readonly state: string;
  readonly jobId: string | null;
  readonly error: string | null;
}

function versionOf(rule: SigmaCorrelationRule, content: LoadedContent): string {
  // The correlation and the rules it reads: a change to either is a new version.
  const refs = rule.rules.map((r) => content.ruleSet.rules().find((x) => x.id === r || x.name === r));
  return createHash('sha256').update(COMPILER_VERSION).update(JSON.stringify(rule)).update(JSON.stringify(refs)).digest('hex').slice(0, 12);
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 60);

/** The firing as a signal, with the rule's own metadata (title, level, tags) from the loaded content. */
export function flinkFiringSignal(f: FlinkFiring, rule: SigmaCorrelationRule | undefined): Signal {
  const group = JSON.parse(f.group_json) as Record<string, string>;
  const entities = entitiesOf({ ...group });
  const eventIds = (f.sigma_event_ids ?? '').split(',').filter((x) => x !== '');
  const departments = [...new Set((f.sigma_departments ?? '').split(',').filter((x) => x !== ''))].sort();
  const level = rule?.level;
  return {
    id: signalId('flink-correlation', f.rule_id, f.group_key, f.window_start, f.window_end),
    rule: {
      id: f.rule_id,
      name: rule?.title ?? f.rule_id,
      type: 'correlation',
      severity: severityOf(level),
      tags: alertTags(rule?.tags ?? []),
      version: f.rule_version,
    },
    time: f.window_end,
    firstSeen: f.window_start,
    lastSeen: f.window_end,
    dedupKey: `${f.rule_id}|${f.group_key}`,
    entities,
    departments,
    eventIds: [...new Set(eventIds)].slice(0, 1000),
    count: Math.max(1, Math.round(f.sigma_events)),
    risk: riskScore(level, f.sigma_events),
    reason: { group, value: f.sigma_value, type: rule?.type ?? 'correlation' },
    provenance: { engine: 'flink', job: f.job },
  };
}

export class FlinkCorrelationJobs {
  private readonly gateway: SqlGatewayClient;
  private readonly rest: FlinkRestClient;
  /** Rule key → version, of the rules the current job runs. */
  private rules = new Map<string, string>();
  private jobName: string | null = null;
  private errors = new Map<string, string>();
  private syncing: Promise<void> = Promise.resolve();

  /** Converts the rules a correlation counts with the same pipelines the embedded rule set applies (their logsource conditions). */
  private readonly backend: FlinkSqlBackend;

  constructor(
    private readonly conn: FlinkConnection,
    private readonly log: Logger,
    pipelines: readonly ProcessingPipeline[] = [],
  ) {
    this.backend = new FlinkSqlBackend({ field: jsonValueField, pipelines });
    this.gateway = new SqlGatewayClient({ url: conn.gatewayUrl });
    this.rest = new FlinkRestClient({ url: conn.restUrl });
  }

  private get jobPrefix(): string {
    return `citysoc-${safe(this.conn.name)}-correlations-`;
  }

  /** Brings the job in line with the enabled correlation rules (serialised). */
  sync(content: LoadedContent): Promise<void> {
    const run = this.syncing.then(() => this.syncNow(content));
    this.syncing = run.catch(() => undefined);
    return run;
  }

  private async syncNow(content: LoadedContent): Promise<void> {
    // Every rule this engine can run, with its version; rules it cannot are reported, not run.
    const rules = new Map<string, { rule: SigmaCorrelationRule; version: string }>();
    for (const rule of content.correlations) {
      const key = correlationKey(rule);
      if (rule.type === 'temporal_ordered' || rule.type === 'value_percentile') {
        this.errors.set(key, `${rule.type} correlations run only in the embedded engine`);
        continue;
      }
      rules.set(key, { rule, version: versionOf(rule, content) });
    }
    const setVersion = createHash('sha256')
      .update(
        [...rules]
          .map(([k, v]) => `${k}=${v.version}`)
          .sort()
          .join(','),
      )
      .digest('hex')
      .slice(0, 12);
    const name = `${this.jobPrefix}${setVersion}`;
    const jobs = (await this.rest.jobs()).filter((j) => j.name.startsWith(this.jobPrefix));
    const live = jobs.filter((j) => ['RUNNING', 'CREATED', 'INITIALIZING', 'RESTARTING'].includes(j.state));
    for (const j of live) {
      if (j.name === name) continue;
      this.log.info({ job: j.name, jobId: j.jid }, 'cancelling the correlation job of an earlier rule set');
      await this.rest.cancelJob(j.jid).catch((err: unknown) => this.log.error({ err, job: j.name }, 'cancelling a Flink job failed'));
    }
    this.rules = new Map([...rules].map(([k, v]) => [k, v.version]));
    this.jobName = rules.size > 0 ? name : null;
    if (rules.size === 0 || live.some((j) => j.name === name)) return;
    try {
      await this.submit(
        name,
        [...rules.values()].map((r) => r.rule),
        content,
      );
      for (const k of rules.keys()) this.errors.delete(k);
    } catch (err) {
      for (const k of rules.keys()) this.errors.set(k, (err as Error).message);
      this.log.error({ err, job: name }, 'the correlation job could not be submitted to Flink');
    }
  }

  /**
   * One job for every rule: a statement set whose operators share one task slot, where a job per
   * rule would need a slot per rule. A changed rule set is a new job (the old one is cancelled);
   * its consumer group is new too, so it re-reads what Kafka retains: the firings it repeats have
   * the ids of the earlier ones and are folded once.
   */
  private async submit(name: string, rules: SigmaCorrelationRule[], content: LoadedContent): Promise<void> {
    const s = await this.gateway.openSession({
      name,
      properties: {
        'execution.runtime-mode': 'streaming',
        'table.local-time-zone': 'UTC',
        // A Kafka partition without events must not hold the watermark (and every window) back.
        'table.exec.source.idle-timeout': '10 s',
        // Kafka offsets and window state in checkpoints: a restarted job neither loses nor re-counts.
        'execution.checkpointing.interval': '5 s',
        'restart-strategy.type': 'fixed-delay',
        'restart-strategy.fixed-delay.attempts': '2147483647',
        'restart-strategy.fixed-delay.delay': '2 s',
        'pipeline.name': name,
      },
      heartbeatIntervalMs: 0,
    });
    try {
      const topic = (t: string) => `${this.conn.topicPrefix}${t}`;
      const timeExpr = "TO_TIMESTAMP(REPLACE(REPLACE(JSON_VALUE(doc, '$[''@timestamp'']'), 'T', ' '), 'Z', ''))";
      await s.execute(
        `CREATE TEMPORARY TABLE events_src (doc STRING, ts AS ${timeExpr}, WATERMARK FOR ts AS ts - INTERVAL '${this.conn.allowedLatenessSeconds}' SECOND) ${withOptions(
          {
            connector: 'kafka',
            topic: topic('citysoc.events'),
            'properties.bootstrap.servers': this.conn.brokers.join(','),
            'properties.group.id': name,
            'scan.startup.mode': 'group-offsets',
            'properties.auto.offset.reset': 'earliest',
            // The platform's messages are JSON documents; the whole of one is the doc column.
            format: 'raw',
          },
        )}`,
        { timeoutMs: 30_000 },
      );
      await s.execute(
        `CREATE TEMPORARY TABLE signals_sink (kind STRING, rule_id STRING, rule_version STRING, job STRING, group_key STRING, group_json STRING, window_start STRING, window_end STRING, sigma_value DOUBLE, sigma_events BIGINT, sigma_departments STRING, sigma_event_ids STRING) ${withOptions(
          {
            connector: 'kafka',
            topic: topic('citysoc.signals'),
            'properties.bootstrap.servers': this.conn.brokers.join(','),
            format: 'json',
            // At least once; the alert writer folds a signal id once, so a replayed firing counts once.
            'sink.delivery-guarantee': 'at-least-once',
          },
        )}`,
        { timeoutMs: 30_000 },
      );
      const resolve = (ref: string) => {
        const r = content.ruleSet.rules().find((x) => x.name === ref || x.id === ref);
        if (r) return { kind: 'rule' as const, rule: r };
        const c = content.correlations.find((x) => x.name === ref || x.id === ref);
        return c ? { kind: 'correlation' as const, rule: c } : undefined;
      };
      const iso = (c: string) => `DATE_FORMAT(${c}, 'yyyy-MM-dd''T''HH:mm:ss.SSS''Z''')`;
      const views = new Set<string>();
      const inserts: string[] = [];
      for (const rule of rules) {
        const job = compileCorrelationToFlink(rule, resolve, {
          table: 'events_src',
          timeColumn: 'ts',
          backend: this.backend,
          carry: { department: 'organization.name', eventId: 'event.id' },
        });
        // A correlation two rules chain on is defined once.
        for (const view of job.statements.slice(0, -1)) {
          if (views.has(view)) continue;
          views.add(view);
          await s.execute(view, { timeoutMs: 30_000 });
        }
        const groups = rule.groupBy.map((g) => ident(g));
        const groupKey = groups.length ? `CONCAT_WS(${literal('\u001f')}, ${groups.map((g) => `COALESCE(CAST(${g} AS STRING), '')`).join(', ')})` : "''";
        const groupJson = groups.length ? `JSON_OBJECT(${rule.groupBy.map((g) => `${literal(g)} VALUE CAST(${ident(g)} AS STRING)`).join(', ')})` : "'{}'";
        inserts.push(
          `INSERT INTO signals_sink SELECT 'flink-correlation', ${literal(correlationKey(rule))}, ${literal(versionOf(rule, content))}, ${literal(name)}, ${groupKey}, ${groupJson}, ${iso('window_start')}, ${iso('window_end')}, CAST(sigma_value AS DOUBLE), sigma_events, sigma_departments, sigma_event_ids FROM (${job.statements.at(-1)!});`,
        );
      }
      const set = await s.execute(`EXECUTE STATEMENT SET BEGIN\n${inserts.join('\n')}\nEND`, { timeoutMs: 120_000 });
      if (!set.jobId) throw new Error('Flink accepted the correlation job but named no job id');
      await this.rest.waitForState(set.jobId, ['RUNNING'], { timeoutMs: 120_000 });
      this.log.info({ job: name, jobId: set.jobId, rules: rules.length }, 'correlation job running on Flink');
    } finally {
      await s.close().catch(() => undefined);
    }
  }

  /** Each rule's state: that of the job running the current rule set, MISSING when none runs. */
  async status(): Promise<JobStatus[]> {
    const jobs = await this.rest.jobs().catch(() => null);
    const j = jobs?.filter((x) => x.name === this.jobName).sort((a, b) => (b['start-time'] ?? 0) - (a['start-time'] ?? 0))[0];
    const out: JobStatus[] = [];
    for (const rule of this.rules.keys())
      out.push({ rule, state: jobs === null ? 'UNKNOWN' : (j?.state ?? 'MISSING'), jobId: j?.jid ?? null, error: this.errors.get(rule) ?? null });
    for (const [rule, error] of this.errors) if (!this.rules.has(rule)) out.push({ rule, state: 'NOT_RUN', jobId: null, error });
    return out;
  }

  /** Leaves the job running (it belongs to the cluster, not to this replica). */
  async close(): Promise<void> {
    await this.syncing;
  }
}
