/**
 * The GraphQL contribution of the cases module: typed SDL (every type and field described) that
 * extends the root types, and resolvers that are one bound-action call each with the actor of
 * the request. Uses the base schema's `Alert`, `AlertStatus`, `Resolution` and `JSON`.
 */
import type { Actor } from '../core/actor';
import type { CallInfo } from '../core/door';
import { type GraphQLContribution, viaService } from '../core/module';
import type { CasesServices } from './service';

export const casesTypeDefs = /* GraphQL */ `
  "How a case stands: open → in_progress → resolved → closed."
  enum CaseStatus {
    open
    in_progress
    resolved
    closed
  }
  "How a case ended; merged is set only by a merge."
  enum CaseResolution {
    true_positive
    benign_positive
    false_positive
    duplicate
    merged
  }
  "Traffic Light Protocol 2.0: who the case may be shared with."
  enum Tlp {
    clear
    green
    amber
    amber_strict
    red
  }
  "SLA colour: green within the target, yellow in its last share, red once missed."
  enum SlaColour {
    green
    yellow
    red
  }
  "Kinds of observables, each linked to the CitySOC entity of that type."
  enum ObservableType {
    ip
    user
    host
    dataset
    hash
  }
  "State of a task."
  enum TaskStatus {
    open
    done
    cancelled
  }
  "Fields case lists sort by."
  enum CaseSortField {
    createdAt
    updatedAt
    severity
  }
  "Formats of a case export."
  enum CaseExportFormat {
    json
    csv
    html
  }
  "Someone a case or an alert may be assigned to."
  type AssignableUser {
    "The username (what assignment takes)."
    username: String!
    "The name shown beside it, when the identity store keeps one."
    displayName: String
  }

  "What a bulk move did to one alert."
  type BulkMoveResult {
    "The alert."
    id: ID!
    "Whether it moved."
    ok: Boolean!
    "The alert after the move."
    alert: Alert
    "Why it did not move: NOT_FOUND, CONFLICT or INPUT_INVALID."
    errorCode: String
    "The reason, for people."
    errorMessage: String
  }
  "An alert key kept out of the queue until a time."
  type AlertSuppression {
    "Its id (from the dedup key)."
    id: ID!
    "The alert key."
    dedupKey: String!
    "The rule of the key."
    ruleId: String!
    "The department of the alert it was made from."
    department: String
    "The alert it was made from."
    alertId: String!
    "Why."
    reason: String!
    "Until when (ISO 8601)."
    until: String!
    "Who suppressed it."
    by: String!
    "When."
    at: String!
  }
  "Values of one event field a rule exception leaves out."
  input RuleExceptionField {
    "An event field such as source.ip or user.name."
    field: String!
    "Its values (any of them)."
    values: [String!]!
  }
  "A Sigma filter written to the rules folder from a false positive."
  type RuleException {
    "The filter's id."
    id: ID!
    "Where it was written."
    file: String!
    "The rule it tunes."
    ruleId: String!
    "The filter as written."
    yaml: String!
  }

  "A task of a case."
  type CaseTask {
    "T1, T2, …"
    id: ID!
    "What to do."
    title: String!
    "Its state."
    status: TaskStatus!
    "Who does it."
    owner: String
    "When it is due (ISO 8601)."
    dueAt: String
    "When it was added."
    createdAt: String!
    "Who added it."
    createdBy: String!
    "When it was done."
    doneAt: String
    "The case it came from when merged in."
    fromCase: String
  }
  "An observable of a case (IOC), linked to a CitySOC entity."
  type CaseObservable {
    "O1, O2, …"
    id: ID!
    "Its kind."
    type: ObservableType!
    "Its value, normalised (canonical IP, lower-case hash)."
    value: String!
    "The entity it stands for, such as ip:10.1.1.1."
    entity: String!
    "Where it came from: alert:<id>, user:<name>."
    source: String!
    "When it was added."
    addedAt: String!
    "Who added it."
    addedBy: String!
  }
  "An attachment: a reference to where the file is kept, with its hash."
  type CaseAttachment {
    "A1, A2, …"
    id: ID!
    "Its name."
    name: String!
    "The reference (https, s3, hdfs, smb or evidence URI)."
    uri: String!
    "Its SHA-256, when given."
    sha256: String
    "Its size in bytes, when given."
    size: Float
    "When it was added."
    addedAt: String!
    "Who added it."
    addedBy: String!
  }
  "One change in a case's history."
  type TimelineEntry {
    "Its position in the timeline."
    seq: Int!
    "When (ISO 8601)."
    at: String!
    "Who."
    actor: String!
    "What: created, status, assigned, task_added, merged_from, …"
    action: String!
    "What changed."
    details: JSON
    "The case it happened on, when carried over from a merged case."
    case: String
  }
  "The SLA of a case: its targets and where it stands."
  type CaseSla {
    "Acknowledge by (ISO 8601)."
    acknowledgeBy: String!
    "Resolve by (ISO 8601)."
    resolveBy: String!
    "acknowledge, resolve or done."
    stage: String!
    "When the pending target turns yellow."
    warnAt: String
    "When the pending target is missed."
    dueAt: String
    "Whether both targets were met (finished cases)."
    met: Boolean
  }
  "A case: a security incident worked to its end."
  type Case {
    "Readable id such as CASE-2026-00042."
    id: ID!
    "Changes with every write; give it back as expectedVersion to refuse a stale edit."
    version: Int!
    "Title."
    title: String!
    "Description."
    description: String!
    "Severity."
    severity: Severity!
    "Status."
    status: CaseStatus!
    "How it ended."
    resolution: CaseResolution
    "Notes on the resolution."
    resolutionNote: String
    "Who works it."
    assignee: String
    "Departments it involves; seeing it needs all of them."
    departments: [String!]!
    "Tags."
    tags: [String!]!
    "Sharing level."
    tlp: Tlp!
    "Data classification (公开, 内部, 敏感, 涉密)."
    classification: String!
    "When it was opened."
    createdAt: String!
    "Who opened it."
    createdBy: String!
    "Last change."
    updatedAt: String!
    "When work began."
    acknowledgedAt: String
    "When it was resolved."
    resolvedAt: String
    "When it was closed."
    closedAt: String
    "SLA targets and stage."
    sla: CaseSla!
    "The SLA colour now."
    slaColour: SlaColour!
    "Tasks."
    tasks: [CaseTask!]!
    "Observables."
    observables: [CaseObservable!]!
    "Linked alerts."
    alertIds: [String!]!
    "Linked events."
    eventIds: [String!]!
    "Attachments (references)."
    attachments: [CaseAttachment!]!
    "Every change."
    timeline: [TimelineEntry!]!
    "The case it was merged into."
    mergedInto: String
    "Cases merged into it."
    mergedFrom: [String!]!
  }
  "A page of cases."
  type CasePage {
    "Cases matching the filters, all pages."
    total: Int!
    "This page."
    cases: [Case!]!
    "Pass as after for the next page."
    nextCursor: String
  }
  "Filters of a case list; all narrow."
  input CaseFilter {
    "Statuses."
    status: [CaseStatus!]
    "Severities."
    severity: [Severity!]
    "Assigned to."
    assignee: String
    "Assigned to nobody."
    unassigned: Boolean
    "Involving this department."
    department: String
    "With this tag."
    tag: String
    "Case-insensitive substring of the id, title, description or a tag."
    text: String
    "Linking this alert."
    alertId: String
    "Linking this event."
    eventId: String
    "Holding this observable."
    observableType: ObservableType
    "Holding this observable (with observableType)."
    observableValue: String
    "Opened from (ISO 8601), inclusive."
    createdFrom: String
    "Opened before (ISO 8601)."
    createdTo: String
    "Showing this SLA colour now."
    slaColour: SlaColour
  }
  "A sort of cases."
  input CaseSortInput {
    "The field."
    field: CaseSortField!
    "The order."
    order: SortOrder!
  }
  "A new case."
  input NewCaseInput {
    "Title."
    title: String!
    "Description."
    description: String
    "Severity (sets the SLA targets)."
    severity: Severity!
    "Departments it involves."
    departments: [String!]
    "Tags."
    tags: [String!]
    "Sharing level (default amber)."
    tlp: Tlp
    "Classification (default 内部)."
    classification: String
    "Who works it."
    assignee: String
    "Alerts to link."
    alertIds: [String!]
    "Events to link."
    eventIds: [String!]
  }
  "Changes to a case's fields; only those given change."
  input CaseEditInput {
    "Title."
    title: String
    "Description."
    description: String
    "Severity (moves the SLA targets)."
    severity: Severity
    "Tags (the whole list)."
    tags: [String!]
    "Sharing level."
    tlp: Tlp
    "Classification."
    classification: String
  }
  "Changes to a task; only those given change."
  input TaskUpdateInput {
    "Title."
    title: String
    "State."
    status: TaskStatus
    "Owner (empty string: nobody)."
    owner: String
    "Due time (empty string: none)."
    dueAt: String
  }
  "A merge: the survivor and the case merged into it."
  type CaseMerge {
    "The case that goes on."
    survivor: Case!
    "The case merged into it, closed and pointing to it."
    merged: Case!
  }
  "An open case worth merging with."
  type CaseSuggestion {
    "The case."
    case: Case!
    "Entities it shares, such as ip:10.1.1.1."
    shared: [String!]!
  }
  "Alerts with one outcome."
  type AlertOutcome {
    "Status."
    status: String!
    "Resolution (closed alerts)."
    resolution: String
    "How many."
    count: Int!
  }
  "False positives of one rule among its closed alerts."
  type RuleFalsePositives {
    "The rule."
    ruleId: String!
    "Closed alerts of the rule."
    closed: Int!
    "Of which false positives."
    falsePositives: Int!
    "falsePositives / closed."
    rate: Float!
  }
  "Case figures of a period."
  type CaseFigures {
    "Severity, for the per-severity rows."
    severity: Severity
    "Cases opened."
    opened: Int!
    "Of which acknowledged."
    acknowledged: Int!
    "Of which resolved."
    resolved: Int!
    "Of which closed."
    closed: Int!
    "Mean minutes to acknowledge."
    mttaMinutes: Float
    "Mean minutes to resolve."
    mttrMinutes: Float
    "Cases that met both SLA targets."
    slaMet: Int!
    "Cases that missed one."
    slaBreached: Int!
    "slaMet / (slaMet + slaBreached)."
    slaAttainment: Float
    "Resolved or closed / opened."
    closureRate: Float
  }
  "KPIs of a department and period."
  type CaseKpis {
    "Period start (ISO 8601)."
    from: String!
    "Period end (ISO 8601)."
    to: String!
    "The department asked for."
    department: String
    "When computed."
    generatedAt: String!
    "Alerts first seen in the period."
    alertTotal: Int!
    "By outcome."
    alertOutcomes: [AlertOutcome!]!
    "False-positive rate per rule."
    falsePositivesByRule: [RuleFalsePositives!]!
    "Cases opened in the period (merged ones left out)."
    cases: CaseFigures!
    "Merged cases opened in the period."
    mergedCases: Int!
    "Per severity."
    casesBySeverity: [CaseFigures!]!
  }
  "An exported file."
  type ExportFile {
    "Suggested file name."
    fileName: String!
    "MIME type."
    contentType: String!
    "The content."
    content: String!
  }

  extend type Query {
    "Alert keys suppressed now, as the caller may see them."
    alertSuppressions: [AlertSuppression!]!
    "One case (NOT_FOUND alike for absent and not yours)."
    case(id: ID!): Case!
    "Cases, as the caller may see them."
    cases(filter: CaseFilter, sort: CaseSortInput, size: Int = 50, offset: Int = 0, after: String): CasePage!
    "Open cases sharing an entity with this case."
    caseMergeSuggestions(id: ID!): [CaseSuggestion!]!
    "Open cases sharing an entity with this alert."
    alertCaseSuggestions(alertId: ID!): [CaseSuggestion!]!
    "KPIs of a period (and department)."
    caseKpis(from: String!, to: String!, department: String): CaseKpis!
    "The same KPIs as CSV."
    caseKpisCsv(from: String!, to: String!, department: String): String!
    "A case's evidence with the audit chain proof (JSON or CSV verifiable offline, or a printable HTML report); whoever may read the case exports it."
    caseExport(id: ID!, format: CaseExportFormat = json): ExportFile!
    "Enabled users a case, an alert or every one of a list of alerts (exactly one of caseId, alertId and alertIds, at most 50 alerts) may be assigned to: those who may work it and see it; at most size (≤ 50). text matches the username or the display name."
    assignableUsers(caseId: ID, alertId: ID, alertIds: [ID!], text: String, size: Int = 20): [AssignableUser!]!
  }

  extend type Mutation {
    "Moves many alerts, each in its own audited call."
    moveAlerts(ids: [ID!]!, to: AlertStatus!, resolution: Resolution, comment: String): [BulkMoveResult!]!
    "Keeps an alert's key out of the queue for a time (minutes or until), with a reason."
    suppressAlert(alertId: ID!, minutes: Int, until: String, reason: String!): AlertSuppression!
    "Lifts a suppression."
    liftSuppression(id: ID!): Boolean!
    "Closes an alert as a false positive."
    reportFalsePositive(id: ID!, comment: String): Alert!
    "Writes a Sigma filter that keeps the alert's rule from firing on these field values."
    addRuleException(alertId: ID!, fields: [RuleExceptionField!]!, reason: String!): RuleException!
    "Opens a case."
    openCase(input: NewCaseInput!): Case!
    "Opens a case from an alert (its entities, events and departments)."
    openCaseFromAlert(alertId: ID!, title: String, severity: Severity, assignee: String): Case!
    "Edits a case's fields."
    editCase(id: ID!, edit: CaseEditInput!, expectedVersion: Int): Case!
    "Moves a case (closing needs a resolution)."
    moveCase(id: ID!, to: CaseStatus!, resolution: Resolution, note: String, expectedVersion: Int): Case!
    "Assigns a case (null: nobody)."
    assignCase(id: ID!, assignee: String, expectedVersion: Int): Case!
    "Comments on a case."
    commentCase(id: ID!, text: String!): Case!
    "Adds a task."
    addCaseTask(id: ID!, title: String!, owner: String, dueAt: String): Case!
    "Changes a task."
    updateCaseTask(id: ID!, taskId: ID!, update: TaskUpdateInput!): Case!
    "Adds an observable."
    addCaseObservable(id: ID!, type: ObservableType!, value: String!): Case!
    "Removes an observable."
    removeCaseObservable(id: ID!, observableId: ID!): Case!
    "Links alerts (their entities become observables)."
    linkCaseAlerts(id: ID!, alertIds: [ID!]!): Case!
    "Unlinks an alert."
    unlinkCaseAlert(id: ID!, alertId: ID!): Case!
    "Links events."
    linkCaseEvents(id: ID!, eventIds: [ID!]!): Case!
    "Adds departments the case involves."
    addCaseDepartments(id: ID!, departments: [String!]!): Case!
    "Adds an attachment reference."
    addCaseAttachment(id: ID!, name: String!, uri: String!, sha256: String, size: Float): Case!
    "Merges a case into another; both histories are kept."
    mergeCases(survivorId: ID!, mergedId: ID!): CaseMerge!
  }
`;

