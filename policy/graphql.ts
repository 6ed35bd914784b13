/** GraphQL over the policy service: typed decisions, policy lines, emergency access, isolation. */
import type { Bound } from '../core/door';
import { type GraphQLContribution, viaService } from '../core/module';
import type { PolicyActions } from './actions';

export const policyTypeDefs = /* GraphQL */ `
  "How a field is shown to a caller who may not see it in clear."
  enum FieldTreatment {
    drop
    mask
    token
  }
  "Who asks: a user name, its roles and department."
  input SubjectInput {
    user: String!
    roles: [String!]
    department: String
  }
  "What is asked about: a collection (events, alerts, …), a dataset path, or an account."
  input ResourceInput {
    "events, alerts, audit, cases, entities, dataset, emergency, policy, playbooks, rules, account or source."
    type: String!
    domain: String
    dataset: String
    table: String
    field: String
    department: String
    "公开, 内部, 敏感 or 涉密."
    classification: String
  }
  "When and from where the request is made."
  input DecisionContextInput {
    "ISO 8601; default now."
    time: String
    "Network zone (政务外网, 指挥网, 互联网, …); default: from ip, else unknown."
    zone: String
    ip: String
  }
  "What the PDP is asked: may this subject do this action on this resource, in this context?"
  input DecisionRequestInput {
    subject: SubjectInput!
    resource: ResourceInput!
    "read, write, export, delete, grant, approve, isolate, …"
    action: String!
    context: DecisionContextInput
  }
  "The rows a search may see, as CitySOC query text and as Elasticsearch/OpenSearch query DSL."
  type RowFilter {
    query: String!
    es: JSON!
  }
  "A field the caller sees treated: dropped, masked (pattern phone, name, …) or replaced by a searchable token."
  type FieldObligation {
    field: String!
    treatment: FieldTreatment!
    pattern: String
  }
  "What an allow obliges the caller to apply: rows it may see, fields it sees treated."
  type Obligations {
    rowFilter: RowFilter
    fields: [FieldObligation!]
    "Set when an emergency grant contributed to the allow."
    grantId: String
  }
  "The PDP's answer."
  type Decision {
    decision: String!
    "The policy that decided: its id, isolation:<id>, grant:<id> or default-deny."
    reason: String!
    "Every policy that took part."
    matched: [String!]!
    obligations: Obligations!
  }
  "A policy line (casbin tuple): p access rules, p2 field treatments, g role links."
  type PolicyLine {
    ptype: String!
    values: [String!]!
  }
  "A policy line to add, remove or replace."
  input PolicyLineInput {
    ptype: String!
    values: [String!]!
  }
  "A change to the policy: add or remove a line, or update one line into another."
  input PolicyChangeInput {
    op: String!
    line: PolicyLineInput
    before: PolicyLineInput
    after: PolicyLineInput
  }
  "A sample decision a change would flip."
  type PolicyFlip {
    index: Int!
    before: Decision!
    after: Decision!
  }
  "A change in force: the line before and after, and the new policy version."
  type AppliedPolicyChange {
    ptype: String!
    id: String!
    before: [String!]
    after: [String!]
    "The policy version in force after the change."
    version: Int!
  }
  "One approval of an emergency request."
  type GrantApproval {
    by: String!
    person: String
    at: String!
  }
  "Emergency access (战时): pending until approved by designated approvers other than the requester; expires by itself."
  type EmergencyGrant {
    id: ID!
    requester: String!
    requesterPerson: String
    reason: String!
    "The department the grant opens."
    department: String!
    "events, alerts or a dataset path such as dataset/人口/*."
    resource: String!
    "read, export or write, joined by |."
    actions: String!
    durationMinutes: Int!
    requestedAt: String!
    approvals: [GrantApproval!]!
    startsAt: String
    expiresAt: String
    reported: Boolean!
  }
  "An isolated account: every action it attempts is refused until released or until 'until'."
  type Isolation {
    id: ID!
    user: String!
    reason: String!
    by: String!
    at: String!
    until: String
  }

  extend type Query {
    "The PDP's answer for a request, as POST /authz/v1/decide gives it (a what-if; changes nothing)."
    decide(request: DecisionRequestInput!): Decision!
    "The policy lines in force (ptype p, p2, g or g2; all when absent)."
    policies(ptype: String): [PolicyLine!]!
    "Every emergency request and grant, pending, active or expired."
    emergencyGrants: [EmergencyGrant!]!
    "The isolations in force."
    isolations: [Isolation!]!
  }

  extend type Mutation {
    "Which of the sample requests would be decided differently after the change; changes nothing."
    previewPolicyChange(change: PolicyChangeInput!, samples: [DecisionRequestInput!]!): [PolicyFlip!]!
    "Applies a change; audited with before and after (and the reason, up to 500 characters, when given), in force on every replica within moments."
    applyPolicyChange(change: PolicyChangeInput!, reason: String): AppliedPolicyChange!
    "Requests time-bound emergency access into a department (code or name)."
    requestEmergencyAccess(reason: String!, department: String!, resource: String, actions: String, durationMinutes: Int!): EmergencyGrant!
    "Approves a request; the requester (any credential of the same person) cannot."
    approveEmergencyAccess(id: ID!): EmergencyGrant!
    "Isolates an account: its sessions and tokens are revoked and every action refused at once."
    isolateAccount(user: String!, reason: String!, until: String): Isolation!
    "Lifts an isolation (the account's credentials stay revoked; the user signs in again); false when not isolated."
    releaseAccount(user: String!, reason: String!): Boolean!
  }
`;

/** GraphQL input objects arrive with absent optionals as undefined and explicit nulls as null: strip both. */
function clean(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(clean);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) out[k] = clean(x);
    return out;
  }
  return v;
}

export function policyGraphQL(svc: Bound<PolicyActions>): GraphQLContribution {
  return {
    typeDefs: policyTypeDefs,
    resolvers: {
      Query: {
        decide: viaService(svc.decide, (a) => ({ request: clean(a.request) })),
        policies: viaService(svc.listPolicies, (a) => ({ ptype: (a.ptype as string | null | undefined) ?? null })),
        emergencyGrants: viaService(svc.listGrants, () => ({})),
        isolations: viaService(svc.listIsolations, () => ({})),
      },
      Mutation: {
        previewPolicyChange: viaService(svc.previewChange, (a) => ({ change: clean(a.change), samples: (a.samples as unknown[]).map(clean) })),
        applyPolicyChange: viaService(svc.applyChange, (a) => ({ change: clean(a.change), reason: (a.reason as string | null | undefined) ?? null })),
        requestEmergencyAccess: viaService(svc.requestGrant, (a) => ({
          reason: a.reason as string,
          department: a.department as string,
          resource: (a.resource as string | null | undefined) ?? null,
          actions: (a.actions as string | null | undefined) ?? null,
          durationMinutes: a.durationMinutes as number,
        })),
        approveEmergencyAccess: viaService(svc.approveGrant, (a) => ({ id: a.id as string })),
        isolateAccount: viaService(svc.isolate, (a) => ({
          user: a.user as string,
          reason: a.reason as string,
          until: (a.until as string | null | undefined) ?? null,
        })),
        releaseAccount: viaService(svc.release, (a) => ({ user: a.user as string, reason: a.reason as string })),
      },
    },
  };
}
