/**
 * The playbooks application service: every action on playbooks as a door action (authorized by
 * role and PDP, audited once): list playbooks, versions, runs, steps and approvals; approve or
 * reject; replay; enable and disable; run on an alert; roll back; deploy (the editor's deploys,
 * through the storage module). Runs and approvals belong to their alert's department, and the
 * PDP decides who sees, replays and answers them (resource type `playbooks`, actions read, run,
 * approve). The flows themselves belong to no department: authoring them (deploy, enable,
 * rollback) is decided by the role table's playbooks:author alone.
 */
import { z } from 'zod';
import type { ActionContext, StoredItem } from '../core/door';
import { defineAction, Refusal } from '../core/door';
import { CitySocError } from '../core/errors';
import { isRole } from '../core/roles';
import type { PlaybookCatalog, PlaybookSummary, Enablement, FlowItem } from './catalog';
import type { PlaybookHost } from './host';
import type { Palette } from './palette/palette';
import type { RunEngine } from './runs/engine';
import { APPROVAL_STATUSES, type ApprovalRecord, RUN_STATUSES, type RunRecord, type StepRecord } from './runs/model';
import type { FlowVersion, FlowVersions } from './runtime/flow-versions';

export interface ServiceDeps {
  readonly engine: RunEngine;
  readonly catalog: PlaybookCatalog;
  readonly versions: FlowVersions;
  readonly host: PlaybookHost;
  readonly palette: Palette;
  /** Deploys a stored version again as a new version (the runtime and the storage module). */
  rollback(ctx: ActionContext, version: number): Promise<FlowVersion>;
  /** The version this replica runs. */
  currentVersion(): number;
}

export interface PlaybookView extends PlaybookSummary {
  readonly enabled: boolean;
  readonly enabledBy?: string;
  readonly enabledAt?: string;
}

function parse<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const r = schema.safeParse(input);
  if (!r.success) throw new CitySocError('INPUT_INVALID', `${what}: ${r.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}`);
  return r.data;
}

/** A run and an approval as the PDP judges them (their alert's department); the live feed judges them alike. */
export const runItem = (r: RunRecord): StoredItem => ({
  kind: 'run',
  id: r.id,
  doc: { department: r.department ?? null, playbookId: r.playbookId },
  resource: { type: 'playbooks', ...(r.department ? { department: r.department } : {}) },
});

export const approvalItem = (a: ApprovalRecord): StoredItem => ({
  kind: 'approval',
  id: a.id,
  doc: { department: a.department ?? null, playbookId: a.playbookId },
  resource: { type: 'playbooks', ...(a.department ? { department: a.department } : {}) },
});

const Id = z.string().min(1).max(200);
const Limit = z.number().int().min(1).max(500).default(50);

const RunsInput = z.strictObject({
  playbookId: Id.optional(),
  status: z.array(z.enum(RUN_STATUSES)).max(RUN_STATUSES.length).optional(),
  before: z.iso.datetime({ offset: true }).optional(),
  limit: Limit,
});
const ApprovalsInput = z.strictObject({ status: z.array(z.enum(APPROVAL_STATUSES)).optional(), limit: Limit });
const AnswerInput = z.strictObject({ id: Id, comment: z.string().max(2000).optional() });
const ReplayInput = z.strictObject({ runId: Id, fromStep: Id.optional() });
const PlaybookInput = z.strictObject({ playbookId: Id });
const RunOnAlertInput = z.strictObject({ playbookId: Id, alertId: Id, dryRun: z.boolean().default(false) });
const RollbackInput = z.strictObject({ version: z.number().int().min(1) });

export interface DeployInput {
  readonly flows: FlowItem[];
  readonly credentials: Record<string, unknown>;
  readonly basedOn: number;
}

