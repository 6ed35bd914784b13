/** GraphQL over the alerts service: thin adapters, one service call per root field. */
import type { AlertStatus } from '../core/alert';
import type { Bound } from '../core/door';
import { type GraphQLContribution, viaService } from '../core/module';
import type { AlertActions, TransitionInput } from './service';

export const alertTypeDefs = /* GraphQL */ `
  "Where an alert is in triage."
  enum AlertStatus {
    open
    acknowledged
    in_progress
    closed
  }
  "Why an alert was closed."
  enum Resolution {
    true_positive
    benign_positive
    false_positive
    duplicate
  }
  "How bad a rule's finding is."
  enum Severity {
    informational
    low
    medium
    high
    critical
  }
  "The rule that raised an alert."
  type AlertRule {
    id: String!
    name: String!
    "sigma, correlation, ueba or manual."
    type: String!
    severity: Severity!
    "ATT&CK technique ids (T1110.001) and other tags."
    tags: [String!]!
  }
  "Who or what an alert is about."
  type AlertEntity {
    "user, host, ip, dataset, process or file."
    type: String!
    value: String!
  }
  "One change of an alert: a status move or a comment, who made it and when."
  type AlertHistory {
    at: String!
    actor: String!
    "status (a move, possibly with a comment), comment."
    action: String!
    from: String
    to: String
    comment: String
  }
  "Detections folded by rule and group: repeats raise the count, not new alerts."
  type Alert {
    id: ID!
    rule: AlertRule!
    entities: [AlertEntity!]!
    "Ids of the events behind the alert (the first 1,000)."
    eventIds: [String!]!
    firstSeen: String!
    lastSeen: String!
    count: Int!
    "0..100."
    risk: Float!
    "The department the alert belongs to (of its entities); what department row filters see."
    department: String
    status: AlertStatus!
    resolution: Resolution
    assignee: String
    history: [AlertHistory!]!
  }
  "A page of the alert queue."
  type AlertPage {
    total: Int!
    alerts: [Alert!]!
  }

  extend type Query {
    "The alert queue of the departments the caller may see, newest first."
    alerts(status: [AlertStatus!], size: Int = 50, offset: Int): AlertPage!
    "One alert; NOT_FOUND when absent or not visible to the caller."
    alert(id: ID!): Alert!
  }

  extend type Mutation {
    "Moves an alert (open → acknowledged → in_progress → closed; closed can reopen). Closing needs a resolution; an assignee must be a user who may work the alert."
    transitionAlert(id: ID!, to: AlertStatus!, comment: String, resolution: Resolution, assignee: String): Alert!
    "Adds a comment without changing the status."
    commentAlert(id: ID!, comment: String!): Alert!
  }
`;

export function alertGraphQL(svc: Bound<AlertActions>): GraphQLContribution {
  return {
    typeDefs: alertTypeDefs,
    resolvers: {
      Query: {
        alerts: viaService(svc.list, (a) => ({
          status: (a.status as AlertStatus[] | null | undefined) ?? null,
          size: (a.size as number | null | undefined) ?? null,
          offset: (a.offset as number | null | undefined) ?? null,
        })),
        alert: viaService(svc.get, (a) => ({ id: a.id as string })),
      },
      Mutation: {
        transitionAlert: viaService(svc.transition, (a) => a as unknown as TransitionInput),
        commentAlert: viaService(svc.comment, (a) => ({ id: a.id as string, comment: a.comment as string })),
      },
    },
  };
}
