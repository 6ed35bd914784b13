/**
 * The UEBA application service: the ranked list of risky entities and one entity's page (its
 * risk and what makes it, its baselines, its peers, its anomalies, its risk over time). Both go
 * through the door with the permission `entities:read`; the PDP's row filter for `entities`
 * (on the entity's department) decides which entities a caller sees, so a department admin sees
 * its own department's users and datasets and an auditor every entity. One entity answers
 * NOT_FOUND alike for absent and not-yours.
 */
import type { Doc } from '../../core/doc';
import { defineAction } from '../../core/door';
import { CitySocError } from '../../core/errors';
import { evaluate } from '../../core/query/evaluate';
import { RISK_LEVELS, type RiskLevel, type UebaConfig } from './config';
import type { EntityType } from './features/definitions';
import type { PeerAssignment } from './peers/groups';
import { levelRank, riskOf, type RiskContribution } from './risk/risk';
import type { ScoredAnomaly } from './risk/scoring';
import type { EntityRisk } from './scorer';

/** What the service reads; the embedded runtime (or a cluster reader of Flink's output) provides it. */
export interface UebaReadModel {
  /** "Now" for risk: the latest event time seen (a replay of last month is scored as of last month). */
  asOf(): number;
  risks(): Iterable<EntityRisk>;
  risk(type: EntityType, id: string): EntityRisk | undefined;
  /** An entity the engines know (with or without risk), and its department. */
  known(type: EntityType, id: string): { readonly department: string | null } | undefined;
  /** The entity's current baselines, per modelled feature. */
  baseline(type: EntityType, id: string): readonly FeatureBaseline[];
  /** Active hours of its baseline per hour of day, weekdays then weekends (48 numbers). */
  activeHours(type: EntityType, id: string): readonly number[];
  peers(user: string): { readonly computedAt: number; readonly assignment: PeerAssignment } | undefined;
}

export interface FeatureBaseline {
  readonly feature: string;
  readonly label: { readonly zh: string; readonly en: string };
  readonly scale: 'log' | 'linear';
  /** In the feature's scale. */
  readonly mean: number;
  readonly std: number;
  /** The mean back in the feature's own unit (records, exports, ...). */
  readonly typical: number;
  readonly observations: number;
}

export const ENTITY_TYPES = ['user', 'host', 'dataset'] as const;

export interface RiskyEntitiesInput {
  readonly department?: string | null;
  readonly type?: string | null;
  /** At or above this level. */
  readonly level?: string | null;
  readonly size?: number | null;
  readonly offset?: number | null;
}

export interface EntityRiskView {
  readonly key: string;
  readonly type: EntityType;
  readonly id: string;
  readonly department: string | null;
  readonly score: number;
  readonly level: RiskLevel | 'none';
  readonly criticality: number;
  readonly at: string | null;
  readonly inputs: number;
  readonly contributions: readonly (Omit<RiskContribution, 'at'> & { readonly at: string })[];
}

export interface EntityDetail {
  readonly entity: EntityRiskView;
  readonly baseline: readonly FeatureBaseline[];
  readonly activeHours: readonly number[];
  readonly peers: { readonly computedAt: string; readonly cluster: number; readonly staticGroup: string; readonly peers: PeerAssignment['peers'] } | null;
  readonly anomalies: readonly AnomalyView[];
  readonly riskHistory: readonly { readonly at: string; readonly score: number; readonly level: string }[];
}

export interface AnomalyView {
  readonly id: string;
  readonly kind: string;
  readonly feature: string;
  readonly hour: string;
  readonly at: string;
  readonly observed: string;
  readonly score: number;
  readonly summary: { readonly zh: string; readonly en: string };
  readonly baseline: ScoredAnomaly['baseline'] | null;
  readonly peers: {
    readonly peers: number;
    readonly doing: number;
    readonly peerMean: number | null;
    readonly peerZ: number | null;
    readonly verdict: string;
  } | null;
  readonly eventIds: readonly string[];
}

const MAX_PAGE = 500;

function view(r: EntityRisk, asOf: number, cfg: UebaConfig): EntityRiskView {
  const s = riskOf(r.inputs.values(), asOf, cfg, r.criticality);
  return {
    key: `${r.type}:${r.id}`,
    type: r.type,
    id: r.id,
    department: r.department,
    score: s.score,
    level: s.level,
    criticality: r.criticality,
    at: r.history.length > 0 ? new Date(r.history.at(-1)!.at).toISOString() : null,
    inputs: s.inputs,
    contributions: s.contributions.map((c) => ({ ...c, at: new Date(c.at).toISOString() })),
  };
}

function anomalyView(a: ScoredAnomaly): AnomalyView {
  return {
    id: a.id,
    kind: a.kind,
    feature: a.feature,
    hour: new Date(a.hour).toISOString(),
    at: new Date(a.at).toISOString(),
    observed: String(a.observed),
    score: a.score,
    summary: a.summary,
    baseline: a.baseline ?? null,
    peers: a.peers
      ? { peers: a.peers.peers, doing: a.peers.doing, peerMean: a.peers.peerMean ?? null, peerZ: a.peers.peerZ ?? null, verdict: a.peers.verdict }
      : null,
    eventIds: a.eventIds,
  };
}

