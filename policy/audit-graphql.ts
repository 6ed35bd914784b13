/** GraphQL over the audit trail service. */
import type { Bound } from '../core/door';
import { type GraphQLContribution, viaService } from '../core/module';
import type { AuditExportInput, AuditQueryInput, AuditTrailActions } from './audit-trail';

export const auditTypeDefs = /* GraphQL */ `
  "allow / deny: the door's decision on a call; success / failure: how an allowed call ended; info: what the platform notes."
  enum AuditDecision {
    allow
    deny
    success
    failure
    info
  }
  "One record of the hash-chained trail: who did what to which resource, the decision and why."
  type AuditRecord {
    seq: Int!
    at: String!
    "A user, token:<name>, playbook:<id>, system or anonymous."
    actor: String!
    actorType: String!
    "<domain>.<verb>: events.search, alerts.transition, isolation.isolate, auth.login, …"
    action: String!
    resource: String!
    decision: AuditDecision!
    "The policy or reason that decided."
    reason: String!
    sourceIp: String
    "What else the record keeps (row filters used, grant, counts, before/after of a change)."
    details: JSON
    prevHash: String!
    hash: String!
  }
  "The result of checking the hash chain."
  type AuditVerification {
    ok: Boolean!
    checked: Int!
    firstBadSeq: Int
    "modified, missing, reordered or broken_link."
    problem: String
  }

  "The file format of an audit export; both verify offline (citysoc audit verify-export)."
  enum AuditExportFormat {
    json
    csv
  }

  extend type Query {
    "Audit records, oldest first after afterSeq; department data owners see the records about their department."
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
    "Checks the whole hash chain."
    auditVerify: AuditVerification!
    "The records the filter matches with their proof (signed checkpoints, inclusion proofs, signed manifest); department data owners export only the records about their department, as auditRecords shows them. Refused over auditExport.maxRecords (5,000 by default) records."
    auditExport(
      actor: String
      action: String
      resource: String
      decision: AuditDecision
      from: String
      to: String
      format: AuditExportFormat = json
    ): ExportFile!
  }
`;

export function auditGraphQL(svc: Bound<AuditTrailActions>): GraphQLContribution {
  return {
    typeDefs: auditTypeDefs,
    resolvers: {
      Query: {
        auditRecords: viaService(svc.query, (a) => a as AuditQueryInput),
        auditVerify: viaService(svc.verify, () => ({})),
        auditExport: viaService(svc.exportWithProof, (a) => a as AuditExportInput),
      },
    },
  };
}
