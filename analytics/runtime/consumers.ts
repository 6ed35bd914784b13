/**
 * Analytics as durable stream consumers. Each commits its offsets only after its output is
 * durably published:
 *
 *  - detect: citysoc.events → Sigma matches (and, when `correlate`, correlation firings) →
 *    citysoc.signals. With correlation the windows are state, checkpointed now and then (every
 *    `checkpointEveryMs` or `checkpointEveryEvents`, and when the stream goes quiet) with the
 *    offsets they cover; the consumer commits its bus offsets (manual commit) only up to what
 *    its last checkpoint covers, so the bus keeps every event the checkpoint does not. After a
 *    crash the windows come back from the checkpoint, the bus delivers again from the commit,
 *    messages at or below a checkpointed offset are skipped and the ones after it are evaluated
 *    again: their signals have the same ids as before (deterministic) and the alert writer folds
 *    a signal id once, so a kill -9 neither loses nor double counts an event in a window.
 *    Without correlation the consumer has no state and commits each batch when it is published.
 *  - alerts: citysoc.signals → the AlertStore (folding by dedup key, a signal id already folded is
 *    not counted again) → every resulting alert on citysoc.alerts (at least once: readers key on
 *    the alert id and its count).
 */
import type { Alert } from '../../core/alert';
import type { Logger } from '../../core/logging';
import type { AlertStore, Bus, DeliveredMessage, ManualSubscription, Subscription } from '../../core/ports';
import type { AnalyticsCheckpointStore } from '../../core/ports/analytics-checkpoint';
import { Signal } from '../../core/signal';
import { CorrelationEngine } from '../correlation/engine';
import { type CorrelationSnapshot, parseSnapshot } from '../correlation/snapshot';
import { Detector } from '../detector';
import type { LoadedContent } from '../engine/content';
import type { SigmaEvent } from '../sigma/backends/fieldpath';
import { alertOf, correlationSignal, EntityDepartments, sigmaSignal } from './signals';
import { type FlinkFiring, isFlinkFiring } from './flink-jobs';

export const DETECT_GROUP = 'detect';
export const ALERTS_GROUP = 'alerts';

/** Counters for /metrics and analyticsStatus. */
export class AnalyticsCounters {
  events = 0;
  signals = 0;
  alertsChanged = 0;
  skippedRedelivered = 0;
  failures = 0;
  /** Correlation checkpoints written, the time they took (snapshot, encoding, durable write) and the last one's size. */
  checkpoints = 0;
  checkpointMs = 0;
  checkpointMaxMs = 0;
  checkpointBytes = 0;
  /** Events that came too late for every window of a correlation they matched (counted per rule in the engine's stats). */
  lateEvents = 0;
  /** Window entries dropped by the correlation engine's memory bounds (windows may then undercount), and entries held. */
  evictedEntries = 0;
  windowEntries = 0;
}

/** Defaults: a checkpoint at most every 5 s or 50,000 events, and 1 s after the stream goes quiet. */
export const CHECKPOINT_EVERY_MS = 5_000;
export const CHECKPOINT_EVERY_EVENTS = 50_000;
const CHECKPOINT_WHEN_QUIET_MS = 1_000;

interface CheckpointState {
  readonly correlations: CorrelationSnapshot;
  readonly departments: [string, string][];
}

/** `p:o` (Kafka) or `o` (the embedded spool) → [partition, offset]. */
function splitOffset(offset: string): [string, bigint] {
  const i = offset.indexOf(':');
  return i < 0 ? ['0', BigInt(offset)] : [offset.slice(0, i), BigInt(offset.slice(i + 1))];
}

export interface DetectConsumerOptions {
  readonly bus: Bus;
  readonly log: Logger;
  readonly counters: AnalyticsCounters;
  /** The rules in force; called again after a reload. */
  readonly content: () => LoadedContent;
  /** Evaluate correlation rules here (embedded) or leave them to another engine (Flink). */
  readonly correlate: boolean;
  /** Required when correlating: where windows are checkpointed with their offsets. */
  readonly checkpoints?: AnalyticsCheckpointStore;
  readonly engine: Signal['provenance']['engine'];
  readonly allowedLatenessMs?: number;
  readonly group?: string;
  /** What every event goes through first (department codes to names, as the indexer stores them). */
  readonly prepare?: (event: SigmaEvent) => SigmaEvent;
  /**
   * How often the correlation state is checkpointed (and the bus offsets it covers committed):
   * after this long or this many events since the last checkpoint, whichever comes first. What
   * a crash costs is re-evaluating the events since then, never a lost or doubled count.
   */
  readonly checkpointEveryMs?: number;
  readonly checkpointEveryEvents?: number;
  /** A checkpoint is also made once no batch has come for this long (default 1 s). */
  readonly checkpointWhenQuietMs?: number;
  /** Entries all correlation windows may hold together (the engine's memory bound). */
  readonly maxWindowEntries?: number;
}

