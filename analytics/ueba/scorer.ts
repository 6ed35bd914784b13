/**
 * What UEBA does with the engines' output, the same whichever engine produced it: keeps users'
 * profiles, recomputes peer groups once a day (event time), compares each anomaly with the
 * user's peers, scores it, adds it as a risk input to every entity it names, and turns a risk
 * crossing the configured level into a `ueba` signal that becomes an alert.
 */
import type { AlertEntity } from '../../core/alert';
import { type Signal, signalId } from '../../core/signal';
import type { RiskLevel, UebaConfig } from './config';
import { offsetMs, RISK_LEVELS } from './config';
import type { EngineOutput } from './engine/engine';
import { anomalyId, type Anomaly, type HourRow } from './engine/rows';
import type { EntityType } from './features/definitions';
import { comparePeers } from './peers/compare';
import { computePeers, type PeerModel } from './peers/groups';
import { ProfileStore } from './peers/profiles';
import { levelRank, riskOf, type RiskInput, type RiskScore } from './risk/risk';
import { featureDef, scoreAnomaly, type ScoredAnomaly } from './risk/scoring';

const HOUR = 3_600_000;
/** Anomalies and history points kept per entity for its page. */
const KEEP_ANOMALIES = 100;
const KEEP_HISTORY = 500;
const KEEP_EVENT_IDS = 100;

export interface EntityRisk {
  readonly type: EntityType;
  readonly id: string;
  department: string | null;
  criticality: number;
  readonly inputs: Map<string, RiskInput>;
  current: RiskScore | null;
  /** The highest level alerted since the risk last fell below the alert level. */
  alerted: RiskLevel | null;
  readonly history: { at: number; score: number; level: string }[];
  readonly anomalies: ScoredAnomaly[];
}

export interface ScorerOutput {
  readonly anomalies: ScoredAnomaly[];
  readonly signals: Signal[];
}

const SEVERITY = { low: 'low', moderate: 'medium', high: 'high', critical: 'critical' } as const;
/** Features whose frequency is compared with peers daily, and when it is far above theirs. */
const HABITS = ['exports', 'foreign_reads'] as const;
const HABIT_MIN = 5;
const HABIT_RATIO = 4;
const CRITICALITY_MODIFIER: Readonly<Record<number, number>> = { 1: 0.5, 2: 1, 3: 1.5, 4: 2 };

export const entityKey = (type: string, id: string): string => `${type}:${id}`;

export class UebaScorer {
  readonly profiles: ProfileStore;
  peers: PeerModel | undefined;
  readonly risks = new Map<string, EntityRisk>();
  readonly datasetDepartments = new Map<string, string>();
  /** Time spent recomputing peer groups, ms (for the benchmark). */
  peerMillis: number[] = [];
  nextPeers = Number.NEGATIVE_INFINITY;
  /** Anomaly ids scored lately and their score (a repeat counts only if it scores higher). */
  private readonly seen = new Map<string, { score: number; at: number }>();
  private readonly dirtyRisks = new Set<string>();
  private peersChanged = false;

  constructor(
    readonly cfg: UebaConfig,
    readonly engine: 'embedded' | 'flink' = 'embedded',
  ) {
    this.profiles = new ProfileStore(cfg, offsetMs(cfg.utcOffset));
  }

  observe(out: EngineOutput): ScorerOutput {
    let latest = Number.NEGATIVE_INFINITY;
    for (const r of out.rows) latest = Math.max(latest, r.hour + HOUR);
    for (const a of out.anomalies) latest = Math.max(latest, a.at);
    const habits = latest >= this.nextPeers && this.profiles.users.size > 0 ? this.recomputePeers(latest) : [];
    const anomalies: ScoredAnomaly[] = [];
    const signals: Signal[] = [];
    for (const a of [...out.anomalies, ...habits]) {
      const scored = this.score(a);
      if (!scored) continue;
      anomalies.push(scored);
      if (this.cfg.publishAnomalies) signals.push(this.anomalySignal(scored));
      for (const target of this.targets(scored)) {
        const crossing = this.addInput(target, scored);
        if (crossing) signals.push(crossing);
      }
    }
    // Anomalies are judged against what came before them; only then do the hours they close join the profiles.
    for (const r of out.rows) this.observeRow(r);
    for (const d of out.userDatasetHours) this.profiles.addDatasetHour(d);
    return { anomalies, signals };
  }

