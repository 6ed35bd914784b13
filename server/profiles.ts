/**
 * The one place a profile is chosen. Everything below the server sees only the ports.
 */
import path from 'node:path';
import { SqliteAlertStore } from '../adapters/sqlite/alert-store';
import { SqliteAuditLog } from '../adapters/sqlite/audit-log';
import { SqliteEventStore } from '../adapters/sqlite/event-store';
import { SpoolBus } from '../adapters/embedded/spool-bus';
import { KafkaBus } from '../adapters/kafka/kafka-bus';
import { elasticsearchApi, openSearchApi } from '../adapters/search/engine-api';
import { SearchAlertStore } from '../adapters/search/alert-store';
import { SearchEventStore } from '../adapters/search/event-store';
import { SearchCaseStore } from '../adapters/search/case-store';
import { SqliteCaseStore } from '../adapters/sqlite/case-store';
import type { Config } from '../core/config';
import { CitySocError } from '../core/errors';
import type { Logger } from '../core/logging';
import type { AlertStore, AuditLog, Bus, EventStore, StateStore } from '../core/ports';
import type { CaseStore } from '../core/ports/case-store';
import { SqliteStateStore } from '../adapters/sqlite/state-store';
import { SearchStateStore } from '../adapters/search/state-store';
import { SearchAuditLog } from '../adapters/search/audit-log';
import { auditCadence } from '../core/config';
import { auditSigningKey } from '../policy/audit/signing-key';
import { SqliteAnalyticsCheckpointStore } from '../adapters/sqlite/analytics-checkpoint';
import type { AnalyticsRuntimeChoice } from '../analytics/module';

export interface Ports {
  readonly events: EventStore;
  readonly bus: Bus;
  readonly alerts: AlertStore;
  readonly cases: CaseStore;
  readonly audit: AuditLog;
  /** Policy lines, isolations and emergency grants: shared by every replica. */
  readonly state: StateStore;
  /** Bytes accepted but not yet consumed everywhere; the ingest gateway's backpressure signal. */
  readonly backlogBytes: () => number;
}

export async function openPorts(config: Config, log: Logger): Promise<Ports> {
  // Every process that writes the trail signs its checkpoints, so the cadence holds whoever writes.
  const trailOptions = { suite: config.audit.crypto, signer: auditSigningKey(config), cadence: auditCadence(config) };
  if (config.profile === 'embedded') {
    const dir = config.dataDir;
    const bus = new SpoolBus({
      file: path.join(dir, 'spool.db'),
      onError: (err, ctx) => log.error({ err, ...ctx }, 'bus consumer failed; the batch will be delivered again'),
      onCompactionError: (err) => log.warn({ err }, 'spool compaction failed; the next round tries again'),
    });
    return {
      events: new SqliteEventStore(path.join(dir, 'events.db')),
      bus,
      alerts: new SqliteAlertStore(path.join(dir, 'alerts.db')),
      cases: new SqliteCaseStore(path.join(dir, 'cases.db')),
      audit: new SqliteAuditLog(path.join(dir, 'audit.db'), trailOptions),
      state: new SqliteStateStore(path.join(dir, 'state.db')),
      backlogBytes: () => bus.spoolBytes(),
    };
  }
  const c = config.cluster;
  const conn = c.store === 'elasticsearch' ? c.elasticsearch : c.opensearch;
  if (!conn)
    throw new CitySocError(
      'CONFIG_INVALID',
      `cluster.${c.store}.node: the cluster profile stores events in ${c.store}; give its URL (env ${c.store === 'elasticsearch' ? 'CITYSOC_ES_URL' : 'CITYSOC_OPENSEARCH_URL'})`,
    );
  if (!c.kafka) throw new CitySocError('CONFIG_INVALID', 'cluster.kafka.brokers: the cluster profile needs Kafka (env CITYSOC_KAFKA_BROKERS)');
  const bus = new KafkaBus({
    brokers: c.kafka.brokers,
    clientId: c.kafka.clientId,
    prefix: c.topicPrefix,
    ssl: c.kafka.ssl,
    ...(c.kafka.caFile ? { caFile: c.kafka.caFile } : {}),
    ...(c.kafka.sasl ? { sasl: c.kafka.sasl } : {}),
    onError: (err, ctx) => log.error({ err, ...ctx }, 'bus consumer failed; the batch will be delivered again'),
  });
  // Events, alerts, policy state, the audit trail and the bus are shared by every replica; in the trail
  // each writer process keeps its own hash chain, sealed together.
  const engine = () => (c.store === 'elasticsearch' ? elasticsearchApi(conn) : openSearchApi(conn));
  return {
    events: new SearchEventStore(engine(), { prefix: c.indexPrefix, replicas: c.replicas }),
    bus,
    alerts: new SearchAlertStore(engine(), { prefix: c.indexPrefix, replicas: c.replicas }),
    cases: new SearchCaseStore(engine(), { prefix: c.indexPrefix, replicas: c.replicas }),
    audit: new SearchAuditLog(engine(), {
      prefix: c.indexPrefix,
      replicas: c.replicas,
      ...trailOptions,
      ...(config.audit.node ? { chain: config.audit.node } : {}),
    }),
    state: new SearchStateStore(engine(), { prefix: c.indexPrefix, replicas: c.replicas }),
    backlogBytes: () => 0,
  };
}

/**
 * How analytics run in this profile: embedded, in-process consumers with their correlation
 * windows checkpointed in SQLite beside the data; cluster, correlation as Flink jobs (when
 * cluster.flink is configured; without it only single-event rules run, and the log says so).
 */
export function analyticsRuntime(config: Config, log: Logger): AnalyticsRuntimeChoice {
  if (config.profile === 'embedded') return { engine: 'embedded', checkpoints: new SqliteAnalyticsCheckpointStore(path.join(config.dataDir, 'analytics.db')) };
  const c = config.cluster;
  if (!c.flink) {
    log.warn('cluster.flink is not configured: correlation rules do not run (single-event rules do); set CITYSOC_FLINK_GATEWAY_URL and CITYSOC_FLINK_REST_URL');
    return { engine: 'detect-only' };
  }
  return {
    engine: 'flink',
    flink: {
      gatewayUrl: c.flink.gatewayUrl,
      restUrl: c.flink.restUrl ?? c.flink.gatewayUrl.replace(/:\d+(\/?)$/, ':8081$1'),
      brokers: c.kafka?.brokers ?? [],
      topicPrefix: c.topicPrefix,
      name: c.indexPrefix,
      allowedLatenessSeconds: (config as unknown as { analytics?: { allowedLatenessSeconds?: number } }).analytics?.allowedLatenessSeconds ?? 60,
    },
  };
}
