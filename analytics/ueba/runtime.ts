/**
 * The embedded UEBA runtime: consumes batches of events (from `citysoc.events`), runs them through
 * the feature engine and the scorer, and checkpoints what changed — with the batch's offsets and
 * the signals it decided — in one transaction of the state database, then publishes the signals.
 * A redelivered batch is skipped by its offsets; a batch that fails midway leaves the database
 * as it was, and the in-memory state is reloaded from it before the bus delivers the batch again.
 */
import type { Doc } from '../../core/doc';
import type { DeliveredMessage, Topic } from '../../core/ports';
import type { Signal } from '../../core/signal';
import type { UebaConfig } from './config';
import { FeatureEngine } from './engine/engine';
import { UebaScorer } from './scorer';
import type { ScoredAnomaly } from './risk/scoring';
import {
  decodeEntity,
  decodePeers,
  decodeProfile,
  decodeRarity,
  decodeRisk,
  encodeEntity,
  encodePeers,
  encodeProfile,
  encodeRarity,
  encodeRisk,
} from './state/codec';
import { parseOffset, UebaStateStore } from './state/store';

export interface BatchResult {
  readonly processed: number;
  /** Messages of the batch committed before (a redelivery). */
  readonly skipped: number;
  readonly signals: readonly Signal[];
  readonly anomalies: readonly ScoredAnomaly[];
}

export interface RuntimeOptions {
  readonly file: string;
  /** Publishes signals durably (citysoc.signals); resolves when they are. */
  readonly publish: (signals: readonly Signal[]) => Promise<void>;
}

export class UebaRuntime {
  engine!: FeatureEngine;
  scorer!: UebaScorer;
  readonly store: UebaStateStore;

  constructor(
    readonly cfg: UebaConfig,
    private readonly opts: RuntimeOptions,
  ) {
    this.store = new UebaStateStore(opts.file);
    this.load();
  }

  /** Rebuilds the in-memory state from the database. */
  load(): void {
    this.engine = new FeatureEngine(this.cfg);
    this.scorer = new UebaScorer(this.cfg, 'embedded');
    for (const d of this.store.entities()) this.engine.restoreEntity(decodeEntity(d, this.engine.widthOf(d.type)));
    for (const [u, d] of this.store.rarity()) this.engine.restoreUser(u, decodeRarity(d));
    const width = this.scorer.profiles.features.length;
    for (const [u, d] of this.store.profiles()) this.scorer.profiles.users.set(u, decodeProfile(d, width));
    for (const d of this.store.risks()) this.scorer.risks.set(`${d.type}:${d.id}`, decodeRisk(d));
    for (const [dataset, department] of JSON.parse(this.store.meta('datasetDepartments') ?? '[]') as [string, string][])
      this.scorer.datasetDepartments.set(dataset, department);
    const peers = this.store.meta('peers');
    if (peers) this.scorer.peers = decodePeers(JSON.parse(peers));
    const clock = JSON.parse(this.store.meta('clock') ?? 'null') as { watermark: number; maxTime: number; nextPeers: number } | null;
    if (clock) {
      this.engine.restoreClock(clock.watermark ?? Number.NEGATIVE_INFINITY, clock.maxTime ?? Number.NEGATIVE_INFINITY);
      this.scorer.nextPeers = clock.nextPeers ?? Number.NEGATIVE_INFINITY;
    }
    this.engine.takeDirty();
    this.scorer.takeDirty();
  }

  /** One bus batch. Resolves once its effects are committed and its signals published. */
  async handle(topic: Topic, batch: readonly DeliveredMessage<unknown>[]): Promise<BatchResult> {
    const fresh = batch.filter((m) => !this.store.consumed(topic, m.offset));
    const offsets = new Map<string, bigint>();
    for (const m of batch) {
      const { part, off } = parseOffset(topic, m.offset);
      if (!(offsets.get(part)! >= off)) offsets.set(part, off);
    }
    let signals: Signal[];
    let anomalies: ScoredAnomaly[];
    try {
      for (const m of fresh) if (m.value !== null && typeof m.value === 'object' && !Array.isArray(m.value)) this.engine.process(m.value as Doc);
      const scored = this.scorer.observe(this.engine.drain());
      signals = scored.signals;
      anomalies = scored.anomalies;
      this.checkpoint(offsets, signals);
    } catch (e) {
      // Memory is ahead of the database now: go back to what was committed.
      this.load();
      throw e;
    }
    await this.flushOutbox();
    return { processed: fresh.length, skipped: batch.length - fresh.length, signals, anomalies };
  }

  /**
   * Closes hours nobody is adding to: when events stop, the last hours would otherwise stay open
   * until the next event. Only while the event clock follows the wall clock (live traffic, not a
   * replay of last month).
   */
  async tick(now: Date): Promise<readonly Signal[]> {
    const { maxTime } = this.engine.clock;
    const lateness = this.cfg.latenessMinutes * 60_000;
    if (!Number.isFinite(maxTime) || now.getTime() - maxTime > 86_400_000) return [];
    this.engine.advance(now.getTime() - lateness);
    const { signals } = this.scorer.observe(this.engine.drain());
    this.checkpoint(new Map(), signals);
    await this.flushOutbox();
    return signals;
  }

  private checkpoint(offsets: Map<string, bigint>, signals: readonly Signal[]): void {
    const e = this.engine.takeDirty();
    const s = this.scorer.takeDirty();
    const rarity = e.users.flatMap((u) => {
      const r = this.engine.rarityStates.get(u);
      return r ? [[u, encodeRarity(r)] as const] : [];
    });
    this.store.commit({
      offsets,
      entities: e.entities.map(encodeEntity),
      rarity,
      profiles: s.profiles.flatMap((u) => {
        const p = this.scorer.profiles.users.get(u);
        return p ? [[u, encodeProfile(p)] as const] : [];
      }),
      risks: s.risks.map(encodeRisk),
      ...(s.peers ? { peers: encodePeers(s.peers) } : {}),
      meta: {
        clock: JSON.stringify({ ...this.engine.clock, nextPeers: this.scorer.nextPeers }),
        ...(s.peers ? { datasetDepartments: JSON.stringify([...this.scorer.datasetDepartments]) } : {}),
      },
      signals,
    });
  }

  /** Publishes what the outbox holds (after a crash, what was decided before it). */
  async flushOutbox(): Promise<void> {
    const pending = this.store.outbox();
    if (pending.length === 0) return;
    await this.opts.publish(pending);
    this.store.published(pending.map((s) => s.id));
  }

  close(): void {
    this.store.close();
  }
}
