/**
 * The policy application service: decisions (for people trying what-ifs and for external systems
 * over HTTP), policy changes with a dry run, emergency access and account isolation. Each action
 * goes through the door, which authorizes it and writes its one audit record; the details noted
 * here (before/after of a change, the grant, the credentials revoked) go into that record.
 */
import { z } from 'zod';
import { type ActionContext, defineAction, Refusal } from '../core/door';
import { CitySocError } from '../core/errors';
import { describeIssues } from '../core/event';
import { isRole } from '../core/roles';
import { decisionAuditRecord } from './audit/decision-audit';
import { type DecisionRequest, DecisionRequestSchema } from './decision';
import { answerOf, toRequest } from './http-decide';
import type { PolicyChange } from './policy-service';
import type { PolicyServices } from './services';

/** Resolves a department code or name given at an edge to its canonical name; refuses unknown ones. */
export type DepartmentResolver = (codeOrName: string, where: string) => string;

/** Who holds which roles and department, for checks on the target of an action (isolation). */
export type AccountLookup = (user: string) => { readonly roles: readonly string[]; readonly department: string | null } | null;

export interface PolicyActionDeps {
  readonly policy: PolicyServices;
  readonly resolveDepartment: DepartmentResolver;
  readonly account: AccountLookup;
  /** Most requests one external batch may carry. */
  readonly maxBatch?: number;
}

const Line = z.strictObject({ ptype: z.enum(['p', 'p2', 'g', 'g2']), values: z.array(z.string().max(512)).min(1).max(16) });
export const PolicyChangeSchema = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('add'), line: Line }),
  z.strictObject({ op: z.literal('remove'), line: Line }),
  z.strictObject({ op: z.literal('update'), before: Line, after: Line }),
]);

/** Why a policy change is made, as its author tells auditors; longer text belongs in a case. */
export const MAX_CHANGE_REASON = 500;

/** The most of a change's input (as JSON) the trail keeps: the input is recorded before it is checked. */
export const MAX_AUDITED_CHANGE = 32 * 1024;

function auditedChange(v: unknown): unknown {
  const text = JSON.stringify(v) ?? '';
  return text.length <= MAX_AUDITED_CHANGE ? v : { inputTooLarge: text.length };
}

function reasonOf(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const r = v.trim();
  return r.length > 0 && r.length <= MAX_CHANGE_REASON ? r : null;
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new CitySocError('INPUT_INVALID', `${what}: ${describeIssues(r.error)}`);
  return r.data;
}

function decisionRequest(value: unknown, what: string): DecisionRequest {
  return toRequest(parse(DecisionRequestSchema, value, what));
}

/** What the audit record keeps of one PDP answer (the same summary the external endpoint always wrote). */
function summary(req: DecisionRequest, d: ReturnType<PolicyServices['pdp']['decide']>) {
  const rec = decisionAuditRecord(req, d, { name: '', type: 'system' });
  return { resource: rec.resource, answer: d.decision, reason: d.reason, ...rec.details };
}

interface IsolateInput {
  readonly user: string;
  readonly reason: string;
  readonly until?: string | null;
}
interface GrantInput {
  readonly reason: string;
  readonly department: string;
  readonly resource?: string | null;
  readonly actions?: string | null;
  readonly durationMinutes: number;
}
interface ReleaseInput {
  readonly user: string;
  readonly reason: string;
}