/** "user:zhangwei" → type and id; the type must be one UEBA scores. */
export function parseEntityKey(key: string): { type: EntityType; id: string } {
  const i = typeof key === 'string' ? key.indexOf(':') : -1;
  const type = i > 0 ? key.slice(0, i) : '';
  const id = i > 0 ? key.slice(i + 1) : '';
  if (!(ENTITY_TYPES as readonly string[]).includes(type) || id === '' || id.length > 512)
    throw new CitySocError('INPUT_INVALID', `entity id ${JSON.stringify(String(key).slice(0, 80))}: expected <type>:<id> with type ${ENTITY_TYPES.join(', ')}`);
  return { type: type as EntityType, id };
}

function entityItem(r: { type: EntityType; id: string; department: string | null }) {
  return {
    kind: 'entity',
    id: `${r.type}:${r.id}`,
    doc: { type: r.type, id: r.id, ...(r.department ? { department: r.department } : {}) } as Doc,
    resource: { type: 'entities' as const, ...(r.department ? { department: r.department } : {}) },
  };
}

export function uebaActions(model: UebaReadModel, cfg: UebaConfig) {
  return {
    riskyEntities: defineAction({
      name: 'entities.risky',
      permission: 'entities:read',
      details: (i: RiskyEntitiesInput) => ({ department: i.department ?? null, type: i.type ?? null, level: i.level ?? null }),
      run: async (ctx, i: RiskyEntitiesInput) => {
        const size = i.size ?? 50;
        const offset = i.offset ?? 0;
        if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE) throw new CitySocError('INPUT_INVALID', `size must be 1..${MAX_PAGE}`);
        if (!Number.isInteger(offset) || offset < 0 || offset > 100_000) throw new CitySocError('INPUT_INVALID', 'offset must be 0..100000');
        if (i.type && !(ENTITY_TYPES as readonly string[]).includes(i.type))
          throw new CitySocError('INPUT_INVALID', `type ${i.type}: one of ${ENTITY_TYPES.join(', ')}`);
        if (i.level && !(RISK_LEVELS as readonly string[]).includes(i.level))
          throw new CitySocError('INPUT_INVALID', `level ${i.level}: one of ${RISK_LEVELS.join(', ')}`);
        const scope = ctx.scope('entities');
        const asOf = model.asOf();
        const minLevel = i.level ? levelRank(i.level as RiskLevel) : -1;
        const rows: EntityRiskView[] = [];
        for (const r of model.risks()) {
          if (i.type && r.type !== i.type) continue;
          if (i.department && r.department !== i.department) continue;
          const doc = entityItem(r).doc;
          if (!scope.filters.every((f) => evaluate(f, doc))) continue;
          const v = view(r, asOf, cfg);
          if (v.score <= 0 || levelRank(v.level) < minLevel) continue;
          rows.push(v);
        }
        rows.sort((a, b) => b.score - a.score || (a.key < b.key ? -1 : 1));
        ctx.note({ total: rows.length });
        return { total: rows.length, asOf: new Date(asOf).toISOString(), entities: scope.treat(rows.slice(offset, offset + size)) };
      },
    }),
    entity: defineAction({
      name: 'entities.get',
      permission: 'entities:read',
      resource: (i: { id: string }) => `entity:${String(i.id).slice(0, 200)}`,
      run: async (ctx, i: { id: string }): Promise<EntityDetail> => {
        const { type, id } = parseEntityKey(i.id);
        const known = model.known(type, id);
        if (!known) throw new CitySocError('NOT_FOUND', `no entity ${type}:${id}`);
        const r: EntityRisk = model.risk(type, id) ?? {
          type,
          id,
          department: known.department,
          criticality: 1,
          inputs: new Map(),
          current: null,
          alerted: null,
          history: [],
          anomalies: [],
        };
        ctx.item(entityItem({ type, id, department: r.department ?? known.department }));
        const p = type === 'user' ? model.peers(id) : undefined;
        return {
          entity: view(r, model.asOf(), cfg),
          baseline: model.baseline(type, id),
          activeHours: model.activeHours(type, id),
          peers: p
            ? {
                computedAt: new Date(p.computedAt).toISOString(),
                cluster: p.assignment.cluster,
                staticGroup: p.assignment.staticGroup,
                peers: p.assignment.peers,
              }
            : null,
          anomalies: [...r.anomalies].sort((a, b) => b.at - a.at).map(anomalyView),
          riskHistory: r.history.map((h) => ({ at: new Date(h.at).toISOString(), score: h.score, level: h.level })),
        };
      },
    }),
  };
}

export type UebaActions = ReturnType<typeof uebaActions>;
