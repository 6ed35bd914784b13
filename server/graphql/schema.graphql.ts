import { policyTypeDefs } from './policy';

const baseTypeDefs = /* GraphQL */ `
  "Any JSON value: ECS events, bucket keys."
  scalar JSON

  enum Role {
    admin
    analyst
    auditor
    department_admin
    collector
  }
  enum SortOrder {
    asc
    desc
  }
  enum AggType {
    terms
    date_histogram
    cardinality
  }
  enum AlertStatus {
    open
    acknowledged
    in_progress
    closed
  }
  enum Resolution {
    true_positive
    benign_positive
    false_positive
    duplicate
  }
  enum AuditDecision {
    allow
    deny
    success
    failure
    info
  }

  type User {
    username: String!
    roles: [Role!]!
    department: String
    mustChangePassword: Boolean!
    disabled: Boolean!
    createdAt: String!
  }
  type Me {
    name: String!
    kind: String!
    roles: [Role!]!
    department: String
    mustChangePassword: Boolean!
  }
  type Session {
    token: String!
    expiresAt: String!
    mustChangePassword: Boolean!
    me: Me!
  }
  type NewUser {
    user: User!
    oneTimePassword: String!
  }
  type ApiToken {
    id: String!
    name: String!
    roles: [Role!]!
    createdBy: String!
    createdAt: String!
    revoked: Boolean!
  }
  type NewApiToken {
    id: String!
    token: String!
  }

  input SortInput {
    field: String!
    order: SortOrder!
  }
  input AggInput {
    name: String!
    type: AggType!
    field: String
    size: Int
    interval: String
  }
  type EventPage {
    total: Int!
    events: [JSON!]!
    nextCursor: String
  }
  type Bucket {
    key: JSON!
    count: Int!
  }
  type AggResult {
    name: String!
    type: AggType!
    buckets: [Bucket!]
    value: Int
  }
  type Aggregations {
    total: Int!
    aggs: [AggResult!]!
  }

  type AlertRule {
    id: String!
    name: String!
    type: String!
    severity: String!
    tags: [String!]!
  }
  type AlertEntity {
    type: String!
    value: String!
  }
  type AlertHistory {
    at: String!
    actor: String!
    action: String!
    from: String
    to: String
    comment: String
  }
  type Alert {
    id: ID!
    rule: AlertRule!
    entities: [AlertEntity!]!
    eventIds: [String!]!
    firstSeen: String!
    lastSeen: String!
    count: Int!
    risk: Float!
    department: String
    status: AlertStatus!
    resolution: Resolution
    assignee: String
    history: [AlertHistory!]!
  }
  type AlertPage {
    total: Int!
    alerts: [Alert!]!
  }

  type AuditRecord {
    seq: Int!
    at: String!
    actor: String!
    actorType: String!
    action: String!
    resource: String!
    decision: AuditDecision!
    reason: String!
    sourceIp: String
    details: JSON
    prevHash: String!
    hash: String!
  }
  type AuditVerification {
    ok: Boolean!
    checked: Int!
    firstBadSeq: Int
    problem: String
  }

  type Query {
    me: Me!
    events(query: String, from: String, to: String, sort: [SortInput!], size: Int = 100, offset: Int, after: String): EventPage!
    event(id: ID!): JSON
    eventAggregations(query: String, from: String, to: String, aggs: [AggInput!]!): Aggregations!
    alerts(status: [AlertStatus!], size: Int = 50, offset: Int): AlertPage!
    alert(id: ID!): Alert
    auditRecords(
      actor: String
      action: String
      resource: String
      decision: AuditDecision
      from: String
      to: String
      size: Int = 100
      afterSeq: Int
    ): [AuditRecord!]!
    auditVerify: AuditVerification!
    users: [User!]!
    apiTokens: [ApiToken!]!
  }

  type Mutation {
    login(username: String!, password: String!): Session!
    logout: Boolean!
    changePassword(current: String!, next: String!): Boolean!
    createUser(username: String!, roles: [Role!]!, department: String): NewUser!
    createApiToken(name: String!, roles: [Role!]!): NewApiToken!
    revokeApiToken(id: String!): Boolean!
    transitionAlert(id: ID!, to: AlertStatus!, comment: String, resolution: Resolution, assignee: String): Alert!
  }
`;

export const typeDefs = [baseTypeDefs, policyTypeDefs];
