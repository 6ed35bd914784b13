/** What the UEBA service reads, answered from the embedded runtime's memory. */
import type { UebaConfig } from './config';
import { BINS } from './engine/baseline';
import type { FeatureEngine } from './engine/engine';
import { modeled, entitySet, type EntityType } from './features/definitions';
import type { UebaScorer } from './scorer';
import type { FeatureBaseline, UebaReadModel } from './service';

export class EmbeddedReadModel implements UebaReadModel {
  constructor(
    private readonly current: () => { engine: FeatureEngine; scorer: UebaScorer },
    private readonly cfg: UebaConfig,
    private readonly clock: () => Date,
  ) {}

  asOf(): number {
    const t = this.current().engine.clock.maxTime;
    return Number.isFinite(t) ? t : this.clock().getTime();
  }

  risks() {
    return this.current().scorer.risks.values();
  }

  risk(type: EntityType, id: string) {
    return this.current().scorer.risks.get(`${type}:${id}`);
  }

  known(type: EntityType, id: string) {
    const r = this.risk(type, id);
    if (r) return { department: r.department };
    const st = this.current().engine.state(type, id);
    return st ? { department: st.department } : undefined;
  }

  baseline(type: EntityType, id: string): FeatureBaseline[] {
    const st = this.current().engine.state(type, id);
    if (!st || st.baseline.count === 0) return [];
    return modeled(entitySet(type)).map((f, m) => {
      const n = st.baseline.count;
      const mean = st.baseline.sums[m]! / n;
      const std = Math.max(Math.sqrt(Math.max(st.baseline.sumsq[m]! / n - mean * mean, 0)), f.model!.minStd);
      const typical = f.model!.scale === 'log' ? Math.max(0, Math.exp(mean) - 1) : mean;
      return { feature: f.name, label: f.label, scale: f.model!.scale, mean, std, typical: Math.round(typical * 100) / 100, observations: n };
    });
  }

  activeHours(type: EntityType, id: string): number[] {
    const st = this.current().engine.state(type, id);
    return st ? [...st.baseline.bins] : new Array<number>(BINS).fill(0);
  }

  peers(user: string) {
    const p = this.current().scorer.peers;
    const a = p?.users.get(user);
    return p && a ? { computedAt: p.computedAt, assignment: a } : undefined;
  }

  get config(): UebaConfig {
    return this.cfg;
  }
}
