/**
 * The embedded UEBA engine: reads each event once, updates the open hour of every entity it
 * concerns (user, host, dataset), and judges it as it goes. An anomaly is reported by the event
 * that makes it — a value crossing its baseline, the first activity after a long silence or at an
 * hour never worked, a first contact with a dataset — so a risk can cross its level seconds after
 * the event, not when the hour ends. Features, counts and sums only grow within an hour, so what
 * is reported early is what the closed hour shows; closed hours (final once the event-time
 * watermark passes them) feed the baselines exactly as Flink's OVER windows do.
 */
import type { Doc } from '../../../core/doc';
import type { UebaConfig } from '../config';
import { offsetMs } from '../config';
import { compileExtractor, type ColumnName, type Row } from '../features/columns';
import { ENTITY_SETS, RARITY, modeled, type EntitySet, type EntityType, type FeatureDef } from '../features/definitions';
import { compilePredicate } from '../features/predicate';
import { Baseline, binOf, nearCount, scaled, type PendingRow } from './baseline';
import {
  anomaliesOfRow,
  anomalyId,
  classificationOfRank,
  IDLE,
  RARE_HOUR,
  type Anomaly,
  type FeatureStats,
  type FirstSeenRow,
  type HourRow,
  type UserDatasetHour,
} from './rows';

export const HOUR = 3_600_000;
export const DAY = 86_400_000;
/** Event ids kept per anomaly as evidence. */
const EVIDENCE = 5;

interface CompiledFeature {
  readonly def: FeatureDef;
  readonly index: number;
  /** Index among modelled features, -1 if not modelled. */
  readonly m: number;
  readonly where: (r: Row) => boolean;
  readonly of: ColumnName | undefined;
}

interface CompiledSet {
  readonly set: EntitySet;
  readonly where: (r: Row) => boolean;
  readonly features: readonly CompiledFeature[];
  readonly modelled: readonly CompiledFeature[];
}

export class OpenHour {
  readonly values: Float64Array;
  readonly sets: (Set<string> | undefined)[];
  department: string | undefined;
  role: string | undefined;
  /** Features (and hour_of_week / idle_hours) already reported this hour. */
  readonly fired = new Set<string>();
  /** When each feature reported early was reported (the event that crossed). */
  readonly reportedAt = new Map<string, number>();
  readonly evidence: string[] = [];
  /** A user's events per dataset this hour (for peer profiles). */
  datasets: Map<string, number> | undefined;

  constructor(
    readonly hour: number,
    width: number,
  ) {
    this.values = new Float64Array(width);
    this.sets = new Array<Set<string> | undefined>(width);
  }
}

export class EntityState {
  /** Hours not yet final, oldest first (usually one). */
  open: OpenHour[] = [];
  /** The last closed hour; later events for it or before it are late. */
  lastClosed: number | null = null;
  /** The hour before the open ones in which the entity was last active. */
  prevHour: number | null = null;
  /** Its department as last seen (for who may see it). */
  department: string | null = null;

  constructor(
    readonly type: EntityType,
    readonly key: string,
    readonly baseline: Baseline,
  ) {}
}

export class RarityState {
  firstActive: number | null = null;
  /** value → last hour seen, per kind. */
  readonly seen = new Map<string, Map<string, number>>();
}

export interface EngineOutput {
  readonly rows: HourRow[];
  readonly firstSeen: FirstSeenRow[];
  readonly userDatasetHours: UserDatasetHour[];
  readonly anomalies: Anomaly[];
}

export interface EngineCounters {
  events: number;
  late: number;
  withoutTime: number;
}