export function playbookActions(d: ServiceDeps) {
  const view = (p: PlaybookSummary): PlaybookView => {
    const e: Enablement | undefined = d.catalog.enablementOf(p.id);
    return { ...p, enabled: e?.enabled === true, ...(e ? { enabledBy: e.by, enabledAt: e.at } : {}) };
  };
  const playbook = (id: string) => {
    const p = d.catalog.get(id);
    if (!p) throw new CitySocError('NOT_FOUND', `no playbook ${id} is deployed`);
    return p;
  };
  const answer = (status: 'approved' | 'rejected') =>
    defineAction({
      name: status === 'approved' ? 'playbooks.approve' : 'playbooks.reject',
      permission: 'playbooks:approve',
      resource: (i: { id: string }) => `approval:${i.id}`,
      details: (i: { id: string; comment?: string }) => ({ comment: i.comment ?? null }),
      run: async (ctx, input: { id: string; comment?: string }) => {
        const i = parse(AnswerInput, input, 'answer');
        const a = await d.engine.store.getApproval(i.id);
        if (!a) throw new CitySocError('NOT_FOUND', `no approval ${i.id}`);
        ctx.item(approvalItem(a), 'approve');
        const role = a.approverRole;
        if (!ctx.actor.roles.includes('admin') && !(isRole(role) && ctx.actor.roles.includes(role)))
          throw new Refusal('FORBIDDEN', `approval ${a.id} is answered by the role ${role}`, `approver role ${role} not held`);
        if (a.excluded.includes(ctx.actor.person) || a.excluded.includes(ctx.actor.name))
          throw new Refusal(
            'FORBIDDEN',
            `${ctx.actor.person} is an account this run acts against and cannot answer its approval`,
            'approver is the subject of the run',
          );
        const done = await d.engine.answer(a.id, { status, by: ctx.actor.person, at: ctx.now.toISOString(), ...(i.comment ? { comment: i.comment } : {}) });
        ctx.note({ runId: a.runId, playbookId: a.playbookId, step: a.stepKey });
        return done;
      },
    });

  return {
    list: defineAction({
      name: 'playbooks.list',
      permission: 'playbooks:read',
      run: async (): Promise<PlaybookView[]> => d.catalog.list().map(view),
    }),

    versions: defineAction({
      name: 'playbooks.versions',
      permission: 'playbooks:read',
      run: async (_ctx, input: { limit?: number }): Promise<{ current: number; versions: FlowVersion[] }> => {
        const { limit } = parse(z.strictObject({ limit: Limit }), input ?? {}, 'versions');
        return { current: d.currentVersion(), versions: (await d.versions.list()).slice(0, limit) };
      },
    }),

    runs: defineAction({
      name: 'playbooks.runs',
      permission: 'playbooks:read',
      run: async (ctx, input: z.input<typeof RunsInput>): Promise<RunRecord[]> => {
        const q = parse(RunsInput, input ?? {}, 'runs');
        // Read more than asked: rows the caller may not see are dropped after the PDP's answer.
        const rows = await d.engine.store.listRuns({ ...q, limit: Math.min(q.limit * 4, 2000) });
        return rows.filter((r) => ctx.visible(runItem(r))).slice(0, q.limit);
      },
    }),

    run: defineAction({
      name: 'playbooks.run',
      permission: 'playbooks:read',
      resource: (i: { id: string }) => `run:${i.id}`,
      run: async (ctx, input: { id: string }): Promise<{ run: RunRecord; steps: StepRecord[]; approvals: ApprovalRecord[] }> => {
        const { id } = parse(z.strictObject({ id: Id }), input, 'run');
        const r = await d.engine.store.getRun(id);
        if (!r) throw new CitySocError('NOT_FOUND', `no run ${id}`);
        ctx.item(runItem(r));
        return { run: r, steps: await d.engine.store.listSteps(id), approvals: await d.engine.store.listApprovals({ runId: id, limit: 100 }) };
      },
    }),

    approvals: defineAction({
      name: 'playbooks.approvals',
      permission: 'playbooks:read',
      run: async (ctx, input: z.input<typeof ApprovalsInput>): Promise<ApprovalRecord[]> => {
        const q = parse(ApprovalsInput, input ?? {}, 'approvals');
        const rows = await d.engine.store.listApprovals({ status: q.status ?? ['pending'], limit: Math.min(q.limit * 4, 2000) });
        return rows.filter((a) => ctx.visible(approvalItem(a))).slice(0, q.limit);
      },
    }),

    approve: answer('approved'),
    reject: answer('rejected'),

    replay: defineAction({
      name: 'playbooks.replay',
      permission: 'playbooks:run',
      resource: (i: { runId: string }) => `run:${i.runId}`,
      details: (i: { runId: string; fromStep?: string }) => ({ fromStep: i.fromStep ?? null }),
      run: async (ctx, input: z.input<typeof ReplayInput>): Promise<{ runId: string; steps: string[] }> => {
        const i = parse(ReplayInput, input, 'replay');
        const r = await d.engine.store.getRun(i.runId);
        if (!r) throw new CitySocError('NOT_FOUND', `no run ${i.runId}`);
        ctx.item(runItem(r), 'run');
        const steps = await d.engine.replay(i.runId, i.fromStep);
        ctx.note({ steps });
        return { runId: i.runId, steps };
      },
    }),

    enable: defineAction({
      name: 'playbooks.enable',
      permission: 'playbooks:author',
      resource: (i: { playbookId: string }) => `playbook:${i.playbookId}`,
      run: async (ctx, input: { playbookId: string }): Promise<PlaybookView> => {
        const { playbookId } = parse(PlaybookInput, input, 'enable');
        const p = playbook(playbookId);
        await d.catalog.setEnabled(p.id, true, ctx.actor.person, ctx.now);
        return view(p);
      },
    }),

    disable: defineAction({
      name: 'playbooks.disable',
      permission: 'playbooks:author',
      resource: (i: { playbookId: string }) => `playbook:${i.playbookId}`,
      run: async (ctx, input: { playbookId: string }): Promise<PlaybookView> => {
        const { playbookId } = parse(PlaybookInput, input, 'disable');
        const p = playbook(playbookId);
        await d.catalog.setEnabled(p.id, false, ctx.actor.person, ctx.now);
        return view(p);
      },
    }),

    runOnAlert: defineAction({
      name: 'playbooks.run_on_alert',
      permission: 'playbooks:run',
      resource: (i: { playbookId: string; alertId: string }) => `playbook:${i.playbookId}`,
      details: (i: { alertId: string; dryRun?: boolean }) => ({ alertId: i.alertId, dryRun: i.dryRun === true }),
      run: async (ctx, input: z.input<typeof RunOnAlertInput>): Promise<{ runIds: string[] }> => {
        const i = parse(RunOnAlertInput, input, 'run on alert');
        const p = playbook(i.playbookId);
        const alert = await d.host.getAlert(ctx.actor, i.alertId);
        if (!alert) throw new CitySocError('NOT_FOUND', `no alert ${i.alertId}`);
        ctx.require({ type: 'playbooks', ...(alert.department ? { department: alert.department } : {}) }, 'run');
        const runIds = await d.palette.runManual(ctx.actor, p.id, alert, i.dryRun);
        ctx.note({ runIds });
        return { runIds };
      },
    }),

    rollback: defineAction({
      name: 'playbooks.rollback',
      permission: 'playbooks:author',
      resource: (i: { version: number }) => `playbooks:v${i.version}`,
      run: async (ctx, input: { version: number }): Promise<FlowVersion> => {
        const { version } = parse(RollbackInput, input, 'rollback');
        const v = await d.rollback(ctx, version);
        ctx.note({ version: v.version, rev: v.rev, diff: { added: v.diff.added.length, changed: v.diff.changed.length, removed: v.diff.removed.length } });
        return v;
      },
    }),
  };
}

