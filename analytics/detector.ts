// The detection stage of the ingest pipeline: every event goes through the Sigma RuleSet, the
// matches through the correlation engine, and the results become alerts in the AlertStore.
import type { Alert } from '../core/alert';
import type { AlertStore } from '../core/ports/alert-store';
import { CorrelationEngine } from './correlation/engine';
import { fieldText } from './correlation/grouping';
import { toAlert, type Detection } from './alerts';
import type { SigmaEvent } from './sigma/backends/fieldpath';
import type { RuleSet } from './sigma/backends/ruleset';
import type { SigmaCorrelationRule } from './sigma/model';

export interface DetectorOptions {
  ruleSet: RuleSet;
  correlations?: CorrelationEngine;
  store?: AlertStore;
  /** Same rule + group within this window folds into one alert (default 1 h). */
  suppressionMs?: number;
  /** Time of events that carry none (receive time). */
  clock?: () => Date;
  /** Where failures of the fire-and-forget `onEvent` path go; detection must never crash ingest. */
  onError?: (error: unknown, event: SigmaEvent) => void;
}

/** Event time: ECS @timestamp, or the Windows System/TimeCreated of raw EVTX JSON. */
export function eventTime(event: SigmaEvent): number | undefined {
  for (const f of ['@timestamp', 'Event.System.TimeCreated.SystemTime', 'Event.System.TimeCreated.@SystemTime', 'Event.System.TimeCreated']) {
    const v = fieldText(event, f);
    const t = v === undefined ? NaN : Date.parse(v);
    if (Number.isFinite(t)) return t;
  }
  return undefined;
}

export function eventIdOf(event: SigmaEvent): string | undefined {
  return fieldText(event, 'event.id') ?? fieldText(event, '_id');
}

export class Detector {
  private readonly ruleSet: RuleSet;
  private readonly correlations: CorrelationEngine;
  private readonly store?: AlertStore;
  private readonly suppressionMs: number;
  private readonly clock: () => Date;
  private readonly onError: (error: unknown, event: SigmaEvent) => void;
  /** onEvent calls are chained so alerts reach the store in event order. */
  private pending: Promise<unknown> = Promise.resolve();

  constructor(options: DetectorOptions) {
    this.ruleSet = options.ruleSet;
    this.correlations = options.correlations ?? new CorrelationEngine([]);
    this.store = options.store;
    this.suppressionMs = options.suppressionMs ?? 3_600_000;
    this.clock = options.clock ?? (() => new Date());
    this.onError = options.onError ?? (() => undefined);
  }

  /**
   * Sigma matches (those `generate` lets through) and correlation firings for one event,
   * without touching the store. Synchronous: the matcher and the engine are in memory.
   */
  detect(event: SigmaEvent): Detection[] {
    const time = eventTime(event) ?? this.clock().getTime();
    const eventId = eventIdOf(event);
    const matches = this.ruleSet.match(event);
    const out: Detection[] = [];
    for (const match of matches) {
      if (this.correlations.generates(match)) out.push({ kind: 'sigma', match, event, time, ...(eventId !== undefined ? { eventId } : {}) });
    }
    for (const firing of this.correlations.process(event, matches, time, eventId)) out.push({ kind: 'correlation', firing });
    return out.filter((d) => d.kind === 'sigma' || this.emitsCorrelation(d.firing.rule, d.firing.ruleId));
  }

  /**
   * A correlation inside a chain alerts on its own when it carries its own level (the spec lets
   * only rules meant as detections carry meta such as level) or when a referrer says `generate`.
   */
  private emitsCorrelation(rule: SigmaCorrelationRule, ruleId: string): boolean {
    return rule.level !== undefined || this.correlations.generates({ ruleId, ...(rule.name !== undefined ? { name: rule.name } : {}) });
  }

  /** Detects and writes the alerts through the store (folding duplicates); returns them as stored. */
  async process(event: SigmaEvent): Promise<Alert[]> {
    return this.write(this.detect(event));
  }

  /** End of input: closes every correlation window; returns what fires, without touching the store. */
  flushDetections(): Detection[] {
    return this.correlations
      .flush()
      .flatMap((firing): Detection[] => (this.emitsCorrelation(firing.rule, firing.ruleId) ? [{ kind: 'correlation', firing }] : []));
  }

  /** End of input: closes every correlation window and writes what fires. */
  async flush(): Promise<Alert[]> {
    await this.idle();
    return this.write(this.flushDetections());
  }

  /** The hook the ingest pipeline calls: never throws, never blocks; failures go to onError. */
  readonly onEvent = (event: SigmaEvent): void => {
    this.pending = this.pending.then(() => this.process(event)).catch((e: unknown) => this.onError(e, event));
  };

  /** Resolves when every event handed to onEvent so far has been written. */
  idle(): Promise<void> {
    return this.pending.then(() => undefined);
  }

  snapshot(): ReturnType<CorrelationEngine['snapshot']> {
    return this.correlations.snapshot();
  }

  private async write(detections: Detection[]): Promise<Alert[]> {
    const alerts = detections.map(toAlert);
    if (!this.store) return alerts;
    const out: Alert[] = [];
    for (const a of alerts) out.push((await this.store.upsert(a, this.suppressionMs)).alert);
    return out;
  }
}
