/**
 * The one place a profile is chosen. Everything below the server sees only the ports.
 */
import path from 'node:path';
import { SqliteAlertStore } from '../core/adapters/sqlite/alert-store';
import { SqliteAuditLog } from '../core/adapters/sqlite/audit-log';
import { SqliteEventStore } from '../core/adapters/sqlite/event-store';
import { SpoolBus } from '../core/adapters/embedded/spool-bus';
import type { Config } from '../core/config';
import { CitySocError } from '../core/errors';
import type { Logger } from '../core/logging';
import type { AlertStore, AuditLog, Bus, EventStore } from '../core/ports';

export interface Ports {
  readonly events: EventStore;
  readonly bus: Bus;
  readonly alerts: AlertStore;
  readonly audit: AuditLog;
  /** Bytes accepted but not yet consumed everywhere; the ingest gateway's backpressure signal. */
  readonly backlogBytes: () => number;
}

export async function openPorts(config: Config, log: Logger): Promise<Ports> {
  if (config.profile === 'embedded') {
    const dir = config.dataDir;
    const bus = new SpoolBus({
      file: path.join(dir, 'spool.db'),
      onError: (err, ctx) => log.error({ err, ...ctx }, 'bus consumer failed; the batch will be delivered again'),
    });
    return {
      events: new SqliteEventStore(path.join(dir, 'events.db')),
      bus,
      alerts: new SqliteAlertStore(path.join(dir, 'alerts.db')),
      audit: new SqliteAuditLog(path.join(dir, 'audit.db')),
      backlogBytes: () => bus.spoolBytes(),
    };
  }
  throw new CitySocError('NOT_IMPLEMENTED', 'the cluster profile needs the Elasticsearch/OpenSearch and Kafka adapters, which are not part of this build yet; use --profile embedded');
}
