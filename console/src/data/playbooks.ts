/**
 * Playbooks, their runs (with step logs) and the approvals runs wait on; answering an approval,
 * replaying a run, turning a playbook on or off. The API pages runs by time (`before`), not by
 * offset: the console reads the newest 500 the user may see and pages through them itself.
 */
import type { GetListParams, GetOneParams } from 'ra-core';
import { graphql } from './graphql';
import { pageOf, type ResourceAdapter } from './resource';

export const RUN_STATUSES = ['running', 'waiting', 'retrying', 'succeeded', 'failed', 'stalled'] as const;
export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'timed_out'] as const;
const NEWEST = 500;

export interface PlaybookRecord {
  id: string;
  name: string;
  description: string;
  enabled: boolean;
  enabledBy: string | null;
  enabledAt: string | null;
  disabledInEditor: boolean;
  shippedName: string | null;
  shippedVersion: number | null;
  triggers: string[];
  nodes: number;
}

export interface RunRecord {
  id: string;
  playbookId: string;
  playbookName: string;
  trigger: { kind: string; nodeId: string; alertId: string | null; ruleId: string | null; entity: string | null; at: string | null };
  person: string;
  department: string | null;
  dryRun: boolean;
  status: string;
  startedAt: string;
  updatedAt: string;
  endedAt: string | null;
  failedSteps: string[];
  error: string | null;
}

export interface StepRecord {
  key: string;
  nodeId: string;
  nodeType: string;
  name: string;
  status: string;
  attempts: number;
  input: unknown;
  output: unknown;
  error: string | null;
  dryRun: boolean;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  nextAttemptAt: string | null;
}

export interface ApprovalRecord {
  id: string;
  runId: string;
  stepKey: string;
  playbookId: string;
  playbookName: string;
  question: string;
  context: Record<string, unknown>;
  approverRole: string;
  excluded: string[];
  department: string | null;
  status: string;
  createdAt: string;
  deadline: string;
  answeredBy: string | null;
  answeredAt: string | null;
  comment: string | null;
}

export type RunDetail = RunRecord & { steps: StepRecord[]; approvals: ApprovalRecord[] };

const PLAYBOOK_FIELDS = 'id name description enabled enabledBy enabledAt disabledInEditor shippedName shippedVersion triggers nodes';
const RUN_FIELDS =
  'id playbookId playbookName trigger { kind nodeId alertId ruleId entity at } person department dryRun status startedAt updatedAt endedAt failedSteps error';
const STEP_FIELDS = 'key nodeId nodeType name status attempts input output error dryRun startedAt endedAt durationMs nextAttemptAt';
const APPROVAL_FIELDS =
  'id runId stepKey playbookId playbookName question context approverRole excluded department status createdAt deadline answeredBy answeredAt comment';

const PLAYBOOKS = /* GraphQL */ `query Playbooks { playbooks { ${PLAYBOOK_FIELDS} } }`;
const RUNS = /* GraphQL */ `
  query PlaybookRuns($playbookId: ID, $status: [PlaybookRunStatus!], $limit: Int) {
    playbookRuns(playbookId: $playbookId, status: $status, limit: $limit) { ${RUN_FIELDS} }
  }
`;
const RUN = /* GraphQL */ `
  query PlaybookRun($id: ID!) {
    playbookRun(id: $id) { run { ${RUN_FIELDS} } steps { ${STEP_FIELDS} } approvals { ${APPROVAL_FIELDS} } }
  }
`;
const APPROVALS = /* GraphQL */ `
  query PlaybookApprovals($status: [PlaybookApprovalStatus!], $limit: Int) {
    playbookApprovals(status: $status, limit: $limit) { ${APPROVAL_FIELDS} }
  }
`;
const APPROVE = /* GraphQL */ `mutation Approve($id: ID!, $comment: String) { approvePlaybookStep(id: $id, comment: $comment) { ${APPROVAL_FIELDS} } }`;
const REJECT = /* GraphQL */ `mutation Reject($id: ID!, $comment: String) { rejectPlaybookStep(id: $id, comment: $comment) { ${APPROVAL_FIELDS} } }`;
const REPLAY = /* GraphQL */ `
  mutation Replay($runId: ID!) {
    replayPlaybookRun(runId: $runId) {
      runId
      steps
    }
  }
`;
const RUN_ON_ALERT = /* GraphQL */ `
  mutation RunPlaybook($playbookId: ID!, $alertId: ID!, $dryRun: Boolean) {
    runPlaybook(playbookId: $playbookId, alertId: $alertId, dryRun: $dryRun) {
      runIds
    }
  }
`;
const ENABLE = /* GraphQL */ `mutation Enable($id: ID!) { enablePlaybook(id: $id) { ${PLAYBOOK_FIELDS} } }`;
const DISABLE = /* GraphQL */ `mutation Disable($id: ID!) { disablePlaybook(id: $id) { ${PLAYBOOK_FIELDS} } }`;

