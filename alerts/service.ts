/**
 * The alerts application service: the queue, one alert, status moves and comments. Lists get the
 * caller's row filter (alerts of the departments it may see); one alert is judged on its own
 * department, answering NOT_FOUND alike for absent and not-yours. Assignment goes only to an
 * existing, enabled user who may see the alert.
 */
import { type Alert, ALERT_STATUSES, type AlertStatus, RESOLUTIONS } from '../core/alert';
import { type ActionContext, defineAction } from '../core/door';
import type { Doc } from '../core/doc';
import { CitySocError } from '../core/errors';
import type { AlertStore } from '../core/ports';
import { and } from '../core/query/ast';

/**
 * Whether a user may be assigned alerts of a department: 'unknown' when there is no such enabled
 * user, 'forbidden' when the PDP would not let them work such an alert (the server answers it with
 * the identity store and the PDP, judging the assignee as the PDP would judge them).
 */
export type Assignability = (username: string, department: string | undefined) => 'ok' | 'unknown' | 'forbidden';

export interface AlertListInput {
  readonly status?: readonly AlertStatus[] | null;
  readonly size?: number | null;
  readonly offset?: number | null;
}

export interface TransitionInput {
  readonly id: string;
  readonly to: AlertStatus;
  readonly comment?: string | null;
  readonly resolution?: Alert['resolution'] | null;
  readonly assignee?: string | null;
}

const MAX_COMMENT = 4000;

function alertItem(a: Alert) {
  return { kind: 'alert', id: a.id, doc: a as unknown as Doc, resource: { type: 'alerts' as const, ...(a.department ? { department: a.department } : {}) } };
}

async function visibleAlert(ctx: ActionContext, store: AlertStore, id: string, action: 'read' | 'write'): Promise<Alert> {
  const alert = await store.get(id);
  if (!alert) throw new CitySocError('NOT_FOUND', `no alert ${id}`);
  ctx.item(alertItem(alert), action);
  return alert;
}

export function alertActions(store: AlertStore, assignable: Assignability) {
  const checkAssignee = (alert: Alert, assignee: string) => {
    const answer = assignable(assignee, alert.department);
    if (answer === 'unknown') throw new CitySocError('INPUT_INVALID', `assignee ${assignee}: no such enabled user`);
    if (answer === 'forbidden')
      throw new CitySocError('INPUT_INVALID', `assignee ${assignee} may not work alerts of ${alert.department ?? 'every department'}`);
  };
  return {
    list: defineAction({
      name: 'alerts.list',
      permission: 'alerts:read',
      details: (i: AlertListInput) => ({ status: i.status ?? null }),
      run: async (ctx, i: AlertListInput) => {
        const size = i.size ?? 50;
        if (!Number.isInteger(size) || size < 1 || size > 1000) throw new CitySocError('INPUT_INVALID', 'size must be 1..1000');
        for (const s of i.status ?? [])
          if (!ALERT_STATUSES.includes(s)) throw new CitySocError('INPUT_INVALID', `status ${s}: one of ${ALERT_STATUSES.join(', ')}`);
        const scope = ctx.scope('alerts');
        const r = await store.list({
          ...(i.status && i.status.length ? { status: i.status } : {}),
          size,
          offset: i.offset ?? 0,
          ...(scope.filters.length ? { filter: and(...scope.filters) } : {}),
        });
        return { total: r.total, alerts: scope.treat(r.alerts) };
      },
    }),
    get: defineAction({
      name: 'alerts.get',
      permission: 'alerts:read',
      resource: (i: { id: string }) => `alert:${i.id}`,
      run: async (ctx, i: { id: string }) => visibleAlert(ctx, store, i.id, 'read'),
    }),
    transition: defineAction({
      name: 'alerts.transition',
      permission: 'alerts:write',
      resource: (i: TransitionInput) => `alert:${i.id}`,
      details: (i: TransitionInput) => ({ to: i.to, resolution: i.resolution ?? null, assignee: i.assignee ?? null }),
      run: async (ctx, i: TransitionInput) => {
        if (i.comment && i.comment.length > MAX_COMMENT) throw new CitySocError('INPUT_INVALID', `comment: at most ${MAX_COMMENT} characters`);
        if (i.resolution && !RESOLUTIONS.includes(i.resolution)) throw new CitySocError('INPUT_INVALID', `resolution: one of ${RESOLUTIONS.join(', ')}`);
        const alert = await visibleAlert(ctx, store, i.id, 'write');
        if (i.assignee) checkAssignee(alert, i.assignee);
        const next = await store.transition(i.id, i.to, ctx.actor.name, {
          ...(i.comment ? { comment: i.comment } : {}),
          ...(i.resolution ? { resolution: i.resolution } : {}),
          ...(i.assignee ? { assignee: i.assignee } : {}),
        });
        ctx.note({ from: alert.status });
        return next;
      },
    }),
    comment: defineAction({
      name: 'alerts.comment',
      permission: 'alerts:write',
      resource: (i: { id: string; comment: string }) => `alert:${i.id}`,
      run: async (ctx, i: { id: string; comment: string }) => {
        if (typeof i.comment !== 'string' || i.comment.trim() === '' || i.comment.length > MAX_COMMENT)
          throw new CitySocError('INPUT_INVALID', `comment: 1..${MAX_COMMENT} characters`);
        const alert = await visibleAlert(ctx, store, i.id, 'write');
        return store.transition(i.id, alert.status, ctx.actor.name, { comment: i.comment });
      },
    }),
  };
}

export type AlertActions = ReturnType<typeof alertActions>;
