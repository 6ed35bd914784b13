/**
 * UEBA entities: the most at-risk users, hosts and datasets (riskyEntities, ranked by the server)
 * and one entity's page (entity): baseline, peers, anomalies with their explanations, risk history
 * and contributions. A record's id is the entity key, `<type>:<id>`, which entity(id) takes.
 */
import type { GetListParams, GetOneParams } from 'ra-core';
import { graphql } from './graphql';
import { pageOf, present, type ResourceAdapter } from './resource';

export const ENTITY_TYPES = ['user', 'host', 'dataset'] as const;
/** The server's levels, lowest first; a level filter shows that level and above. */
export const RISK_LEVELS = ['low', 'moderate', 'high', 'critical'] as const;

export interface UebaText {
  zh: string;
  en: string;
}

export interface RiskContribution {
  id: string;
  feature: string;
  kind: string;
  at: string;
  score: number;
  decayed: number;
  points: number;
  share: number;
  summary: UebaText;
}

export interface EntityRisk {
  id: string;
  key: string;
  type: string;
  entityId: string;
  department: string | null;
  score: number;
  level: string;
  criticality: number;
  at: string | null;
  inputs: number;
  contributions: RiskContribution[];
}

export interface FeatureBaseline {
  feature: string;
  label: UebaText;
  scale: string;
  mean: number;
  std: number;
  typical: number;
  observations: number;
}

export interface UebaAnomaly {
  id: string;
  kind: string;
  feature: string;
  hour: string;
  at: string;
  observed: string;
  score: number;
  summary: UebaText;
  baseline: { mean: number; std: number; n: number; z: number } | null;
  peers: { peers: number; doing: number; peerMean: number | null; peerZ: number | null; verdict: string } | null;
  eventIds: string[];
}

export interface EntityDetail extends EntityRisk {
  baseline: FeatureBaseline[];
  activeHours: number[];
  peers: { computedAt: string; cluster: number; staticGroup: string; peers: { user: string; similarity: number; shared: string[] }[] } | null;
  anomalies: UebaAnomaly[];
  riskHistory: { at: string; score: number; level: string }[];
}

const RISK = /* GraphQL */ `
  fragment EntityRiskFields on EntityRisk {
    key
    type
    id
    department
    score
    level
    criticality
    at
    inputs
    contributions {
      id
      feature
      kind
      at
      score
      decayed
      points
      share
      summary {
        zh
        en
      }
    }
  }
`;

const LIST = /* GraphQL */ `
  query RiskyEntities($department: String, $type: String, $level: String, $size: Int, $offset: Int) {
    riskyEntities(department: $department, type: $type, level: $level, size: $size, offset: $offset) {
      total
      asOf
      entities {
        ...EntityRiskFields
      }
    }
  }
  ${RISK}
`;

const ONE = /* GraphQL */ `
  query Entity($id: ID!) {
    entity(id: $id) {
      entity {
        ...EntityRiskFields
      }
      baseline {
        feature
        label {
          zh
          en
        }
        scale
        mean
        std
        typical
        observations
      }
      activeHours
      peers {
        computedAt
        cluster
        staticGroup
        peers {
          user
          similarity
          shared
        }
      }
      anomalies {
        id
        kind
        feature
        hour
        at
        observed
        score
        summary {
          zh
          en
        }
        baseline {
          mean
          std
          n
          z
        }
        peers {
          peers
          doing
          peerMean
          peerZ
          verdict
        }
        eventIds
      }
      riskHistory {
        at
        score
        level
      }
    }
  }
  ${RISK}
`;

type ApiRisk = Omit<EntityRisk, 'entityId'>;

/** The API's entity id becomes entityId: react-admin's id is the key. */
function record(r: ApiRisk): EntityRisk {
  return { ...r, entityId: r.id, id: r.key };
}

export const entities: ResourceAdapter = {
  async getList(params: GetListParams) {
    const f = (params.filter ?? {}) as Record<string, unknown>;
    const vars: Record<string, unknown> = { ...pageOf(params.pagination) };
    for (const k of ['department', 'type', 'level'] as const) if (present(f[k])) vars[k] = f[k];
    const page = (await graphql<{ riskyEntities: { total: number; asOf: string; entities: ApiRisk[] } }>(LIST, vars)).riskyEntities;
    return { data: page.entities.map(record), total: page.total, meta: { asOf: page.asOf } };
  },
  async getOne(params: GetOneParams) {
    const d = (await graphql<{ entity: Omit<EntityDetail, keyof EntityRisk> & { entity: ApiRisk } }>(ONE, { id: String(params.id) })).entity;
    const { entity, ...rest } = d;
    return { data: { ...record(entity), ...rest } };
  },
};

/** The entity page's path for an alert's entity, when UEBA scores that type. */
export function entityPath(type: string, value: string): string | null {
  return (ENTITY_TYPES as readonly string[]).includes(type) ? `/entities/${encodeURIComponent(`${type}:${value}`)}/show` : null;
}