export class FeatureEngine {
  private readonly extract = compileExtractor();
  private readonly sets: CompiledSet[];
  private readonly rarity = RARITY.map((k) => ({ kind: k, where: compilePredicate(k.where) }));
  private readonly off: number;
  private readonly lateness: number;
  private readonly learning: number;
  private readonly ttl: number;
  private readonly dormantHours: number;
  readonly states = new Map<EntityType, Map<string, EntityState>>();
  readonly rarityStates = new Map<string, RarityState>();
  private readonly openHours = new Map<number, Set<EntityState>>();
  /** The earliest moment an open hour or day becomes final. */
  private nextDue = Number.POSITIVE_INFINITY;
  watermark = Number.NEGATIVE_INFINITY;
  private maxTime = Number.NEGATIVE_INFINITY;
  readonly counters: EngineCounters = { events: 0, late: 0, withoutTime: 0 };
  /** Entities changed since the last takeDirty(). */
  private readonly dirty = new Set<EntityState>();
  private readonly dirtyUsers = new Set<string>();
  private out: EngineOutput = { rows: [], firstSeen: [], userDatasetHours: [], anomalies: [] };

  constructor(
    readonly config: UebaConfig,
    entitySets: readonly EntitySet[] = ENTITY_SETS,
  ) {
    this.off = offsetMs(config.utcOffset);
    this.lateness = config.latenessMinutes * 60_000;
    this.learning = config.rarity.learningDays * DAY;
    this.ttl = config.stateTtlDays * DAY;
    this.dormantHours = config.dormancy.days * 24;
    this.sets = entitySets.map((set) => {
      let m = 0;
      const features = set.features.map((def, index) => ({ def, index, m: def.model ? m++ : -1, where: compilePredicate(def.where), of: def.of }));
      return { set, where: compilePredicate(set.where), features, modelled: features.filter((f) => f.m >= 0) };
    });
    for (const s of entitySets) this.states.set(s.entity, new Map());
  }

  /** Start of the city-time hour containing t, epoch ms. */
  hourOf(t: number): number {
    return Math.floor((t + this.off) / HOUR) * HOUR - this.off;
  }

  /** Monday 00:00 = 0 … Sunday 23:00 = 167, and whether it is a weekend, in city time. */
  hourOfWeek(hour: number): { how: number; weekend: boolean; hod: number } {
    const local = new Date(hour + this.off);
    const dow = local.getUTCDay();
    const hod = local.getUTCHours();
    return { how: ((dow + 6) % 7) * 24 + hod, weekend: dow === 0 || dow === 6, hod };
  }

  /** Processes one ECS event. Anomalies it makes are in the next drain(). */
  process(doc: Doc): void {
    this.counters.events++;
    const ts = doc['@timestamp'];
    const t = typeof ts === 'string' ? Date.parse(ts) : Number.NaN;
    if (Number.isNaN(t)) {
      this.counters.withoutTime++;
      return;
    }
    const row = this.extract(doc);
    if (t > this.maxTime) {
      this.maxTime = t;
      this.watermark = t - this.lateness;
      if (this.watermark >= this.nextDue) this.advance();
    }
    let userAccepted = false;
    for (const cs of this.sets) {
      const accepted = this.processSet(cs, row, t);
      if (cs.set.entity === 'user') userAccepted = accepted;
    }
    if (userAccepted) this.processRarity(row, t);
  }

