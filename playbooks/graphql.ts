/**
 * The playbooks part of the GraphQL API: typed, described, and thin — each root field is one
 * call of a bound door action with the request's actor.
 */
import type { Bound } from '../core/door';
import { type GraphQLContribution, viaService } from '../core/module';
import type { PlaybookView } from './services';
import type { PlaybookActions } from './services';
import type { StepRecord } from './runs/model';

export const playbooksTypeDefs = /* GraphQL */ `
  "A playbook: one tab of the playbook editor (Node-RED), with its triggers and steps."
  type Playbook {
    "The tab's id."
    id: ID!
    name: String!
    "What the playbook does (the tab's description)."
    description: String!
    "Its triggers start runs. Turning a playbook on or off is not a deploy; the person who turned it on is accountable for its runs."
    enabled: Boolean!
    "Who last turned it on or off."
    enabledBy: String
    enabledAt: String
    "Disabled in the editor: its nodes do not run at all."
    disabledInEditor: Boolean!
    "For playbooks shipped with CitySOC: their name and version."
    shippedName: String
    shippedVersion: Int
    "The kinds of trigger it has: alert-in, risk-level, schedule, manual."
    triggers: [String!]!
    "How many nodes it has."
    nodes: Int!
  }

  "A node a deploy added, changed or removed."
  type PlaybookFlowChange {
    id: ID!
    type: String!
    name: String
  }

  "What a deploy changed, node by node."
  type PlaybookFlowDiff {
    added: [PlaybookFlowChange!]!
    changed: [PlaybookFlowChange!]!
    removed: [PlaybookFlowChange!]!
  }

  enum PlaybookVersionAction {
    "deployed in the editor"
    deploy
    "an earlier version deployed again"
    rollback
    "shipped playbooks installed or upgraded at start"
    shipped
  }

  "One deploy of the playbooks (all tabs together), kept for rollback."
  type PlaybookVersion {
    version: Int!
    "Node-RED's revision (SHA-256 of the flows)."
    rev: String!
    at: String!
    "The actor that deployed (a user, or system)."
    by: String!
    "The person accountable."
    person: String!
    action: PlaybookVersionAction!
    message: String!
    "The version it was made from."
    basedOn: Int!
    diff: PlaybookFlowDiff!
  }

  type PlaybookVersions {
    "The version this server runs."
    current: Int!
    "Newest first."
    versions: [PlaybookVersion!]!
  }

  enum PlaybookRunStatus {
    running
    "waiting for an approval"
    waiting
    "a step failed and waits for its next attempt"
    retrying
    succeeded
    "a step failed after its attempts; replay it"
    failed
    "cut off by a restart and not resumable by itself; replay it"
    stalled
  }

  enum PlaybookTriggerKind {
    alert
    risk
    schedule
    manual
    hook
  }

  "What started a run."
  type PlaybookTrigger {
    kind: PlaybookTriggerKind!
    "The trigger node."
    nodeId: ID!
    alertId: ID
    ruleId: String
    "type:value of the entity whose risk crossed the level."
    entity: String
    "The scheduled time, or when the level was crossed."
    at: String
  }

  "One run of a playbook."
  type PlaybookRun {
    id: ID!
    playbookId: ID!
    playbookName: String!
    trigger: PlaybookTrigger!
    "The person accountable: who enabled the playbook, or who started the run."
    person: String!
    "The department of the alert that triggered it."
    department: String
    "Started as a dry run: nothing is changed."
    dryRun: Boolean!
    status: PlaybookRunStatus!
    startedAt: String!
    updatedAt: String!
    endedAt: String
    "Keys of the steps that failed (replay starts from them)."
    failedSteps: [String!]!
    error: String
  }

  enum PlaybookStepStatus {
    running
    retrying
    waiting
    succeeded
    failed
  }

  "One step of a run: a node that acted (or waited), with what it got and gave."
  type PlaybookStep {
    "The node's id, with the item's position when a split fanned the run out."
    key: ID!
    nodeId: ID!
    nodeType: String!
    name: String!
    status: PlaybookStepStatus!
    attempts: Int!
    "The message the node received (a Node-RED message: its shape is the playbook's)."
    input: JSON
    "What the step produced."
    output: JSON
    error: String
    dryRun: Boolean!
    startedAt: String!
    endedAt: String
    durationMs: Int
    "When the next attempt is due, while retrying."
    nextAttemptAt: String
  }

  enum PlaybookApprovalStatus {
    pending
    approved
    rejected
    timed_out
  }

  "A question a run waits on."
  type PlaybookApproval {
    id: ID!
    runId: ID!
    stepKey: ID!
    playbookId: ID!
    playbookName: String!
    question: String!
    "What the approver needs to decide: the alert and the enrichment summary."
    context: JSON!
    "The role an approver must hold (admins may always answer)."
    approverRole: String!
    "Accounts the run acts against: they cannot answer."
    excluded: [String!]!
    department: String
    status: PlaybookApprovalStatus!
    createdAt: String!
    "When it times out."
    deadline: String!
    answeredBy: String
    answeredAt: String
    comment: String
  }

  "A run with its step log and approvals."
  type PlaybookRunDetail {
    run: PlaybookRun!
    steps: [PlaybookStep!]!
    approvals: [PlaybookApproval!]!
  }

  "The runs a manual start made (one per manual trigger of the playbook)."
  type PlaybookRunsStarted {
    runIds: [ID!]!
  }

  type PlaybookReplay {
    runId: ID!
    "The steps started again."
    steps: [String!]!
  }

  extend type Query {
    "The deployed playbooks."
    playbooks: [Playbook!]!
    "Deploys of the playbooks, newest first."
    playbookVersions(limit: Int = 50): PlaybookVersions!
    "Runs the caller may see, newest first."
    playbookRuns(playbookId: ID, status: [PlaybookRunStatus!], before: String, limit: Int = 50): [PlaybookRun!]!
    "One run with its step log."
    playbookRun(id: ID!): PlaybookRunDetail!
    "Approvals (pending ones unless asked otherwise) the caller may see."
    playbookApprovals(status: [PlaybookApprovalStatus!], limit: Int = 50): [PlaybookApproval!]!
  }

  extend type Mutation {
    "Approves a pending step; the run goes on along the approved branch."
    approvePlaybookStep(id: ID!, comment: String): PlaybookApproval!
    "Rejects a pending step; the run goes on along the rejected branch."
    rejectPlaybookStep(id: ID!, comment: String): PlaybookApproval!
    "Starts a failed or stalled run again from a step (by default its failed steps); steps already done are not repeated."
    replayPlaybookRun(runId: ID!, fromStep: ID): PlaybookReplay!
    "Turns a playbook on: its triggers start runs, accountable to the caller."
    enablePlaybook(id: ID!): Playbook!
    "Turns a playbook off: its triggers start no more runs."
    disablePlaybook(id: ID!): Playbook!
    "Runs a playbook's manual trigger on an alert."
    runPlaybook(playbookId: ID!, alertId: ID!, dryRun: Boolean = false): PlaybookRunsStarted!
    "Deploys an earlier version of the playbooks again, as a new version."
    rollbackPlaybooks(version: Int!): PlaybookVersion!
  }
`;

