/**
 * Ingest metrics in Prometheus format, on a registry of our own (prom-client's global one
 * would mix in whatever else the process loads, and tests start several platforms).
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { PipelineObserver } from '../pipeline/types';
import type { PublishObserver } from '../pipeline/publisher';

export interface MetricsSources {
  /** Bytes in the spool (accepted, not yet consumed everywhere). */
  readonly spoolBytes: () => number;
  /** Messages of citysoc.events the indexer group has not committed. */
  readonly indexerLag: () => Promise<number>;
}

export class IngestMetrics implements PipelineObserver, PublishObserver {
  readonly registry = new Registry();
  private readonly inputs = new Counter({
    name: 'citysoc_ingest_events_in_total',
    help: 'Inputs received by the gateway, per source type',
    labelNames: ['source'],
    registers: [this.registry],
  });
  private readonly out = new Counter({
    name: 'citysoc_ingest_events_out_total',
    help: 'Normalized events durably published to the bus, per source type',
    labelNames: ['source'],
    registers: [this.registry],
  });
  private readonly failures = new Counter({
    name: 'citysoc_ingest_parse_failures_total',
    help: 'Inputs that could not be parsed or normalized, per source type',
    labelNames: ['source'],
    registers: [this.registry],
  });
  private readonly letters = new Counter({
    name: 'citysoc_ingest_dead_letters_total',
    help: 'Dead letters durably published, per source type',
    labelNames: ['source'],
    registers: [this.registry],
  });
  private readonly stored = new Counter({
    name: 'citysoc_store_events_written_total',
    help: 'Events newly written to the event store by the indexer',
    registers: [this.registry],
  });
  private readonly syslogConnections = new Counter({
    name: 'citysoc_syslog_connections_closed_total',
    help: 'Syslog TCP connections the gateway closed or refused, per reason (idle, limit)',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  private udpDrops: () => number | undefined = () => undefined;
  private readonly rejected = new Counter({
    name: 'citysoc_ingest_requests_rejected_total',
    help: 'Requests refused before parsing, per reason',
    labelNames: ['reason'],
    registers: [this.registry],
  });

  constructor(sources: MetricsSources) {
    const drops = () => this.udpDrops();
    new Gauge({
      name: 'citysoc_syslog_udp_kernel_drops',
      help: "Datagrams the kernel dropped for the syslog UDP port (receive buffer full): the socket's drops in /proc/net/udp",
      registers: [this.registry],
      collect() {
        const n = drops();
        if (n !== undefined) this.set(n);
      },
    });
    new Gauge({
      name: 'citysoc_spool_bytes',
      help: 'Bytes held in the ingest spool',
      registers: [this.registry],
      collect() {
        this.set(sources.spoolBytes());
      },
    });
    new Gauge({
      name: 'citysoc_bus_lag_messages',
      help: 'Messages of citysoc.events not yet committed by the indexer group',
      labelNames: ['topic', 'group'],
      registers: [this.registry],
      async collect() {
        this.set({ topic: 'citysoc.events', group: 'indexer' }, await sources.indexerLag());
      },
    });
  }

  received(source: string): void {
    this.inputs.inc({ source });
  }
  normalized(): void {}
  parseFailed(source: string): void {
    this.failures.inc({ source });
  }
  published(source: string, count: number): void {
    this.out.inc({ source }, count);
  }
  deadLettered(source: string, count: number): void {
    this.letters.inc({ source }, count);
  }
  written(count: number): void {
    this.stored.inc(count);
  }
  /** Where the syslog listener's UDP drops are read (udp-drops.ts). */
  watchUdpDrops(read: () => number | undefined): void {
    this.udpDrops = read;
  }
  syslogConnectionClosed(reason: 'idle' | 'limit'): void {
    this.syslogConnections.inc({ reason });
  }
  refused(reason: 'unauthenticated' | 'forbidden' | 'too_large' | 'backpressure' | 'bad_request'): void {
    this.rejected.inc({ reason });
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