  private processSet(cs: CompiledSet, row: Row, t: number): boolean {
    const key = row[cs.set.key];
    if (key === undefined || !cs.where(row)) return false;
    const hour = this.hourOf(t);
    const states = this.states.get(cs.set.entity)!;
    let st = states.get(String(key));
    if (st && st.lastClosed !== null && hour <= st.lastClosed) {
      this.counters.late++;
      return false;
    }
    let i = st ? st.open.findIndex((o) => o.hour >= hour) : -1;
    let bucket = st && i >= 0 && st.open[i]!.hour === hour ? st.open[i] : undefined;
    if (!bucket) {
      if (hour + HOUR - 1 <= this.watermark) {
        this.counters.late++;
        return false;
      }
      if (!st) {
        st = new EntityState(cs.set.entity, String(key), new Baseline(this.config.baseline.window, cs.modelled.length));
        states.set(st.key, st);
      }
      bucket = new OpenHour(hour, cs.features.length);
      if (i < 0) i = st.open.length;
      st.open.splice(i, 0, bucket);
      let hs = this.openHours.get(hour);
      if (!hs) this.openHours.set(hour, (hs = new Set()));
      hs.add(st);
      this.nextDue = Math.min(this.nextDue, hour + HOUR - 1);
    }
    this.dirty.add(st!);
    const state = st!;
    for (const f of cs.features) {
      if (!f.where(row)) continue;
      const d = f.def;
      if (d.agg === 'count') bucket.values[f.index]!++;
      else if (d.agg === 'sum') {
        const x = row[f.of!];
        if (typeof x === 'number') bucket.values[f.index]! += x;
      } else if (d.agg === 'distinct') {
        const x = row[f.of!];
        if (x === undefined) continue;
        let s = bucket.sets[f.index];
        if (!s) bucket.sets[f.index] = s = new Set();
        if (s.has(String(x))) continue;
        s.add(String(x));
        bucket.values[f.index] = s.size;
      } else {
        const x = row[f.of!];
        const r = x === undefined ? 0 : (d.rank?.[String(x)] ?? 0);
        if (r > bucket.values[f.index]!) bucket.values[f.index] = r;
      }
    }
    const dep = row[cs.set.department];
    if (dep !== undefined && (bucket.department === undefined || String(dep) > bucket.department)) bucket.department = String(dep);
    const role = cs.set.role === undefined ? undefined : row[cs.set.role];
    if (role !== undefined && (bucket.role === undefined || String(role) > bucket.role)) bucket.role = String(role);
    if (cs.set.entity === 'user' && row.dataset !== undefined) (bucket.datasets ??= new Map()).set(row.dataset, (bucket.datasets.get(row.dataset) ?? 0) + 1);
    const eventId = row.event_id;
    if (eventId !== undefined && bucket.evidence.length < EVIDENCE) bucket.evidence.push(eventId);
    this.judgeEarly(cs, state, bucket, t, eventId);
    return true;
  }

  private pendingBefore(cs: CompiledSet, st: EntityState, bucket: OpenHour): PendingRow[] {
    const out: PendingRow[] = [];
    for (const o of st.open) {
      if (o === bucket) break;
      out.push({ v: this.scaledValues(cs, o), bin: this.binOfHour(o.hour) });
    }
    return out;
  }

  private scaledValues(cs: CompiledSet, o: OpenHour): Float64Array {
    const v = new Float64Array(cs.modelled.length);
    for (const f of cs.modelled) v[f.m] = scaled(f.def.model!.scale, o.values[f.index]!);
    return v;
  }

  private binOfHour(hour: number): number {
    const w = this.hourOfWeek(hour);
    return binOf(w.weekend, w.hod);
  }

  /** The previous active hour before `bucket`: an earlier open hour, else the last closed one. */
  private previousHour(st: EntityState, bucket: OpenHour): number | null {
    const i = st.open.indexOf(bucket);
    return i > 0 ? st.open[i - 1]!.hour : st.prevHour;
  }

  private judgeEarly(cs: CompiledSet, st: EntityState, bucket: OpenHour, t: number, eventId: string | undefined): void {
    const pending = this.pendingBefore(cs, st, bucket);
    const base = st.baseline.withPending(pending);
    const cfg = this.config;
    const maxClass = cs.features.find((f) => f.def.name === 'max_classification');
    const classification = maxClass ? classificationOfRank(bucket.values[maxClass.index]) : undefined;
    const report = (feature: string, kind: Anomaly['kind'], observed: number, baseline?: Anomaly['baseline']) => {
      bucket.fired.add(feature);
      bucket.reportedAt.set(feature, t);
      this.out.anomalies.push({
        id: anomalyId(cs.set.entity, st.key, bucket.hour, feature),
        entityType: cs.set.entity,
        entity: st.key,
        department: bucket.department ?? null,
        hour: bucket.hour,
        at: t,
        kind,
        feature,
        observed,
        ...(baseline ? { baseline } : {}),
        ...(classification ? { classification } : {}),
        eventIds: eventId === undefined ? [] : [eventId],
      });
    };
    if (!bucket.fired.has(IDLE)) {
      const prev = this.previousHour(st, bucket);
      const gap = prev === null ? 0 : (bucket.hour - prev) / HOUR;
      if (gap >= this.dormantHours) report(IDLE, 'dormant', gap);
      else bucket.fired.add(IDLE); // decided once, at the hour's first event
    }
    if (!bucket.fired.has(RARE_HOUR)) {
      if (cs.set.hourOfWeek && base.count >= cfg.hourOfWeek.minObservations && nearCount(base.bins, this.binOfHour(bucket.hour)) === 0)
        report(RARE_HOUR, 'rare_hour', this.hourOfWeek(bucket.hour).how);
      else bucket.fired.add(RARE_HOUR);
    }
    if (base.count < cfg.baseline.minObservations) return;
    for (const f of cs.modelled) {
      if (bucket.fired.has(f.def.name)) continue;
      const x = bucket.values[f.index]!;
      const s = base.stats(f.m, scaled(f.def.model!.scale, x), f.def.model!.minStd);
      if (s.z >= (f.def.model!.zThreshold ?? cfg.baseline.zThreshold)) report(f.def.name, 'numeric', x, { mean: s.mean, std: s.std, n: base.count, z: s.z });
    }
  }