export type PlaybookActions = ReturnType<typeof playbookActions>;

/**
 * The editor's deploys, as the storage module performs them for the signed-in author. `check`
 * refuses flows the runtime could not run (it names the problem).
 */
export function deployAction(versions: FlowVersions, check: (flows: readonly FlowItem[]) => void = () => undefined) {
  return defineAction({
    name: 'playbooks.deploy',
    permission: 'playbooks:author',
    resource: () => 'playbooks',
    run: async (ctx, i: DeployInput): Promise<FlowVersion> => {
      check(i.flows);
      const v = await versions.commit({ ...i, by: ctx.actor.name, person: ctx.actor.person, action: 'deploy', message: 'deployed in the editor' });
      ctx.note({
        version: v.version,
        basedOn: v.basedOn,
        rev: v.rev,
        diff: { added: v.diff.added.map((n) => n.id), changed: v.diff.changed.map((n) => n.id), removed: v.diff.removed.map((n) => n.id) },
      });
      return v;
    },
  });
}

/** The shipped playbooks installed or upgraded at start, by the platform. */
export function shippedAction(versions: FlowVersions) {
  return defineAction({
    name: 'playbooks.install_shipped',
    permission: null,
    resource: () => 'playbooks',
    run: async (ctx, i: DeployInput & { message: string }): Promise<FlowVersion> => {
      const v = await versions.commit({ ...i, by: ctx.actor.name, person: ctx.actor.person, action: 'shipped' });
      ctx.note({ version: v.version, message: i.message });
      return v;
    },
  });
}