export function policyActions(deps: PolicyActionDeps) {
  const { policy } = deps;
  const maxBatch = deps.maxBatch ?? 100;
  return {
    /** A what-if for people (GraphQL `decide`): the PDP's answer for any subject. */
    decide: defineAction({
      name: 'authz.decide',
      permission: 'policy:read',
      run: async (ctx, i: { request: unknown }) => {
        const req = decisionRequest(i.request, 'request');
        const d = policy.pdp.decide(req);
        ctx.setResource(summary(req, d).resource ?? '');
        ctx.note({ decisions: [summary(req, d)] });
        return answerOf(d);
      },
    }),
    /**
     * External systems (POST /authz/v1/decide[/batch]), for tokens with the pdp role only. One
     * audit record per call, listing each decision; batches are bounded.
     */
    decideExternal: defineAction({
      name: 'authz.decide_external',
      permission: 'authz:decide',
      run: async (ctx, i: { body: unknown; batch: boolean }) => {
        let reqs: DecisionRequest[];
        if (i.batch) {
          const b = parse(z.strictObject({ requests: z.array(z.unknown()).min(1).max(maxBatch) }), i.body, 'batch');
          reqs = b.requests.map((r, n) => decisionRequest(r, `requests[${n}]`));
        } else reqs = [decisionRequest(i.body, 'request')];
        const decisions = policy.pdp.decideBatch(reqs);
        ctx.note({ decisions: reqs.map((r, n) => summary(r, decisions[n]!)) });
        ctx.setResource(reqs.length === 1 ? (summary(reqs[0]!, decisions[0]!).resource ?? '') : `authz/batch:${reqs.length}`);
        return i.batch ? { decisions: decisions.map(answerOf) } : answerOf(decisions[0]!);
      },
    }),
    listPolicies: defineAction({
      name: 'policy.list',
      permission: 'policy:read',
      run: async (_ctx, i: { ptype?: string | null }) => {
        if (i.ptype && !['p', 'p2', 'g', 'g2'].includes(i.ptype)) throw new CitySocError('INPUT_INVALID', 'ptype: one of p, p2, g, g2');
        return policy.policies.list((i.ptype ?? undefined) as never);
      },
    }),
    previewChange: defineAction({
      name: 'policy.preview',
      permission: 'policy:manage',
      run: async (_ctx, i: { change: unknown; samples: readonly unknown[] }) => {
        const change = parse(PolicyChangeSchema, i.change, 'change') as PolicyChange;
        if (i.samples.length > 1000) throw new CitySocError('INPUT_INVALID', 'samples: at most 1000');
        const samples = i.samples.map((s, n) => decisionRequest(s, `samples[${n}]`));
        return policy.policies
          .dryRun(change, samples, (p, r) => policy.pdp.decideWith(p, r))
          .map((f) => ({ ...f, before: answerOf(f.before), after: answerOf(f.after) }));
      },
    }),
    applyChange: defineAction({
      name: 'policy.change',
      permission: 'policy:manage',
      // The reason is kept only when it could be accepted: a refused one is not copied into the trail.
      details: (i: { change: unknown; reason?: string | null }) => ({
        change: auditedChange(i.change),
        ...(reasonOf(i.reason) ? { reason: reasonOf(i.reason) } : {}),
      }),
      run: async (ctx, i: { change: unknown; reason?: string | null }) => {
        // A blank reason is no reason; anything else must be text the trail can keep.
        if (i.reason !== undefined && i.reason !== null && (typeof i.reason !== 'string' || i.reason.trim().length > MAX_CHANGE_REASON))
          throw new CitySocError('INPUT_INVALID', `reason: text of at most ${MAX_CHANGE_REASON} characters`);
        const applied = await policy.policies.apply(parse(PolicyChangeSchema, i.change, 'change') as PolicyChange);
        ctx.setResource(`policy:${applied.ptype}:${applied.id}`);
        ctx.note({ before: applied.before, after: applied.after, version: applied.version });
        return applied;
      },
    }),
    listGrants: defineAction({ name: 'emergency.list', permission: 'grants:request', run: async () => policy.grants.list() }),
    requestGrant: defineAction({
      name: 'emergency.request',
      permission: 'grants:request',
      details: (i: GrantInput) => ({
        department: i.department,
        reason: i.reason,
        durationMinutes: i.durationMinutes,
      }),
      run: async (ctx, i: GrantInput) => {
        // A grant opens one real department: never `*`, never a name nobody uses.
        const department = deps.resolveDepartment(i.department, 'department');
        const g = await policy.grants.request(ctx.actor, {
          reason: i.reason,
          department,
          durationMinutes: i.durationMinutes,
          ...(i.resource ? { resource: i.resource } : {}),
          ...(i.actions ? { actions: i.actions } : {}),
        });
        ctx.setResource(`grant:${g.id}`);
        ctx.note({ grantId: g.id, department });
        return g;
      },
    }),
    approveGrant: defineAction({
      name: 'emergency.approve',
      permission: null,
      resource: (i: { id: string }) => `grant:${i.id}`,
      run: async (ctx, i: { id: string }) => {
        const g = await policy.grants.approve(ctx.actor, i.id);
        ctx.note({ grantId: g.id, requester: g.requester, approvals: g.approvals.length, expiresAt: g.expiresAt ?? null });
        return g;
      },
    }),
    listIsolations: defineAction({ name: 'isolation.list', permission: 'accounts:isolate', run: async () => policy.isolation.list() }),
    isolate: defineAction({
      name: 'isolation.isolate',
      permission: 'accounts:isolate',
      resource: (i: IsolateInput) => `user:${i.user}`,
      details: (i: IsolateInput) => ({ reason: i.reason, until: i.until ?? null }),
      run: async (ctx, i: IsolateInput) => {
        const until = i.until ? new Date(i.until) : undefined;
        if (until && Number.isNaN(until.getTime())) throw new CitySocError('INPUT_INVALID', `until '${i.until}' is not an ISO 8601 date`);
        if (i.user === ctx.actor.name || i.user === ctx.actor.person) throw new CitySocError('INPUT_INVALID', 'an account cannot isolate itself');
        guardTarget(ctx, deps.account, i.user, 'isolate');
        const r = await policy.isolation.isolate(ctx.actor.name, i.user, i.reason, until);
        ctx.note({ isolationId: r.isolation.id, revoked: r.revoked });
        return r.isolation;
      },
    }),
    release: defineAction({
      name: 'isolation.release',
      permission: 'accounts:isolate',
      resource: (i: ReleaseInput) => `user:${i.user}`,
      details: (i: ReleaseInput) => ({ reason: i.reason }),
      run: async (ctx, i: ReleaseInput) => {
        if (i.reason.trim() === '') throw new CitySocError('INPUT_INVALID', 'release: give a reason, it goes to the audit trail');
        guardTarget(ctx, deps.account, i.user, 'release');
        const was = await policy.isolation.release(i.user);
        ctx.note({ isolationId: was?.id ?? null });
        return was !== null;
      },
    }),
  };
}

/**
 * Isolation acts on another account: the PDP must allow the action on that account's department,
 * and only an admin may isolate or release an admin (a security lead cannot lock out the platform's
 * administrators; a playbook cannot either).
 */
function guardTarget(ctx: ActionContext, account: AccountLookup, user: string, action: 'isolate' | 'release'): void {
  const target = account(user);
  const department = target?.department ?? undefined;
  ctx.require({ type: 'account', ...(department ? { department } : {}) }, action);
  if (target?.roles.some((r) => isRole(r) && r === 'admin') && !ctx.actor.roles.includes('admin'))
    throw new Refusal('FORBIDDEN', `only an admin may ${action} the admin account ${user}`, `target ${user} is an admin`);
}

export type PolicyActions = ReturnType<typeof policyActions>;
