/**
 * Assembles the ingest side from configuration: reference data for enrichment, the pipeline,
 * the durable publisher, metrics, the HTTP routes and the syslog listeners. The server mounts
 * the routes and owns the lifecycle; nothing here knows which profile runs.
 */
import type { Config } from '../../core/config';
import type { Logger } from '../../core/logging';
import type { Bus } from '../../core/ports';
import { ReloadingEnricher, type ReloadReport } from '../enrich/reloading';
import { IdLedger, type StoredEvents } from '../pipeline/id-ledger';
import { Pipeline } from '../pipeline/pipeline';
import { Publisher } from '../pipeline/publisher';
import { IngestMetrics } from './metrics';
import { createGatewayRoutes, type GatewayRoutes } from './routes';
import { startSyslog, type SyslogListeners } from './syslog-server';

export interface GatewayOptions {
  readonly config: Config;
  readonly bus: Bus;
  readonly log: Logger;
  readonly backlogBytes: () => number;
  /**
   * The collector's name when the token may ingest; null when unknown, revoked or its account
   * isolated; 'forbidden' when it lacks the role. Asked at admission and again at the durable write.
   */
  readonly authorize: (token: string) => string | null | 'forbidden';
  /** The event store, where ids older than the recently published ones are looked up (repeats, same-id duplicates). */
  readonly events?: StoredEvents;
}

export interface IngestGateway {
  readonly pipeline: Pipeline;
  readonly publisher: Publisher;
  readonly metrics: IngestMetrics;
  /** Decides repeats and same-id duplicates; `useStore` points it at the event store. */
  readonly ledger: IdLedger;
  readonly routes: GatewayRoutes;
  /** Re-reads the enrichment files now (also done on change and on SIGHUP). */
  reloadReferenceData(): ReloadReport;
  startSyslog(): Promise<SyslogListeners | undefined>;
  close(): Promise<void>;
}

/** The pipeline and publisher alone, for the CLI and benchmarks (no HTTP, no listeners). */
export function createPipeline(config: Config, log: Logger, metrics?: IngestMetrics): { pipeline: Pipeline; enrichment: ReloadingEnricher } {
  const enrichment = new ReloadingEnricher(config.ingest.enrichment, (r) => {
    if (r.ok) log.info({ counts: r.counts }, 'enrichment reference data loaded');
    else log.error({ error: r.error }, 'enrichment reference data NOT reloaded; the previous data stays in use');
  });
  const pipeline = new Pipeline({
    timeZone: config.ingest.timeZone ?? config.ingest.defaultOffset,
    maxJsonDepth: config.ingest.maxJsonDepth,
    enricher: () => enrichment.enricher,
    observer: metrics,
    onHookError: (err) => log.error({ err }, 'an event hook failed; the event is kept'),
  });
  return { pipeline, enrichment };
}

export function createIngestGateway(o: GatewayOptions): IngestGateway {
  const metrics = new IngestMetrics({ spoolBytes: o.backlogBytes, indexerLag: () => o.bus.lag('citysoc.events', 'indexer') });
  const { pipeline, enrichment } = createPipeline(o.config, o.log, metrics);
  enrichment.watch();
  const publisher = new Publisher(o.bus, pipeline, metrics);
  const ledger = new IdLedger(o.config.ingest.recentIds, o.events);
  const routes = createGatewayRoutes({
    publisher,
    ledger,
    maxJsonDepth: o.config.ingest.maxJsonDepth,
    maxItemsPerRequest: o.config.ingest.maxItemsPerRequest,
    metrics,
    log: o.log,
    authorize: o.authorize,
    maxRequestBytes: o.config.ingest.maxRequestBytes,
    spoolMaxBytes: o.config.ingest.spoolMaxBytes,
    backlogBytes: o.backlogBytes,
  });
  let syslog: SyslogListeners | undefined;
  return {
    pipeline,
    publisher,
    metrics,
    ledger,
    routes,
    reloadReferenceData: () => enrichment.reload(),
    async startSyslog() {
      const s = o.config.ingest.syslog;
      if (s.tcpPort === undefined && s.udpPort === undefined) return undefined;
      syslog = await startSyslog(s, publisher, o.log, metrics);
      return syslog;
    },
    async close() {
      enrichment.close();
      await syslog?.close();
    },
  };
}