/** Only the statuses the API knows: a hand-edited URL must not make the query fail. */
function statuses<T extends string>(v: unknown, known: readonly T[]): T[] | undefined {
  const list = (Array.isArray(v) ? v : typeof v === 'string' ? [v] : []).filter((s): s is T => (known as readonly string[]).includes(s as string));
  return list.length ? list : undefined;
}

function page<T>(rows: T[], params: GetListParams): { data: T[]; total: number } {
  const { size, offset } = pageOf(params.pagination);
  return { data: rows.slice(offset, offset + size), total: rows.length };
}

export async function answerApproval(id: string, answer: 'approve' | 'reject', comment?: string): Promise<ApprovalRecord> {
  const vars = { id, ...(comment ? { comment } : {}) };
  if (answer === 'approve') return (await graphql<{ approvePlaybookStep: ApprovalRecord }>(APPROVE, vars)).approvePlaybookStep;
  return (await graphql<{ rejectPlaybookStep: ApprovalRecord }>(REJECT, vars)).rejectPlaybookStep;
}

export async function replayRun(runId: string): Promise<string[]> {
  return (await graphql<{ replayPlaybookRun: { steps: string[] } }>(REPLAY, { runId })).replayPlaybookRun.steps;
}

export async function listPlaybooks(): Promise<PlaybookRecord[]> {
  return (await graphql<{ playbooks: PlaybookRecord[] }>(PLAYBOOKS)).playbooks;
}

/** Starts the playbook's manual triggers on the alert; the ids of the runs started. */
export async function runPlaybook(playbookId: string, alertId: string, dryRun: boolean): Promise<string[]> {
  return (await graphql<{ runPlaybook: { runIds: string[] } }>(RUN_ON_ALERT, { playbookId, alertId, dryRun })).runPlaybook.runIds;
}

export async function setPlaybookEnabled(id: string, enabled: boolean): Promise<PlaybookRecord> {
  if (enabled) return (await graphql<{ enablePlaybook: PlaybookRecord }>(ENABLE, { id })).enablePlaybook;
  return (await graphql<{ disablePlaybook: PlaybookRecord }>(DISABLE, { id })).disablePlaybook;
}

export const playbooks: ResourceAdapter = {
  async getList(params) {
    return page(await listPlaybooks(), params);
  },
};

export const playbookRuns: ResourceAdapter = {
  async getList(params) {
    const f = (params.filter ?? {}) as { status?: unknown; playbookId?: unknown };
    const status = statuses(f.status, RUN_STATUSES);
    const rows = (
      await graphql<{ playbookRuns: RunRecord[] }>(RUNS, {
        limit: NEWEST,
        ...(status ? { status } : {}),
        ...(typeof f.playbookId === 'string' && f.playbookId ? { playbookId: f.playbookId } : {}),
      })
    ).playbookRuns;
    return page(rows, params);
  },
  async getOne(params: GetOneParams) {
    const d = (await graphql<{ playbookRun: { run: RunRecord; steps: StepRecord[]; approvals: ApprovalRecord[] } }>(RUN, { id: String(params.id) }))
      .playbookRun;
    return { data: { ...d.run, steps: d.steps, approvals: d.approvals } satisfies RunDetail };
  },
};

