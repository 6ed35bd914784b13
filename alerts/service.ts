/**
 * The alerts application service: the queue (every filter of the AlertQuery port, sort, paging,
 * suppressed keys left out), one alert, status moves, comments and assignment without a status
 * move. Lists get the caller's row filter (alerts of the departments it may see); one alert is
 * judged on its own department, answering NOT_FOUND alike for absent and not-yours, and goes out
 * with the field treatments of that decision. Assignment goes only to an existing user who may
 * work the alert and see it (core/may-work.ts); a refusal reads the same whether the user is absent
 * or may not, and the audit record keeps why. Cases (cases/) build the rest of triage on these
 * same actions.
 */
import { z } from 'zod';
import { type Alert, AlertStatus, RESOLUTIONS } from '../core/alert';
import type { Authorizer } from '../core/authz';
import type { Doc } from '../core/doc';
import { type ActionContext, defineAction, type StoredItem } from '../core/door';
import { describeIssues } from '../core/event';
import { CitySocError } from '../core/errors';
import { assigneeRefusal, refuseAssignee, type UserLookup } from '../core/may-work';
import type { AlertStore, StateStore } from '../core/ports';
import { alertQueryOf, type AlertQueueInput, parseQueueInput } from './queue';
import { activeSuppressions } from './suppressions';

export interface AlertServiceDeps {
  readonly store: AlertStore;
  /** The PDP: an assignee is judged as the PDP would judge them. */
  readonly authorizer: Authorizer;
  /** Existing, enabled users (the identity store). */
  readonly users: UserLookup;
  /** Where suppressions live (shared by every replica); absent: nothing is suppressed. */
  readonly state?: StateStore;
}

const Comment = z.string().trim().min(1).max(4000);
const Id = z.string().min(1).max(256);
const Assignee = z.string().trim().min(1).max(128);

const TransitionInput = z.strictObject({
  id: Id,
  to: AlertStatus,
  comment: Comment.optional(),
  resolution: z.enum(RESOLUTIONS).optional(),
  assignee: Assignee.optional(),
});
export type TransitionInput = z.input<typeof TransitionInput>;
const CommentInput = z.strictObject({ id: Id, comment: Comment });
const AssignInput = z.strictObject({ id: Id, assignee: Assignee.nullable(), comment: Comment.optional() });

function parse<S extends z.ZodType>(schema: S, input: unknown, action: string): z.infer<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw new CitySocError('INPUT_INVALID', `${action}: ${describeIssues(r.error)}`);
  return r.data;
}

export function alertItem(a: Alert): StoredItem {
  return { kind: 'alert', id: a.id, doc: a as unknown as Doc, resource: { type: 'alerts', ...(a.department ? { department: a.department } : {}) } };
}

export function alertActions(d: AlertServiceDeps) {
  /** The alert as the caller may act on it, and how it goes out to them. */
  const visibleAlert = async (ctx: ActionContext, id: string, action: 'read' | 'write') => {
    const alert = await d.store.get(id);
    if (!alert) throw new CitySocError('NOT_FOUND', `no alert ${id}`);
    const decision = ctx.item(alertItem(alert), action);
    const view = d.authorizer.view(decision.obligations.fields);
    return { alert, shown: (a: Alert) => view.treat(a as unknown as Doc) as unknown as Alert };
  };
  /** An assignee must exist, hold alerts:write, not be isolated, and be allowed by the PDP to see the alert. */
  const checkAssignee = (ctx: ActionContext, username: string, alert: Alert) => {
    const why = assigneeRefusal(d.authorizer, username, d.users(username), 'alert', [alertItem(alert)], ctx.now);
    if (why) refuseAssignee(ctx, `alert ${alert.id}`, username, 'alert', why);
  };
  return {
    list: defineAction({
      name: 'alerts.list',
      permission: 'alerts:read',
      details: (i: AlertQueueInput) => ({ query: i }),
      run: async (ctx, raw: AlertQueueInput) => {
        const i = parseQueueInput(raw, 'alerts.list');
        const scope = ctx.scope('alerts');
        const suppressed = i.includeSuppressed || !d.state ? [] : (await activeSuppressions(d.state, ctx.now)).map((s) => s.dedupKey);
        const r = await d.store.list(alertQueryOf(i, scope.filters, suppressed));
        ctx.note({ total: r.total });
        return { total: r.total, alerts: scope.treat(r.alerts) };
      },
    }),
    get: defineAction({
      name: 'alerts.get',
      permission: 'alerts:read',
      resource: (i: { id: string }) => `alert:${i.id}`,
      run: async (ctx, raw: { id: string }) => {
        const { alert, shown } = await visibleAlert(ctx, parse(z.strictObject({ id: Id }), raw, 'alerts.get').id, 'read');
        return shown(alert);
      },
    }),
    transition: defineAction({
      name: 'alerts.transition',
      permission: 'alerts:write',
      resource: (i: TransitionInput) => `alert:${i.id}`,
      details: (i: TransitionInput) => ({ to: i.to, resolution: i.resolution ?? null, assignee: i.assignee ?? null }),
      run: async (ctx, raw: TransitionInput) => {
        const i = parse(TransitionInput, raw, 'alerts.transition');
        const { alert, shown } = await visibleAlert(ctx, i.id, 'write');
        if (i.assignee) checkAssignee(ctx, i.assignee, alert);
        const next = await d.store.transition(i.id, i.to, ctx.actor.name, {
          ...(i.comment ? { comment: i.comment } : {}),
          ...(i.resolution ? { resolution: i.resolution } : {}),
          ...(i.assignee ? { assignee: i.assignee } : {}),
        });
        ctx.note({ from: alert.status });
        return shown(next);
      },
    }),
    /** A comment without a status move: one 'comment' entry in the alert's history. */
    comment: defineAction({
      name: 'alerts.comment',
      permission: 'alerts:write',
      resource: (i: { id: string; comment: string }) => `alert:${i.id}`,
      run: async (ctx, raw: { id: string; comment: string }) => {
        const i = parse(CommentInput, raw, 'alerts.comment');
        const { shown } = await visibleAlert(ctx, i.id, 'write');
        return shown(await d.store.annotate(i.id, ctx.actor.name, { comment: i.comment }));
      },
    }),
    /** Assigns (null: nobody) without a status move, with an optional comment. */
    assign: defineAction({
      name: 'alerts.assign',
      permission: 'alerts:write',
      resource: (i: { id: string; assignee: string | null; comment?: string }) => `alert:${i.id}`,
      details: (i) => ({ assignee: i.assignee }),
      run: async (ctx, raw: { id: string; assignee: string | null; comment?: string }) => {
        const i = parse(AssignInput, raw, 'alerts.assign');
        const { alert, shown } = await visibleAlert(ctx, i.id, 'write');
        if (i.assignee !== null) checkAssignee(ctx, i.assignee, alert);
        return shown(await d.store.annotate(i.id, ctx.actor.name, { assignee: i.assignee, ...(i.comment ? { comment: i.comment } : {}) }));
      },
    }),
  };
}

export type AlertActions = ReturnType<typeof alertActions>;