const defined = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null));

/** Each root field is one bound door action through viaService; only the arguments are reshaped. */
export function playbooksGraphQL(s: Bound<PlaybookActions>): GraphQLContribution {
  const args = (a: Record<string, unknown>) => defined(a) as never;
  return {
    typeDefs: playbooksTypeDefs,
    resolvers: {
      Query: {
        playbooks: viaService(s.list, () => ({}) as never),
        playbookVersions: viaService(s.versions, args),
        playbookRuns: viaService(s.runs, args),
        playbookRun: viaService(s.run, (a) => ({ id: a.id as string })),
        playbookApprovals: viaService(s.approvals, args),
      },
      Mutation: {
        approvePlaybookStep: viaService(s.approve, args),
        rejectPlaybookStep: viaService(s.reject, args),
        replayPlaybookRun: viaService(s.replay, args),
        enablePlaybook: viaService(s.enable, (a) => ({ playbookId: a.id as string })),
        disablePlaybook: viaService(s.disable, (a) => ({ playbookId: a.id as string })),
        runPlaybook: viaService(s.runOnAlert, args),
        rollbackPlaybooks: viaService(s.rollback, (a) => ({ version: a.version as number })),
      },
      Playbook: {
        shippedName: (p: PlaybookView) => p.shipped?.name ?? null,
        shippedVersion: (p: PlaybookView) => p.shipped?.version ?? null,
      },
      PlaybookRun: {
        failedSteps: (r: { failedSteps?: string[] }) => r.failedSteps ?? [],
      },
      PlaybookStep: {
        dryRun: (st: StepRecord) => st.dryRun === true,
        nextAttemptAt: (st: StepRecord) => (st.nextAttemptAt ? new Date(st.nextAttemptAt).toISOString() : null),
      },
      PlaybookApproval: {
        deadline: (a: { deadline: number }) => new Date(a.deadline).toISOString(),
      },
    },
  };
}