export interface DetectConsumer extends Subscription {
  /** Swaps in reloaded rules; open windows carry over. */
  reload(): void;
  /** End of input (a replay of files): closes every window and publishes what fires. */
  flush(): Promise<number>;
}

export async function startDetectConsumer(o: DetectConsumerOptions): Promise<DetectConsumer> {
  const name = o.group ?? DETECT_GROUP;
  const saved = o.correlate && o.checkpoints ? await o.checkpoints.load(name) : null;
  const offsets = new Map<string, bigint>(Object.entries(saved?.offsets ?? {}).map(([p, v]) => [p, BigInt(v)]));
  // A checkpoint comes from disk: its windows are validated before they are trusted.
  const state = saved
    ? ({
        ...(saved.state as CheckpointState),
        correlations: parseSnapshot((saved.state as CheckpointState).correlations, `checkpoint ${name}`),
      } as CheckpointState)
    : undefined;
  const departments = new EntityDepartments(20_000, state?.departments ?? []);
  const build = (previous?: CorrelationEngine, snapshot?: CorrelationSnapshot) => {
    const content = o.content();
    const engine = new CorrelationEngine(content.correlations, {
      allowedLatenessMs: o.allowedLatenessMs ?? 0,
      ...(o.maxWindowEntries !== undefined ? { maxEntries: o.maxWindowEntries } : {}),
    });
    if (previous) engine.restore(previous.snapshot());
    else if (snapshot) engine.restore(snapshot);
    return { engine, detector: new Detector({ ruleSet: content.ruleSet, correlations: engine }) };
  };
  let current = build(undefined, state?.correlations);
  // Batches are handled one at a time (the Bus delivers them so); a reload or flush waits its turn.
  let turn: Promise<unknown> = Promise.resolve();
  const serial = <T>(f: () => Promise<T>): Promise<T> => {
    const run = turn.then(f, f);
    turn = run.catch(() => undefined);
    return run;
  };

  // The departments learned are a cache (a signal's id does not depend on them), so they are
  // written with the windows only now and then, not with every checkpoint.
  let departmentsSavedAt = 0;
  let savedDepartments: [string, string][] = state?.departments ?? [];
  const everyMs = o.checkpointEveryMs ?? CHECKPOINT_EVERY_MS;
  const everyEvents = o.checkpointEveryEvents ?? CHECKPOINT_EVERY_EVENTS;
  const quietMs = o.checkpointWhenQuietMs ?? CHECKPOINT_WHEN_QUIET_MS;
  let sub: ManualSubscription | Subscription | null = null;
  let unsubscribed = false;
  let checkpointedAt = Date.now();
  /**
   * At most a tenth of a busy stream's time goes to checkpoints: one that took d ms is followed by
   * the next no sooner than 10·d ms later, whatever the configured cadence (a large state on a
   * busy machine then re-reads a little more after a crash instead of stalling the stream).
   */
  let budgetMs = 0;
  let lastBatchAt = 0;
  /** Events folded into the windows since the last checkpoint. */
  let uncovered = 0;
  /** The last offset delivered per partition (committed once a checkpoint covers it), in the bus's own spelling. */
  const delivered = new Map<string, string>();
  /** Delivered offsets not committed yet (events since the checkpoint, or redelivered ones it already covers). */
  let uncommitted = false;
  const commitDelivered = async () => {
    const covered = [...delivered.values()];
    if (!sub || !('commit' in sub) || unsubscribed || covered.length === 0) return;
    try {
      await sub.commit(covered);
      uncommitted = false;
    } catch (err) {
      // The checkpoint is durable: a commit that failed (a Kafka rebalance) means more redelivery, which the offsets skip.
      o.log.warn({ err }, 'bus offsets not committed after a correlation checkpoint; they are committed with the next one');
    }
  };
  const checkpoint = async (force = false) => {
    if (!o.correlate || !o.checkpoints) return;
    if (!force && uncovered === 0) return;
    const started = performance.now();
    if (force || Date.now() - departmentsSavedAt > 30_000) {
      savedDepartments = departments.entries();
      departmentsSavedAt = Date.now();
    }
    const bytes = await o.checkpoints.save(name, {
      offsets: Object.fromEntries([...offsets].map(([p, v]) => [p, v.toString()])),
      state: { correlations: current.engine.snapshot(), departments: savedDepartments } satisfies CheckpointState,
    });
    uncovered = 0;
    checkpointedAt = Date.now();
    const took = performance.now() - started;
    budgetMs = 10 * took;
    o.counters.checkpoints++;
    o.counters.checkpointMs += took;
    o.counters.checkpointMaxMs = Math.max(o.counters.checkpointMaxMs, took);
    o.counters.checkpointBytes = bytes;
    // Only now may the bus forget these events: the checkpoint holds what they did to the windows.
    // (delivered is read after the save: nothing is handled meanwhile, batches wait their turn.)
    await commitDelivered();
  };
  // What the restored windows had already counted was reported by the process that counted it.
  const restored = current.engine.stats();
  let lateReported = restored.lateDropped;
  let evictedReported = Object.values(restored.rules).reduce((n, r) => n + r.evictedEntries, 0);
  const reportLate = () => {
    const st = current.engine.stats();
    const late = st.lateDropped;
    const evicted = Object.values(st.rules).reduce((n, r) => n + r.evictedEntries, 0);
    o.counters.windowEntries = st.entries;
    if (evicted > evictedReported) {
      o.counters.evictedEntries += evicted - evictedReported;
      o.log.warn(
        { evicted: evicted - evictedReported, total: o.counters.evictedEntries, entries: st.entries },
        'correlation windows reached their memory bound; the oldest entries were dropped and those windows may undercount',
      );
      evictedReported = evicted;
    }
    if (late <= lateReported) return;
    o.counters.lateEvents += late - lateReported;
    // Counted (analyticsStatus, /metrics) and told, at most once per checkpoint: never silently dropped.
    o.log.warn(
      { late: late - lateReported, total: o.counters.lateEvents, allowedLatenessMs: o.allowedLatenessMs ?? 0 },
      'events arrived after every correlation window they belong to had closed; they are stored and searchable but not counted in those windows',
    );
    lateReported = late;
  };

  const publish = async (signals: Signal[]) => {
    if (signals.length === 0) return;
    await o.bus.publish(
      'citysoc.signals',
      signals.map((s) => ({ key: s.dedupKey, value: s })),
    );
    o.counters.signals += signals.length;
  };

  const handle = async (batch: DeliveredMessage<SigmaEvent>[]) => {
    const signals: Signal[] = [];
    for (const m of batch) {
      const [part, off] = splitOffset(m.offset);
      const done = offsets.get(part);
      if (o.correlate && done !== undefined && off <= done) {
        o.counters.skippedRedelivered++;
        // Covered by the checkpoint already: committable without a new one.
        delivered.set(part, m.offset);
        uncommitted = true;
        continue;
      }
      o.counters.events++;
      const event = o.prepare ? o.prepare(m.value) : m.value;
      try {
        departments.learn(event);
        for (const d of current.detector.detect(event)) {
          if (d.kind === 'sigma') signals.push(sigmaSignal(d, o.engine));
          else if (o.correlate) signals.push(correlationSignal(d.firing, departments, o.engine));
        }
      } catch (err) {
        // One event the rules cannot evaluate must not stop the stream; it stays stored and searchable.
        o.counters.failures++;
        o.log.error({ err, offset: m.offset }, 'detection failed for an event; the event is kept, the stream goes on');
      }
      if (o.correlate) {
        offsets.set(part, off);
        delivered.set(part, m.offset);
        uncommitted = true;
        uncovered++;
      }
    }
    await publish(signals);
    lastBatchAt = Date.now();
    const since = Date.now() - checkpointedAt;
    if ((since >= everyMs || uncovered >= everyEvents) && since >= budgetMs) {
      reportLate();
      await checkpoint();
    }
  };

  const stateful = o.correlate && o.checkpoints !== undefined;
  sub = stateful
    ? await o.bus.subscribe<SigmaEvent>('citysoc.events', name, (batch) => serial(() => handle(batch)), { commit: 'manual' })
    : await o.bus.subscribe<SigmaEvent>('citysoc.events', name, (batch) => serial(() => handle(batch)));
  // A stream that goes quiet is checkpointed soon, so its lag reaches 0 and a restart re-reads little.
  const timer = stateful
    ? setInterval(
        () => {
          const now = Date.now();
          const since = now - checkpointedAt;
          if (uncovered > 0 && (now - lastBatchAt >= quietMs || (since >= everyMs && since >= budgetMs))) {
            void serial(async () => {
              reportLate();
              await checkpoint();
            }).catch((err: unknown) => o.log.error({ err }, 'correlation checkpoint failed; the bus keeps the events it does not cover'));
          } else if (uncovered === 0 && uncommitted) {
            // Only redelivered events the checkpoint covers came since: commit them, no checkpoint needed.
            void serial(async () => (uncovered === 0 ? commitDelivered() : undefined));
          }
        },
        Math.min(everyMs, quietMs, CHECKPOINT_WHEN_QUIET_MS),
      )
    : null;
  timer?.unref();
  return {
    reload: () => void serial(async () => (current = build(current.engine))),
    flush: () =>
      serial(async () => {
        if (!o.correlate) return 0;
        const signals = current.detector
          .flushDetections()
          .flatMap((d) => (d.kind === 'correlation' ? [correlationSignal(d.firing, departments, o.engine)] : []));
        await publish(signals);
        await checkpoint(true);
        return signals.length;
      }),
    async stop() {
      if (timer) clearInterval(timer);
      // Checkpoint and commit while the subscription can still commit; whatever is delivered after
      // that is covered by the last checkpoint below or delivered again at the next start.
      await serial(async () => {
        reportLate();
        await checkpoint(true);
      });
      await sub!.stop();
      unsubscribed = true;
      await turn;
      if (uncovered > 0) await checkpoint(true);
    },
  };
}