  private processRarity(row: Row, t: number): void {
    const user = row.user!;
    const hour = this.hourOf(t);
    let rs = this.rarityStates.get(user);
    if (!rs) this.rarityStates.set(user, (rs = new RarityState()));
    for (const { kind, where } of this.rarity) {
      const v = row[kind.of];
      if (v === undefined || !where(row)) continue;
      if (rs.firstActive === null || hour < rs.firstActive) rs.firstActive = hour;
      let seen = rs.seen.get(kind.kind);
      if (!seen) rs.seen.set(kind.kind, (seen = new Map()));
      const value = String(v);
      const last = seen.get(value);
      // Flink forgets a key idle for the state TTL; so does this.
      const isNew = last === undefined || hour - last > this.ttl;
      if (last === undefined || hour > last) seen.set(value, hour);
      this.dirtyUsers.add(user);
      if (!isNew || hour < rs.firstActive + this.learning) continue;
      const classification = kind.kind === 'dataset' ? (row.classification ?? null) : null;
      const fs: FirstSeenRow = { entity: user, kind: kind.kind, value, hour, firstActive: rs.firstActive, classification };
      this.out.firstSeen.push(fs);
      this.out.anomalies.push({
        id: anomalyId('user', user, hour, `new_${kind.kind}`, value),
        entityType: 'user',
        entity: user,
        department: row.user_department ?? null,
        hour,
        at: t,
        kind: 'first_seen',
        feature: `new_${kind.kind}`,
        observed: value,
        value,
        ...(classification ? { classification } : {}),
        eventIds: row.event_id === undefined ? [] : [row.event_id],
      });
    }
  }

  /** Closes every hour the watermark has passed (or everything, at the end of a replay). */
  advance(until = this.watermark): void {
    const hours = [...this.openHours.keys()].filter((h) => h + HOUR - 1 <= until).sort((a, b) => a - b);
    for (const h of hours) {
      for (const st of this.openHours.get(h)!) this.closeThrough(st, h);
      this.openHours.delete(h);
    }
    this.nextDue = Number.POSITIVE_INFINITY;
    for (const h of this.openHours.keys()) this.nextDue = Math.min(this.nextDue, h + HOUR - 1);
  }

  /** Everything open becomes final (end of a bounded replay). */
  flush(): void {
    this.advance(Number.POSITIVE_INFINITY);
  }

  private closeThrough(st: EntityState, hour: number): void {
    const cs = this.sets.find((s) => s.set.entity === st.type)!;
    while (st.open.length > 0 && st.open[0]!.hour <= hour) {
      const bucket = st.open.shift()!;
      if (bucket.hour !== hour) this.openHours.get(bucket.hour)?.delete(st);
      this.closeBucket(cs, st, bucket);
    }
    this.dirty.add(st);
  }

