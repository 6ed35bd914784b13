/**
 * Where runs, steps and approvals are kept. Contract (run-store.contract.ts): a write that
 * resolved survives a crash of the process; createRuns is one durable write for a whole batch
 * and ignores ids that exist (a trigger delivered twice starts one run); answerApproval changes
 * an approval only while it is pending, so two answers never both win.
 */
import type { ApprovalRecord, ApprovalStatus, RejectedInput, RunRecord, RunStatus, StepRecord } from './model';

export interface RunQuery {
  readonly playbookId?: string;
  readonly status?: readonly RunStatus[];
  /** Runs started before this ISO time (paging backwards). */
  readonly before?: string;
  readonly limit: number;
}

export interface ApprovalQuery {
  readonly status?: readonly ApprovalStatus[];
  readonly runId?: string;
  readonly limit: number;
}

export interface Unfinished {
  readonly runs: RunRecord[];
  /** Steps left running (a crash mid-action) or waiting for their next attempt. */
  readonly steps: StepRecord[];
  readonly approvals: ApprovalRecord[];
}

export interface ApprovalAnswer {
  readonly status: Exclude<ApprovalStatus, 'pending'>;
  readonly by: string;
  readonly at: string;
  readonly comment?: string;
}

export interface RunStore {
  /** Stores each run with its first step unless its id exists; true for those stored. One durable write. */
  createRuns(batch: readonly { run: RunRecord; step: StepRecord }[]): Promise<boolean[]>;
  updateRun(run: RunRecord): Promise<void>;
  getRun(id: string): Promise<RunRecord | null>;
  listRuns(q: RunQuery): Promise<RunRecord[]>;
  /** Creates or replaces the step; a step given without input keeps the input stored before. */
  putStep(step: StepRecord): Promise<void>;
  getStep(runId: string, key: string): Promise<StepRecord | null>;
  listSteps(runId: string): Promise<StepRecord[]>;
  createApproval(a: ApprovalRecord): Promise<void>;
  getApproval(id: string): Promise<ApprovalRecord | null>;
  /** Answers a pending approval; null when it is not pending any more (answered, timed out). */
  answerApproval(id: string, answer: ApprovalAnswer): Promise<ApprovalRecord | null>;
  listApprovals(q: ApprovalQuery): Promise<ApprovalRecord[]>;
  unfinished(): Promise<Unfinished>;
  reject(input: RejectedInput): Promise<void>;
  listRejected(limit: number): Promise<(RejectedInput & { at: string })[]>;
  /** Removes finished runs (with their steps and approvals) that ended before the time. */
  prune(before: Date): Promise<number>;
  close(): Promise<void>;
}