export interface AlertWriterOptions {
  readonly bus: Bus;
  readonly alerts: AlertStore;
  readonly log: Logger;
  readonly counters: AnalyticsCounters;
  /** Same rule + group within this window folds into one alert (default 1 h). */
  readonly suppressionMs?: number;
  /** Told of every alert written (e.g. the live feed); after it is on citysoc.alerts. */
  readonly onAlert?: (alert: Alert, created: boolean) => void;
  /** Turns a firing written by a Flink job (see flink-jobs.ts) into a signal. */
  readonly fromFlink?: (f: FlinkFiring) => Signal;
}

export async function startAlertWriter(o: AlertWriterOptions): Promise<Subscription> {
  const suppression = o.suppressionMs ?? 3_600_000;
  return o.bus.subscribe<unknown>('citysoc.signals', ALERTS_GROUP, async (batch) => {
    const out: { alert: Alert; created: boolean }[] = [];
    for (const m of batch) {
      const parsed = isFlinkFiring(m.value) && o.fromFlink ? Signal.safeParse(o.fromFlink(m.value)) : Signal.safeParse(m.value);
      if (!parsed.success) {
        // A malformed signal is a bug of its producer: logged with what was wrong, never a stuck stream.
        o.counters.failures++;
        o.log.error({ offset: m.offset, issues: parsed.error.issues.slice(0, 3) }, 'a signal does not have the Signal shape; skipped');
        continue;
      }
      const r = await o.alerts.upsert(alertOf(parsed.data), suppression);
      if (r.changed) o.counters.alertsChanged++;
      out.push({ alert: r.alert, created: r.created });
    }
    if (out.length === 0) return;
    // The latest state of each alert the batch touched.
    const latest = new Map<string, { alert: Alert; created: boolean }>();
    for (const x of out) latest.set(x.alert.id, { alert: x.alert, created: (latest.get(x.alert.id)?.created ?? false) || x.created });
    await o.bus.publish(
      'citysoc.alerts',
      [...latest.values()].map(({ alert }) => ({ key: alert.id, value: publicAlert(alert) })),
    );
    for (const { alert, created } of latest.values()) o.onAlert?.(alert, created);
  });
}

/** An alert as readers of citysoc.alerts get it: without the store's own bookkeeping. */
export function publicAlert(a: Alert): Alert {
  const { signalIds: _s, ...rest } = a;
  return rest;
}