  recomputePeers(at: number): Anomaly[] {
    const t0 = performance.now();
    this.profiles.settle(at);
    this.peers = computePeers(this.profiles, this.cfg, at, 1);
    this.peersChanged = true;
    this.peerMillis.push(performance.now() - t0);
    this.nextPeers = at + this.cfg.peers.recomputeHours * HOUR;
    return this.habitAnomalies(at);
  }

  /**
   * Doing something in many more hours than one's peers — a little export every day for weeks —
   * escapes an hourly baseline that learns it; the peers' habits do not.
   */
  private habitAnomalies(at: number): Anomaly[] {
    const out: Anomaly[] = [];
    const hour = Math.floor(at / HOUR) * HOUR;
    for (const [user, assigned] of this.peers?.users ?? []) {
      if (assigned.peers.length < this.cfg.peers.minGroupSize) continue;
      const own = this.profiles.users.get(user)!;
      for (const feature of HABITS) {
        const i = this.profiles.featureIndex(feature);
        let peerNz = 0;
        for (const p of assigned.peers) peerNz += this.profiles.users.get(p.user)?.nz[i] ?? 0;
        const mine = own.nz[i]!;
        const theirs = peerNz / assigned.peers.length;
        if (mine < HABIT_MIN || mine < HABIT_RATIO * Math.max(1, theirs)) continue;
        out.push({
          id: anomalyId('user', user, hour, `often_${feature}`),
          entityType: 'user',
          entity: user,
          department: own.department,
          hour,
          at,
          kind: 'frequency',
          feature,
          observed: Math.round(mine * 10) / 10,
          eventIds: [],
        });
      }
    }
    return out;
  }

  /** What changed since the last call: what a checkpoint must write. */
  takeDirty(): { risks: EntityRisk[]; profiles: string[]; peers: PeerModel | undefined } {
    const risks = [...this.dirtyRisks].map((k) => this.risks.get(k)!).filter((r) => r !== undefined);
    const profiles = [...this.profiles.dirty];
    const peers = this.peersChanged ? this.peers : undefined;
    this.dirtyRisks.clear();
    this.profiles.dirty.clear();
    this.peersChanged = false;
    return { risks, profiles, peers };
  }

  private observeRow(r: HourRow): void {
    this.profiles.addRow(r);
    if (r.entityType === 'dataset' && r.department) this.datasetDepartments.set(r.entity, r.department);
    const risk = this.risks.get(entityKey(r.entityType, r.entity));
    if (!risk) return;
    const before = `${risk.criticality}|${risk.department}`;
    if (r.entityType === 'dataset') {
      const cls = (['公开', '内部', '敏感', '涉密'] as const)[(r.values.max_classification ?? 0) - 1];
      if (cls) risk.criticality = this.cfg.risk.classification[cls];
    }
    if (r.entityType === 'host') risk.criticality = CRITICALITY_MODIFIER[r.values.max_criticality ?? 2] ?? 1;
    if (r.department) risk.department = r.department;
    if (`${risk.criticality}|${risk.department}` !== before) this.dirtyRisks.add(entityKey(r.entityType, r.entity));
  }

  /** Scores an anomaly once; a repeat (its final value after an early report) only if it now scores higher. */
  private score(a: Anomaly): ScoredAnomaly | undefined {
    const peers = comparePeers(a, this.peers, this.profiles, this.cfg, (d) => this.datasetDepartments.get(d));
    const scored = scoreAnomaly(a, this.cfg, peers, a.kind === 'rare_hour' ? this.hoursAway(a) : undefined);
    const before = this.seen.get(a.id);
    if (before !== undefined && before.score >= scored.score) return undefined;
    this.seen.set(a.id, { score: scored.score, at: a.at });
    if (this.seen.size > 200_000) for (const [id, x] of this.seen) if (x.at < a.at - 2 * 86_400_000) this.seen.delete(id);
    return scored;
  }

  /** Hours between an anomaly's hour of day and the nearest hour the user usually works (undefined without a profile). */
  private hoursAway(a: Anomaly): number | undefined {
    const p = a.entityType === 'user' ? this.profiles.users.get(a.entity) : undefined;
    if (!p || p.rows < 1) return undefined;
    const hod = Number(a.observed) % 24;
    let best: number | undefined;
    for (let h = 0; h < 24; h++) {
      if (p.hours[h]! < 0.5) continue;
      const d = Math.min(Math.abs(h - hod), 24 - Math.abs(h - hod));
      if (best === undefined || d < best) best = d;
    }
    return best;
  }