  private closeBucket(cs: CompiledSet, st: EntityState, bucket: OpenHour): void {
    const cfg = this.config;
    const base = st.baseline;
    const v = this.scaledValues(cs, bucket);
    const values: Record<string, number> = {};
    for (const f of cs.features) values[f.def.name] = bucket.values[f.index]!;
    const stats: Record<string, FeatureStats | null> = {};
    const flagged: string[] = [];
    for (const f of cs.modelled) {
      if (base.count < cfg.baseline.minObservations) {
        stats[f.def.name] = null;
        continue;
      }
      const s = base.stats(f.m, v[f.m]!, f.def.model!.minStd);
      stats[f.def.name] = s;
      if (s.z >= (f.def.model!.zThreshold ?? cfg.baseline.zThreshold)) flagged.push(f.def.name);
    }
    const w = this.hourOfWeek(bucket.hour);
    const bin = binOf(w.weekend, w.hod);
    const gapHours = st.prevHour === null ? 0 : (bucket.hour - st.prevHour) / HOUR;
    const nearPrior = nearCount(base.bins, bin);
    const row: HourRow = {
      entityType: cs.set.entity,
      entity: st.key,
      hour: bucket.hour,
      hourOfWeek: w.how,
      department: bucket.department ?? null,
      role: bucket.role ?? null,
      values,
      nPrev: base.count,
      stats,
      flagged,
      gapHours,
      dormant: gapHours >= this.dormantHours,
      nearPrior,
      rareHour: cs.set.hourOfWeek && base.count >= cfg.hourOfWeek.minObservations && nearPrior === 0,
    };
    this.out.rows.push(row);
    if (bucket.datasets)
      for (const [dataset, events] of [...bucket.datasets].sort((a, b) => (a[0] < b[0] ? -1 : 1)))
        this.out.userDatasetHours.push({ user: st.key, dataset, hour: bucket.hour, events });
    // Anomalies reported early come again with the hour's final value (same id: the scorer keeps one).
    for (const a of anomaliesOfRow(row))
      this.out.anomalies.push({ ...a, at: bucket.reportedAt.get(a.feature) ?? bucket.hour + HOUR - 1, final: true, eventIds: bucket.evidence });
    base.push(v, bin);
    if (bucket.department !== undefined) st.department = bucket.department;
    st.prevHour = bucket.hour;
    st.lastClosed = bucket.hour;
  }

  /** What was produced since the last drain. */
  drain(): EngineOutput {
    const out = this.out;
    this.out = { rows: [], firstSeen: [], userDatasetHours: [], anomalies: [] };
    return out;
  }

  /** Entity states and users changed since the last call (what a checkpoint must write). */
  takeDirty(): { entities: EntityState[]; users: string[] } {
    const r = { entities: [...this.dirty], users: [...this.dirtyUsers] };
    this.dirty.clear();
    this.dirtyUsers.clear();
    return r;
  }

  /** Puts back a state read from storage. */
  restoreEntity(st: EntityState): void {
    this.states.get(st.type)!.set(st.key, st);
    for (const o of st.open) {
      let hs = this.openHours.get(o.hour);
      if (!hs) this.openHours.set(o.hour, (hs = new Set()));
      hs.add(st);
      this.nextDue = Math.min(this.nextDue, o.hour + HOUR - 1);
    }
  }

  restoreUser(user: string, rarity: RarityState): void {
    this.rarityStates.set(user, rarity);
  }

  restoreClock(watermark: number, maxTime: number): void {
    this.watermark = watermark;
    this.maxTime = maxTime;
  }

  get clock(): { watermark: number; maxTime: number } {
    return { watermark: this.watermark, maxTime: this.maxTime };
  }

  widthOf(type: EntityType): { features: number; modelled: number } {
    const cs = this.sets.find((s) => s.set.entity === type)!;
    return { features: cs.features.length, modelled: cs.modelled.length };
  }

  /** Every entity the engine knows, for the API's baseline view. */
  state(type: EntityType, key: string): EntityState | undefined {
    return this.states.get(type)?.get(key);
  }

  modelledFeatures(type: EntityType): readonly FeatureDef[] {
    return modeled(this.sets.find((s) => s.set.entity === type)!.set);
  }
}
