/** GraphQL over the alerts service: thin adapters, one service call per root field. */
import type { AlertStatus } from '../core/alert';
import type { Bound } from '../core/door';
import { type GraphQLContribution, viaService } from '../core/module';
import { type AlertQueueInput, withoutNulls } from './queue';
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
  "Fields the alert queue sorts by."
  enum AlertSortField {
    lastSeen
    firstSeen
    risk
    count
  }
  "Which time an alert time range applies to."
  enum AlertTimeField {
    firstSeen
    lastSeen
  }
  "Kinds of rules alerts come from."
  enum AlertRuleType {
    sigma
    correlation
    ueba
    manual
  }
  "An entity an alert involves, to filter the queue by."
  input EntityInput {
    "user, host, ip, dataset, process or file; any type when absent."
    type: String
    "The entity's value, exactly."
    value: String!
  }
  "The alert queue's filters; all narrow, a list inside one is any of."
  input AlertQueueFilter {
    "Statuses to include."
    status: [AlertStatus!]
    "Severities to include."
    severity: [Severity!]
    "One rule by id."
    ruleId: String
    "Kinds of rule to include."
    ruleType: [AlertRuleType!]
    "One department."
    department: String
    "An entity involved."
    entity: EntityInput
    "Assigned to this user."
    assignee: String
    "Assigned to nobody."
    unassigned: Boolean
    "Which time from/to apply to (default lastSeen)."
    timeField: AlertTimeField
    "From this time (ISO 8601), inclusive."
    from: String
    "Up to this time (ISO 8601), exclusive."
    to: String
    "Case-insensitive substring of the id, rule, a tag, an entity or the assignee."
    text: String
    "Include alerts whose key is suppressed (left out by default)."
    includeSuppressed: Boolean
  }
  "A sort of the alert queue."
  input AlertSortInput {
    "The field."
    field: AlertSortField!
    "The order."
    order: SortOrder!
  }
  "A page of the alert queue."
  type AlertPage {
    total: Int!
    alerts: [Alert!]!
  }

  extend type Query {
    "The alert queue of the departments the caller may see (newest first unless sorted), suppressed keys left out unless asked for. status is the same as filter.status."
    alerts(filter: AlertQueueFilter, status: [AlertStatus!], sort: AlertSortInput, size: Int = 50, offset: Int): AlertPage!
    "One alert; NOT_FOUND when absent or not visible to the caller."
    alert(id: ID!): Alert!
  }

  extend type Mutation {
    "Moves an alert (open → acknowledged → in_progress → closed; closed can reopen). Closing needs a resolution; an assignee must be a user who may work the alert."
    transitionAlert(id: ID!, to: AlertStatus!, comment: String, resolution: Resolution, assignee: String): Alert!
    "Adds a comment without changing the status."
    commentAlert(id: ID!, comment: String!): Alert!
    "Assigns an alert to an existing user who may see it (null: nobody), without changing the status."
    assignAlert(id: ID!, assignee: String, comment: String): Alert!
  }
`;

export function alertGraphQL(svc: Bound<AlertActions>): GraphQLContribution {
  return {
    typeDefs: alertTypeDefs,
    resolvers: {
      Query: {
        alerts: viaService(svc.list, (a) => {
          const filter = withoutNulls(a.filter as AlertQueueInput | null);
          const status = (a.status as AlertStatus[] | null | undefined) ?? undefined;
          return withoutNulls({
            ...filter,
            ...(status ? { status } : {}),
            sort: a.sort as AlertQueueInput['sort'],
            size: a.size as number,
            offset: a.offset as number,
          });
        }),
        alert: viaService(svc.get, (a) => ({ id: a.id as string })),
      },
      Mutation: {
        transitionAlert: viaService(svc.transition, (a) => withoutNulls(a) as unknown as TransitionInput),
        commentAlert: viaService(svc.comment, (a) => ({ id: a.id as string, comment: a.comment as string })),
        assignAlert: viaService(svc.assign, (a) => ({
          id: a.id as string,
          assignee: (a.assignee as string | null | undefined) ?? null,
          ...(a.comment ? { comment: a.comment as string } : {}),
        })),
      },
    },
  };
}