  /** The entities an anomaly counts against: its own, and a dataset or host it first touched. */
  private targets(a: ScoredAnomaly): { type: EntityType; id: string; department: string | null }[] {
    const out: { type: EntityType; id: string; department: string | null }[] = [{ type: a.entityType, id: a.entity, department: a.department }];
    if (a.feature === 'new_dataset' && a.value) out.push({ type: 'dataset', id: a.value, department: this.datasetDepartments.get(a.value) ?? null });
    return out;
  }

  private related(a: ScoredAnomaly): RiskInput['related'] {
    const out: { type: 'user' | 'host' | 'ip' | 'dataset'; value: string }[] = [];
    if (a.entityType !== 'user') out.push({ type: a.entityType, value: a.entity });
    if (a.feature === 'new_dataset' && a.value) out.push({ type: 'dataset', value: a.value });
    if (a.feature === 'new_host' && a.value) out.push({ type: 'host', value: a.value });
    return out;
  }

  private addInput(target: { type: EntityType; id: string; department: string | null }, a: ScoredAnomaly): Signal | undefined {
    const key = entityKey(target.type, target.id);
    let risk = this.risks.get(key);
    if (!risk) {
      risk = {
        type: target.type,
        id: target.id,
        department: target.department,
        criticality: 1,
        inputs: new Map(),
        current: null,
        alerted: null,
        history: [],
        anomalies: [],
      };
      this.risks.set(key, risk);
    }
    if (target.department && !risk.department) risk.department = target.department;
    // One risk input per behaviour and hour: the strongest of a feature family's anomalies.
    const family = featureDef(a)?.family;
    const inputId = family ? `${a.entityType}|${a.entity}|${a.hour}|${family}` : a.id;
    const prev = risk.inputs.get(inputId);
    if (prev && prev.score >= a.score) {
      risk.inputs.set(inputId, { ...prev, eventIds: [...new Set([...prev.eventIds, ...a.eventIds])].slice(0, 20) });
      this.keepAnomaly(risk, a);
      this.dirtyRisks.add(key);
      return undefined;
    }
    // An anomaly of another entity (a user's first access to a dataset) weighs as that kind of entity's evidence.
    const score = target.type === a.entityType ? a.score : Math.round(a.score * this.cfg.risk.entities[target.type] * 100) / 100;
    const input: RiskInput = {
      id: inputId,
      anomaly: a.id,
      at: prev ? Math.min(prev.at, a.at) : a.at,
      score,
      kind: a.kind,
      feature: a.feature,
      summary: a.summary,
      eventIds: [...new Set([...(prev?.eventIds ?? []), ...a.eventIds])].slice(0, 20),
      related: this.related(a),
    };
    risk.inputs.set(inputId, input);
    this.keepAnomaly(risk, a);
    this.dirtyRisks.add(key);
    const at = Math.max(a.at, risk.current?.at ?? Number.NEGATIVE_INFINITY);
    const windowMs = this.cfg.risk.windowDays * 86_400_000;
    for (const [id, x] of risk.inputs) if (x.at < at - windowMs) risk.inputs.delete(id);
    const current = riskOf(risk.inputs.values(), at, this.cfg, risk.criticality);
    const last = risk.history.at(-1);
    if (!last || Math.abs(last.score - current.score) >= 0.5 || last.level !== current.level) {
      risk.history.push({ at, score: current.score, level: current.level });
      if (risk.history.length > KEEP_HISTORY) risk.history.splice(0, risk.history.length - KEEP_HISTORY);
    }
    risk.current = current;
    const alertRank = RISK_LEVELS.indexOf(this.cfg.risk.alertLevel);
    if (levelRank(current.level) < alertRank) {
      risk.alerted = null;
      return undefined;
    }
    if (risk.alerted !== null && levelRank(current.level) <= levelRank(risk.alerted)) return undefined;
    risk.alerted = current.level as RiskLevel;
    return this.crossingSignal(risk, current, a.at);
  }

  private keepAnomaly(risk: EntityRisk, a: ScoredAnomaly): void {
    const i = risk.anomalies.findIndex((x) => x.id === a.id);
    if (i >= 0) risk.anomalies[i] = a;
    else risk.anomalies.push(a);
    if (risk.anomalies.length > KEEP_ANOMALIES) risk.anomalies.splice(0, risk.anomalies.length - KEEP_ANOMALIES);
  }

