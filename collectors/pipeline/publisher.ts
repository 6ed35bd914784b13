/**
 * Runs a batch through the pipeline and publishes every result, events and dead letters alike,
 * in one durable publish. The promise resolves only when the bus has them on disk (spool fsync
 * or Kafka acks=all): that is the moment a transport may acknowledge.
 */
import type { EcsEvent } from '../../core/event';
import type { Bus } from '../../core/ports';
import type { Pipeline } from './pipeline';
import type { PipelineInput, PipelineResult } from './types';

export interface PublishObserver {
  published(source: string, count: number): void;
  deadLettered(source: string, count: number): void;
}

export interface BatchOutcome {
  readonly results: PipelineResult[];
  readonly accepted: number;
  readonly deadLettered: number;
}

function tally(results: readonly PipelineResult[], ok: boolean): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of results) if (r.ok === ok) m.set(r.source, (m.get(r.source) ?? 0) + 1);
  return m;
}

/** Told of each batch once the bus has it on disk (what the gateway acknowledges); must not throw. */
export type PublishedListener = (results: readonly PipelineResult[]) => void;

export class Publisher {
  private readonly listeners = new Set<PublishedListener>();

  constructor(
    private readonly bus: Bus,
    readonly pipeline: Pipeline,
    private readonly observer?: PublishObserver,
  ) {}

  async publish(inputs: readonly PipelineInput[]): Promise<BatchOutcome> {
    const results = inputs.map((i) => this.pipeline.process(i.raw, i.hint));
    await this.publishResults(results);
    let accepted = 0;
    for (const r of results) if (r.ok) accepted++;
    return { results, accepted, deadLettered: results.length - accepted };
  }

  /** For transports that build some results themselves (malformed bulk lines). */
  async publishResults(results: readonly PipelineResult[]): Promise<void> {
    if (results.length === 0) return;
    // Keyed by host so one host's events stay in order on every bus.
    await this.bus.publish<EcsEvent>(
      'citysoc.events',
      results.map((r) => ({
        key: (r.event.host?.name as string | undefined) ?? (r.event.citysoc?.collector as string | undefined) ?? 'unknown',
        value: r.event,
      })),
    );
    for (const [source, n] of tally(results, true)) this.observer?.published(source, n);
    for (const [source, n] of tally(results, false)) this.observer?.deadLettered(source, n);
    for (const l of this.listeners) l(results);
  }

  /** Follows what is durably published (the sources read model counts it); returns a function that stops it. */
  onPublished(listener: PublishedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
