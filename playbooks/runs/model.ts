/**
 * What a playbook run leaves behind: the run, its steps (input, output, duration, error, attempts)
 * and the approvals it waited for. These records, not Node-RED's memory, are what a run is: a
 * restart rebuilds every unfinished run from them.
 */

/** running → (waiting | retrying)* → succeeded | failed; stalled: interrupted between two steps by a crash. */
export const RUN_STATUSES = ['running', 'waiting', 'retrying', 'succeeded', 'failed', 'stalled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const UNFINISHED: readonly RunStatus[] = ['running', 'waiting', 'retrying'];

export const TRIGGER_KINDS = ['alert', 'risk', 'schedule', 'manual', 'hook'] as const;
export type TriggerKind = (typeof TRIGGER_KINDS)[number];

export interface RunTrigger {
  readonly kind: TriggerKind;
  /** The trigger node. */
  readonly nodeId: string;
  readonly alertId?: string;
  readonly ruleId?: string;
  readonly entity?: string;
  /** The scheduled slot (schedule) or the moment the level was crossed (risk). */
  readonly at?: string;
}

export interface RunRecord {
  readonly id: string;
  /** The Node-RED tab the run belongs to. */
  readonly playbookId: string;
  readonly playbookName: string;
  readonly trigger: RunTrigger;
  /** The person accountable for the run: who enabled the playbook, or who started it by hand. */
  readonly person: string;
  /** The department of what triggered it (the alert's), for the PDP's department isolation. */
  readonly department?: string;
  readonly dryRun: boolean;
  readonly status: RunStatus;
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly endedAt?: string;
  /** Steps that ended failed and have not been replayed successfully since. */
  readonly failedSteps?: readonly string[];
  readonly error?: string;
}

export const STEP_STATUSES = ['running', 'retrying', 'waiting', 'succeeded', 'failed'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export interface StepRecord {
  readonly runId: string;
  /** The node id, plus the message's position when a split fans one run out over several items. */
  readonly key: string;
  readonly nodeId: string;
  readonly nodeType: string;
  readonly name: string;
  readonly status: StepStatus;
  readonly attempts: number;
  /** The message the node received (JSON; bounded in size). */
  readonly input?: unknown;
  /** What the step produced (the result the node added to the message). */
  readonly output?: unknown;
  readonly error?: string;
  /** Performed as a dry run: nothing was changed. */
  readonly dryRun?: boolean;
  readonly startedAt: string;
  readonly endedAt?: string;
  readonly durationMs?: number;
  /** Epoch ms of the next attempt while retrying. */
  readonly nextAttemptAt?: number;
}

export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'timed_out'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export interface ApprovalRecord {
  readonly id: string;
  readonly runId: string;
  readonly stepKey: string;
  readonly nodeId: string;
  readonly playbookId: string;
  readonly playbookName: string;
  readonly question: string;
  /** What the approver needs to decide (alert, entities, enrichment summary). */
  readonly context: Record<string, unknown>;
  /** The role an approver must hold (admins may always answer). */
  readonly approverRole: string;
  /** Persons who may not answer: the accounts the run acts against. */
  readonly excluded: readonly string[];
  readonly department?: string;
  readonly status: ApprovalStatus;
  readonly createdAt: string;
  /** Epoch ms after which the approval times out. */
  readonly deadline: number;
  readonly answeredBy?: string;
  readonly answeredAt?: string;
  readonly comment?: string;
}

/** A trigger input that could not start a run (an alert that fails validation): kept, never dropped. */
export interface RejectedInput {
  readonly source: string;
  readonly reason: string;
  readonly raw: string;
}