  private crossingSignal(risk: EntityRisk, score: RiskScore, at: number): Signal {
    const level = score.level as RiskLevel;
    const inputs = [...risk.inputs.values()].filter((x) => x.at <= at);
    const entities: AlertEntity[] = [{ type: risk.type, value: risk.id }];
    for (const x of inputs) for (const r of x.related) if (!entities.some((e) => e.type === r.type && e.value === r.value)) entities.push(r);
    const top = score.contributions;
    const features = [...new Set(top.map((c) => c.feature))];
    const first = Math.min(...inputs.map((x) => x.at));
    const typeZh = { user: '用户', host: '主机', dataset: '数据集' }[risk.type];
    return {
      id: signalId('ueba-risk', risk.type, risk.id, level, String(Math.floor(at / HOUR))),
      rule: {
        id: `ueba.risk.${risk.type}.${level}`,
        name: `UEBA: ${risk.type} risk ${level} / ${typeZh}风险${{ low: '低', moderate: '中', high: '高', critical: '严重' }[level]}`,
        type: 'ueba',
        severity: SEVERITY[level],
        tags: ['ueba', `ueba.${risk.type}`, ...features.map((f) => `ueba.feature.${f}`)],
      },
      time: new Date(at).toISOString(),
      firstSeen: new Date(first).toISOString(),
      lastSeen: new Date(at).toISOString(),
      dedupKey: `ueba:risk:${risk.type}:${risk.id}`,
      entities: entities.slice(0, 20),
      departments: risk.department ? [risk.department] : [],
      eventIds: [...new Set(inputs.flatMap((x) => x.eventIds))].slice(0, KEEP_EVENT_IDS),
      count: Math.max(1, score.inputs),
      risk: Math.round(Math.min(100, score.score)),
      reason: {
        summary: {
          zh: `${typeZh} ${risk.id} 风险 ${score.score.toFixed(1)}（${level}），主要因为：${top
            .slice(0, 3)
            .map((c) => c.summary.zh)
            .join('；')}`,
          en: `${risk.type} ${risk.id} risk ${score.score.toFixed(1)} (${level}), mainly: ${top
            .slice(0, 3)
            .map((c) => c.summary.en)
            .join('; ')}`,
        },
        entity: { type: risk.type, id: risk.id, department: risk.department },
        score: score.score,
        level,
        criticality: score.criticality,
        windowDays: this.cfg.risk.windowDays,
        halfLifeDays: this.cfg.risk.halfLifeDays,
        contributions: top.map((c) => {
          const a = risk.anomalies.find((x) => x.id === risk.inputs.get(c.id)?.anomaly);
          return {
            ...c,
            at: new Date(c.at).toISOString(),
            ...(a?.observed !== undefined ? { observed: a.observed } : {}),
            ...(a?.baseline ? { baseline: a.baseline } : {}),
            ...(a?.peers ? { peers: a.peers } : {}),
          };
        }),
      },
      provenance: { engine: this.engine },
    };
  }

  private anomalySignal(a: ScoredAnomaly): Signal {
    return {
      id: signalId('ueba-anomaly-signal', a.id),
      rule: {
        id: `ueba.anomaly.${a.feature}`,
        name: `UEBA anomaly: ${a.feature}`,
        type: 'ueba',
        severity: a.score >= 70 ? 'medium' : 'low',
        tags: ['ueba', 'ueba.anomaly', `ueba.feature.${a.feature}`],
      },
      time: new Date(a.at).toISOString(),
      firstSeen: new Date(a.hour).toISOString(),
      lastSeen: new Date(a.at).toISOString(),
      dedupKey: `ueba:anomaly:${a.entityType}:${a.entity}:${a.feature}`,
      entities: [{ type: a.entityType, value: a.entity }, ...(a.feature === 'new_dataset' && a.value ? [{ type: 'dataset' as const, value: a.value }] : [])],
      departments: a.department ? [a.department] : [],
      eventIds: [...a.eventIds],
      count: 1,
      risk: Math.round(a.score),
      reason: {
        summary: a.summary,
        feature: a.feature,
        kind: a.kind,
        observed: a.observed,
        ...(a.baseline ? { baseline: a.baseline } : {}),
        ...(a.peers ? { peers: a.peers } : {}),
        score: a.score,
      },
      provenance: { engine: this.engine },
    };
  }
}