type Args = Record<string, unknown>;
/** GraphQL gives null for absent arguments; the actions expect absent keys. */
const clean = <T extends object>(o: T | null | undefined): T =>
  Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== null && v !== undefined)) as T;
const tlpIn = (t: unknown) => (t === 'amber_strict' ? 'amber+strict' : t);
const tlpOut = (c: { tlp: string }) => (c.tlp === 'amber+strict' ? 'amber_strict' : c.tlp);

export function casesGraphQL(s: CasesServices): GraphQLContribution {
  /** One root field, one bound service call: the arguments reshaped into the action's input, nothing else. */
  const via = <A, I, R>(call: (actor: Actor | null, input: I, info?: CallInfo) => Promise<R>, input: (a: A) => I) =>
    viaService(call, (args) => input(args as unknown as A));
  /** A case change as cases.change takes it. */
  const change = (id: string, ch: Record<string, unknown>, expectedVersion?: number | null) => ({
    id,
    change: ch as never,
    ...(expectedVersion ? { expectedVersion } : {}),
  });
  return {
    typeDefs: casesTypeDefs,
    resolvers: {
      Case: { tlp: tlpOut },
      CaseKpis: {
        alertTotal: (k: { alerts: { total: number } }) => k.alerts.total,
        alertOutcomes: (k: { alerts: { byOutcome: unknown } }) => k.alerts.byOutcome,
        falsePositivesByRule: (k: { alerts: { falsePositivesByRule: unknown } }) => k.alerts.falsePositivesByRule,
        mergedCases: (k: { cases: { merged: number } }) => k.cases.merged,
        casesBySeverity: (k: { cases: { bySeverity: unknown } }) => k.cases.bySeverity,
      },
      BulkMoveResult: {
        errorCode: (x: { error?: { code: string } }) => x.error?.code ?? null,
        errorMessage: (x: { error?: { message: string } }) => x.error?.message ?? null,
      },
      Query: {
        alertSuppressions: via(s.alerts.suppressions, () => ({})),
        case: via(s.cases.get, (a: { id: string }) => ({ id: a.id })),
        cases: via(
          s.cases.list,
          (a: { filter?: Args & { observableType?: string; observableValue?: string }; sort?: Args; size?: number; offset?: number; after?: string }) => {
            const { observableType, observableValue, ...filter } = clean(a.filter);
            return clean({
              ...filter,
              ...(observableType || observableValue ? { observable: { type: observableType, value: observableValue } } : {}),
              ...(a.sort ? { sort: a.sort } : {}),
              size: a.size,
              offset: a.offset,
              after: a.after,
            }) as never;
          },
        ),
        caseMergeSuggestions: via(s.cases.suggestForCase, (a: { id: string }) => ({ id: a.id })),
        alertCaseSuggestions: via(s.cases.suggestForAlert, (a: { alertId: string }) => ({ alertId: a.alertId })),
        caseKpis: via(s.cases.kpis, (a: { from: string; to: string; department?: string }) => clean(a)),
        caseKpisCsv: via(s.cases.kpisCsv, (a: { from: string; to: string; department?: string }) => clean(a)),
        caseExport: via(s.cases.exportCase, (a: { id: string; format?: 'json' | 'csv' | 'html' }) => clean(a)),
        assignableUsers: via(s.cases.assignableUsers, (a: { caseId?: string; alertId?: string; alertIds?: string[]; text?: string; size?: number }) =>
          clean(a),
        ),
      },
      Mutation: {
        moveAlerts: via(s.alerts.bulkTransition, (a: Args) => clean(a) as never),
        suppressAlert: via(s.alerts.suppress, (a: Args) => clean(a) as never),
        liftSuppression: via(s.alerts.unsuppress, (a: { id: string }) => a),
        reportFalsePositive: via(s.alerts.falsePositive, (a: Args) => clean(a) as never),
        addRuleException: via(s.alerts.addRuleException, (a: { alertId: string; fields: { field: string; values: string[] }[]; reason: string }) => {
          // a field named twice has the values of both entries; a Map, so no field name reaches an object's prototype
          const byField = new Map<string, string[]>();
          for (const f of a.fields) byField.set(f.field, [...(byField.get(f.field) ?? []), ...f.values]);
          const fields = Object.fromEntries(byField);
          return { alertId: a.alertId, fields, reason: a.reason };
        }),
        openCase: via(s.cases.create, (a: { input: Args }) => clean({ ...a.input, tlp: tlpIn(a.input.tlp) }) as never),
        openCaseFromAlert: via(s.cases.openFromAlert, (a: Args) => clean(a) as never),
        editCase: via(s.cases.update, (a: { id: string; edit: Args; expectedVersion?: number }) =>
          change(a.id, { kind: 'edit', ...clean({ ...a.edit, tlp: tlpIn(a.edit.tlp) }) }, a.expectedVersion),
        ),
        moveCase: via(s.cases.update, (a: { id: string; to: string; resolution?: string; note?: string; expectedVersion?: number }) =>
          change(a.id, clean({ kind: 'status', to: a.to, resolution: a.resolution, note: a.note }), a.expectedVersion),
        ),
        assignCase: via(s.cases.update, (a: { id: string; assignee?: string | null; expectedVersion?: number }) =>
          change(a.id, { kind: 'assign', assignee: a.assignee ?? null }, a.expectedVersion),
        ),
        commentCase: via(s.cases.update, (a: { id: string; text: string }) => change(a.id, { kind: 'comment', text: a.text })),
        addCaseTask: via(s.cases.update, (a: { id: string; title: string; owner?: string; dueAt?: string }) =>
          change(a.id, clean({ kind: 'add_task', title: a.title, owner: a.owner, dueAt: a.dueAt })),
        ),
        updateCaseTask: via(
          s.cases.update,
          (a: { id: string; taskId: string; update: { title?: string; status?: string; owner?: string; dueAt?: string } }) => {
            const u = clean(a.update);
            return change(a.id, {
              kind: 'update_task',
              taskId: a.taskId,
              ...(u.title !== undefined ? { title: u.title } : {}),
              ...(u.status !== undefined ? { status: u.status } : {}),
              ...(u.owner !== undefined ? { owner: u.owner === '' ? null : u.owner } : {}),
              ...(u.dueAt !== undefined ? { dueAt: u.dueAt === '' ? null : u.dueAt } : {}),
            });
          },
        ),
        addCaseObservable: via(s.cases.update, (a: { id: string; type: string; value: string }) =>
          change(a.id, { kind: 'add_observable', type: a.type, value: a.value }),
        ),
        removeCaseObservable: via(s.cases.update, (a: { id: string; observableId: string }) =>
          change(a.id, { kind: 'remove_observable', observableId: a.observableId }),
        ),
        linkCaseAlerts: via(s.cases.linkAlerts, (a: { id: string; alertIds: string[] }) => a),
        unlinkCaseAlert: via(s.cases.update, (a: { id: string; alertId: string }) => change(a.id, { kind: 'unlink_alert', alertId: a.alertId })),
        linkCaseEvents: via(s.cases.linkEvents, (a: { id: string; eventIds: string[] }) => a),
        addCaseDepartments: via(s.cases.update, (a: { id: string; departments: string[] }) =>
          change(a.id, { kind: 'add_departments', departments: a.departments }),
        ),
        addCaseAttachment: via(s.cases.update, (a: { id: string; name: string; uri: string; sha256?: string; size?: number }) =>
          change(a.id, clean({ kind: 'add_attachment', name: a.name, uri: a.uri, sha256: a.sha256, size: a.size })),
        ),
        mergeCases: via(s.cases.merge, (a: { survivorId: string; mergedId: string }) => a),
      },
    },
  };
}
