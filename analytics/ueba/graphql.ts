/** GraphQL over the UEBA service: two root fields, each a thin adapter over one bound action. */
import type { Bound } from '../../core/door';
import { type GraphQLContribution, viaService } from '../../core/module';
import type { RiskyEntitiesInput, UebaActions } from './service';

export const uebaTypeDefs = /* GraphQL */ `
  "A sentence in Chinese and English."
  type UebaText {
    zh: String!
    en: String!
  }
  "One risk input's part in an entity's risk: the anomaly, its score, and how much of the risk it makes."
  type RiskContribution {
    "The anomaly's risk input id."
    id: ID!
    "The feature (records_exported, hour_of_week, new_dataset, idle_hours, ...)."
    feature: String!
    "numeric, rare_hour, dormant, first_seen or frequency."
    kind: String!
    at: String!
    "0..100, before decay."
    score: Float!
    decayed: Float!
    "Points of the entity's risk it accounts for."
    points: Float!
    "Its share of the risk, 0..1."
    share: Float!
    summary: UebaText!
  }
  "An entity's risk: the ranked, decayed sum of its anomalies over the risk window."
  type EntityRisk {
    "<type>:<id>, what entity(id) takes."
    key: ID!
    "user, host or dataset."
    type: String!
    id: String!
    department: String
    "0..100."
    score: Float!
    "none, low, moderate, high or critical."
    level: String!
    "The odds multiplier of the entity's criticality (a dataset's classification, a host's asset criticality)."
    criticality: Float!
    "When its risk last changed."
    at: String
    "Risk inputs inside the window."
    inputs: Int!
    contributions: [RiskContribution!]!
  }
  "Risky entities, highest risk first."
  type EntityRiskPage {
    total: Int!
    "The time risks are computed at: the latest event seen."
    asOf: String!
    entities: [EntityRisk!]!
  }
  "What an entity usually does: one feature's baseline over its recent active hours."
  type FeatureBaseline {
    feature: String!
    label: UebaText!
    "log (compared as ln(1 + x)) or linear."
    scale: String!
    mean: Float!
    std: Float!
    "The mean in the feature's own unit."
    typical: Float!
    "Active hours the baseline is made of."
    observations: Int!
  }
  "A user the entity is compared with, and the memberships they share (dataset:…, department:…, role:…)."
  type UebaPeer {
    user: String!
    similarity: Float!
    shared: [String!]!
  }
  "A user's peer groups: the behaviour cluster and the department/role group, and the top peers."
  type UebaPeers {
    computedAt: String!
    cluster: Int!
    staticGroup: String!
    peers: [UebaPeer!]!
  }
  "The baseline an anomaly was judged against (mean and std in the feature's scale)."
  type AnomalyBaseline {
    mean: Float!
    std: Float!
    n: Int!
    z: Float!
  }
  "How the user's peers compare: how many do it, what they typically do, and the verdict."
  type PeerComparison {
    peers: Int!
    doing: Int!
    peerMean: Float
    peerZ: Float
    "uncommon, common or usual."
    verdict: String!
  }
  "Something an entity did that its baseline or its peers say is unusual."
  type UebaAnomaly {
    id: ID!
    kind: String!
    feature: String!
    "The hour it happened in."
    hour: String!
    at: String!
    observed: String!
    "0..100 as a risk input."
    score: Float!
    summary: UebaText!
    baseline: AnomalyBaseline
    peers: PeerComparison
    eventIds: [String!]!
  }
  "A point of an entity's risk over time."
  type RiskPoint {
    at: String!
    score: Float!
    level: String!
  }
  "One entity's page: its risk and what makes it, its baselines, peers, anomalies and risk history."
  type EntityDetail {
    entity: EntityRisk!
    baseline: [FeatureBaseline!]!
    "Active hours of its baseline per hour of day: 24 weekday values, then 24 weekend values."
    activeHours: [Int!]!
    peers: UebaPeers
    anomalies: [UebaAnomaly!]!
    riskHistory: [RiskPoint!]!
  }

  extend type Query {
    "Entities (users, hosts, datasets) ranked by risk; type: user, host or dataset; level: the lowest level shown."
    riskyEntities(department: String, type: String, level: String, size: Int, offset: Int): EntityRiskPage!
    "One entity by its key, such as user:zhangwei or dataset:ga.hukou."
    entity(id: ID!): EntityDetail!
  }
`;

export function uebaGraphQL(svc: Bound<UebaActions>): GraphQLContribution {
  return {
    typeDefs: uebaTypeDefs,
    resolvers: {
      Query: {
        riskyEntities: viaService(svc.riskyEntities, (a) => a as RiskyEntitiesInput),
        entity: viaService(svc.entity, (a) => ({ id: String(a.id) })),
      },
    },
  };
}