export const playbookApprovals: ResourceAdapter = {
  async getList(params) {
    const status = statuses((params.filter as { status?: unknown } | undefined)?.status, APPROVAL_STATUSES) ?? ['pending'];
    return page((await graphql<{ playbookApprovals: ApprovalRecord[] }>(APPROVALS, { status, limit: NEWEST })).playbookApprovals, params);
  },
};

/** A node a deploy added, changed or removed. */
export interface FlowChange {
  id: string;
  type: string;
  name: string | null;
}
export interface FlowDiff {
  added: FlowChange[];
  changed: FlowChange[];
  removed: FlowChange[];
}
/** One deploy of the playbooks (all tabs together), diffed against the version it was made from. */
export interface PlaybookVersionRecord {
  version: number;
  rev: string;
  at: string;
  by: string;
  person: string;
  action: 'deploy' | 'rollback' | 'shipped';
  message: string;
  basedOn: number;
  diff: FlowDiff;
}

const CHANGE_FIELDS = 'id type name';
const VERSION_FIELDS = `version rev at by person action message basedOn diff { added { ${CHANGE_FIELDS} } changed { ${CHANGE_FIELDS} } removed { ${CHANGE_FIELDS} } }`;
const VERSIONS = /* GraphQL */ `query PlaybookVersions($limit: Int) { playbookVersions(limit: $limit) { current versions { ${VERSION_FIELDS} } } }`;
const ROLLBACK = /* GraphQL */ `mutation RollbackPlaybooks($version: Int!) { rollbackPlaybooks(version: $version) { ${VERSION_FIELDS} } }`;
/** The most versions the console reads (the API's limit is larger; a history page is not an archive). */
export const VERSIONS_SHOWN = 200;

export async function listPlaybookVersions(): Promise<{ current: number; versions: PlaybookVersionRecord[] }> {
  return (await graphql<{ playbookVersions: { current: number; versions: PlaybookVersionRecord[] } }>(VERSIONS, { limit: VERSIONS_SHOWN })).playbookVersions;
}

/** Deploys an earlier version again, as a new version. */
export async function rollbackPlaybooks(version: number): Promise<PlaybookVersionRecord> {
  return (await graphql<{ rollbackPlaybooks: PlaybookVersionRecord }>(ROLLBACK, { version })).rollbackPlaybooks;
}

/**
 * What changed from version `from` to version `to` (from < to): each version is diffed against
 * the one before it, so the net change is those diffs composed in order — a node added and later
 * removed cancels out, one removed and added again counts as changed. `versions` must hold every
 * version in (from, to]; null when one is missing (beyond the versions read).
 */
export function composeDiff(versions: readonly PlaybookVersionRecord[], from: number, to: number): FlowDiff | null {
  if (from >= to) return { added: [], changed: [], removed: [] };
  const byVersion = new Map(versions.map((v) => [v.version, v]));
  const net = new Map<string, { kind: keyof FlowDiff; node: FlowChange }>();
  for (let n = from + 1; n <= to; n++) {
    const v = byVersion.get(n);
    if (!v) return null;
    for (const node of v.diff.added) {
      const was = net.get(node.id);
      net.set(node.id, { kind: was?.kind === 'removed' ? 'changed' : 'added', node });
    }
    for (const node of v.diff.changed) {
      const was = net.get(node.id);
      net.set(node.id, { kind: was?.kind === 'added' ? 'added' : 'changed', node });
    }
    for (const node of v.diff.removed) {
      const was = net.get(node.id);
      if (was?.kind === 'added') net.delete(node.id);
      else net.set(node.id, { kind: 'removed', node });
    }
  }
  const out: FlowDiff = { added: [], changed: [], removed: [] };
  for (const { kind, node } of net.values()) out[kind].push(node);
  for (const k of ['added', 'changed', 'removed'] as const)
    out[k].sort((a, b) => a.type.localeCompare(b.type) || (a.name ?? a.id).localeCompare(b.name ?? b.id));
  return out;
}
