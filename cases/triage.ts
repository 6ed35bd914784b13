/**
 * Alert triage as door actions: the queue (every filter, sort, paging, suppressed keys left
 * out), one alert, comments and assignment without a status move, status moves (a bulk move is
 * one door call, and one audit record, per alert), suppression of an alert key for a time, and
 * false-positive feedback that can become a rule exception.
 */
import { z } from 'zod';
import { type Alert, AlertEntity, AlertStatus, RESOLUTIONS, Severity } from '../core/alert';
import { CitySocError } from '../core/errors';
import { type ActionContext, defineAction, Refusal } from '../core/door';
import { ALERT_RULE_TYPES, ALERT_SORT_FIELDS, type AlertQuery } from '../core/ports/alert-store';
import { and } from '../core/query/ast';
import type { CasesDeps } from './deps';
import { Id, IsoTime, Name, parseInput } from './input';
import { alertItem, userMayWork } from './items';
import { ruleException } from './rule-exception';
import { activeSuppressions, SUPPRESSIONS, type Suppression, suppressionId } from './suppressions';

export const AlertQueueInput = z.strictObject({
  status: z.array(AlertStatus).max(4).optional(),
  severity: z.array(Severity).max(5).optional(),
  ruleId: Name.optional(),
  ruleType: z.array(z.enum(ALERT_RULE_TYPES)).max(4).optional(),
  department: Name.optional(),
  entity: z.strictObject({ type: AlertEntity.shape.type.optional(), value: z.string().min(1).max(1024) }).optional(),
  assignee: Name.optional(),
  unassigned: z.boolean().optional(),
  timeField: z.enum(['firstSeen', 'lastSeen']).default('lastSeen'),
  from: IsoTime.optional(),
  to: IsoTime.optional(),
  text: z.string().min(1).max(256).optional(),
  /** Suppressed keys are left out unless asked for. */
  includeSuppressed: z.boolean().default(false),
  sort: z.strictObject({ field: z.enum(ALERT_SORT_FIELDS), order: z.enum(['asc', 'desc']) }).optional(),
  size: z.number().int().min(1).max(1000).default(50),
  offset: z.number().int().min(0).max(9999).default(0),
});
export type AlertQueueInput = z.input<typeof AlertQueueInput>;

const Comment = z.string().trim().min(1).max(4000);

const MoveInput = z.strictObject({
  id: Id,
  to: AlertStatus,
  resolution: z.enum(RESOLUTIONS).optional(),
  comment: Comment.optional(),
});

const BULK_MAX = 500;

/** The alert as the caller may act on it: NOT_FOUND alike for absent and not-yours. */
async function alertFor(deps: CasesDeps, ctx: ActionContext, id: string, action: 'read' | 'write') {
  const alert = await deps.alerts.get(id);
  if (!alert) throw new CitySocError('NOT_FOUND', `no alert ${id}`);
  const d = ctx.item(alertItem(alert), action);
  return { alert, treat: (a: Alert) => deps.door.authorizer.treat(a as never, d.obligations.fields) as unknown as Alert };
}

/** An assignee must exist, hold alerts:read and be allowed by the PDP to see the alert. */
function checkAssignee(deps: CasesDeps, ctx: ActionContext, username: string, alert: Alert): void {
  const user = deps.users(username);
  const why = user
    ? userMayWork(deps.door.authorizer, { name: username, ...user }, 'alerts:read', [alertItem(alert)], ctx.now)
    : `there is no user ${username}`;
  if (why) throw new CitySocError('INPUT_INVALID', `alert ${alert.id} cannot be assigned to ${username}: ${why}`);
}

export function triageActions(deps: CasesDeps) {
  const queue = defineAction({
    name: 'alerts.queue',
    permission: 'alerts:read',
    details: (i: AlertQueueInput) => ({ query: i }),
    run: async (ctx, raw: AlertQueueInput) => {
      const i = parseInput(AlertQueueInput, raw, 'alerts.queue');
      const scope = ctx.scope('alerts');
      const suppressed = i.includeSuppressed ? [] : (await activeSuppressions(deps.state, ctx.now)).map((s) => s.dedupKey);
      const q: AlertQuery = {
        ...(i.status ? { status: i.status } : {}),
        ...(i.severity ? { severity: i.severity } : {}),
        ...(i.ruleId ? { ruleId: i.ruleId } : {}),
        ...(i.ruleType ? { ruleType: i.ruleType } : {}),
        ...(i.department ? { department: i.department } : {}),
        ...(i.entity ? { entity: i.entity } : {}),
        ...(i.assignee ? { assignee: i.assignee } : {}),
        ...(i.unassigned ? { unassigned: true } : {}),
        ...(i.from || i.to ? { time: { field: i.timeField, ...(i.from ? { from: i.from } : {}), ...(i.to ? { to: i.to } : {}) } } : {}),
        ...(i.text ? { text: i.text } : {}),
        ...(suppressed.length ? { excludeDedupKeys: suppressed } : {}),
        ...(scope.filters.length ? { filter: and(...scope.filters) } : {}),
        ...(i.sort ? { sort: i.sort } : {}),
        size: i.size,
        offset: i.offset,
      };
      const r = await deps.alerts.list(q);
      ctx.note({ total: r.total });
      return { total: r.total, alerts: scope.treat(r.alerts) };
    },
  });

  const get = defineAction({
    name: 'alerts.get',
    permission: 'alerts:read',
    resource: (i: { id: string }) => `alert:${i.id}`,
    run: async (ctx, i: { id: string }) => {
      const { alert, treat } = await alertFor(deps, ctx, parseInput(z.strictObject({ id: Id }), i, 'alerts.get').id, 'read');
      return treat(alert);
    },
  });

  const comment = defineAction({
    name: 'alerts.comment',
    permission: 'alerts:write',
    resource: (i: { id: string; text: string }) => `alert:${i.id}`,
    run: async (ctx, raw: { id: string; text: string }) => {
      const i = parseInput(z.strictObject({ id: Id, text: Comment }), raw, 'alerts.comment');
      const { treat } = await alertFor(deps, ctx, i.id, 'write');
      return treat(await deps.alerts.annotate(i.id, ctx.actor.name, { comment: i.text }));
    },
  });

  const assign = defineAction({
    name: 'alerts.assign',
    permission: 'alerts:write',
    resource: (i: { id: string; assignee: string | null; comment?: string }) => `alert:${i.id}`,
    details: (i) => ({ assignee: i.assignee }),
    run: async (ctx, raw: { id: string; assignee: string | null; comment?: string }) => {
      const i = parseInput(z.strictObject({ id: Id, assignee: Name.nullable(), comment: Comment.optional() }), raw, 'alerts.assign');
      const { alert, treat } = await alertFor(deps, ctx, i.id, 'write');
      if (i.assignee !== null) checkAssignee(deps, ctx, i.assignee, alert);
      return treat(await deps.alerts.annotate(i.id, ctx.actor.name, { assignee: i.assignee, ...(i.comment ? { comment: i.comment } : {}) }));
    },
  });

  const transition = defineAction({
    name: 'alerts.transition',
    permission: 'alerts:write',
    resource: (i: z.input<typeof MoveInput>) => `alert:${i.id}`,
    details: (i) => ({ to: i.to, ...(i.resolution ? { resolution: i.resolution } : {}) }),
    run: async (ctx, raw: z.input<typeof MoveInput>) => {
      const i = parseInput(MoveInput, raw, 'alerts.transition');
      const { treat } = await alertFor(deps, ctx, i.id, 'write');
      return treat(
        await deps.alerts.transition(i.id, i.to, ctx.actor.name, {
          ...(i.comment ? { comment: i.comment } : {}),
          ...(i.resolution ? { resolution: i.resolution } : {}),
        }),
      );
    },
  });

  const SuppressInput = z.strictObject({
    alertId: Id,
    until: IsoTime.optional(),
    minutes: z
      .number()
      .int()
      .min(1)
      .max(365 * 24 * 60)
      .optional(),
    reason: z.string().trim().min(1).max(1000),
  });
  const suppress = defineAction({
    name: 'alerts.suppress',
    permission: 'alerts:write',
    resource: (i: z.input<typeof SuppressInput>) => `alert:${i.alertId}`,
    details: (i) => ({ reason: i.reason, ...(i.until ? { until: i.until } : {}), ...(i.minutes ? { minutes: i.minutes } : {}) }),
    run: async (ctx, raw: z.input<typeof SuppressInput>): Promise<Suppression> => {
      const i = parseInput(SuppressInput, raw, 'alerts.suppress');
      if ((i.until === undefined) === (i.minutes === undefined)) throw new CitySocError('INPUT_INVALID', 'alerts.suppress: give either until or minutes');
      const until = i.until !== undefined ? Date.parse(i.until) : ctx.now.getTime() + i.minutes! * 60_000;
      const max = ctx.now.getTime() + deps.config.maxSuppressionDays * 86_400_000;
      if (until <= ctx.now.getTime()) throw new CitySocError('INPUT_INVALID', `alerts.suppress: until ${new Date(until).toISOString()} is not in the future`);
      if (until > max)
        throw new CitySocError('INPUT_INVALID', `alerts.suppress: at most ${deps.config.maxSuppressionDays} days (until ${new Date(max).toISOString()})`);
      const { alert } = await alertFor(deps, ctx, i.alertId, 'write');
      const s: Suppression = {
        id: suppressionId(alert.dedupKey),
        dedupKey: alert.dedupKey,
        ruleId: alert.rule.id,
        ...(alert.department ? { department: alert.department } : {}),
        alertId: alert.id,
        reason: i.reason,
        until: new Date(until).toISOString(),
        by: ctx.actor.name,
        at: ctx.now.toISOString(),
      };
      if ((await activeSuppressions(deps.state, ctx.now)).length >= 10_000)
        throw new CitySocError('LIMIT_EXCEEDED', 'alerts.suppress: 10,000 alert keys are suppressed already; lift some first');
      await deps.state.put(SUPPRESSIONS, s.id, { ...s });
      ctx.note({ suppression: s.id, dedupKey: s.dedupKey, until: s.until });
      return s;
    },
  });

  /** A suppression as the PDP judges it: the department of the alert it was made from. */
  const suppressionItem = (s: Suppression) => ({
    kind: 'suppression',
    id: s.id,
    doc: { department: s.department },
    resource: { type: 'alerts' as const, ...(s.department ? { department: s.department } : {}) },
  });

  const unsuppress = defineAction({
    name: 'alerts.unsuppress',
    permission: 'alerts:write',
    resource: (i: { id: string }) => `suppression:${i.id}`,
    run: async (ctx, raw: { id: string }) => {
      const { id } = parseInput(z.strictObject({ id: Id }), raw, 'alerts.unsuppress');
      const s = (await deps.state.get(SUPPRESSIONS, id)) as Suppression | null;
      if (!s) throw new CitySocError('NOT_FOUND', `no suppression ${id}`);
      ctx.item(suppressionItem(s), 'write');
      return deps.state.remove(SUPPRESSIONS, id);
    },
  });

  const suppressions = defineAction({
    name: 'alerts.suppressions',
    permission: 'alerts:read',
    run: async (ctx) => (await activeSuppressions(deps.state, ctx.now)).filter((s) => ctx.visible(suppressionItem(s)) !== null),
  });

  const falsePositive = defineAction({
    name: 'alerts.false_positive',
    permission: 'alerts:write',
    resource: (i: { id: string; comment?: string }) => `alert:${i.id}`,
    run: async (ctx, raw: { id: string; comment?: string }) => {
      const i = parseInput(z.strictObject({ id: Id, comment: Comment.optional() }), raw, 'alerts.false_positive');
      const { alert, treat } = await alertFor(deps, ctx, i.id, 'write');
      ctx.note({ ruleId: alert.rule.id });
      return treat(
        await deps.alerts.transition(i.id, 'closed', ctx.actor.name, {
          resolution: 'false_positive',
          comment: i.comment ?? 'false positive',
        }),
      );
    },
  });

  const ExceptionInput = z.strictObject({
    alertId: Id,
    fields: z
      .record(z.string(), z.array(z.string().min(1).max(1024)).min(1).max(50))
      .refine((f) => Object.keys(f).length >= 1 && Object.keys(f).length <= 10, 'between 1 and 10 fields')
      .refine((f) => Object.keys(f).every((k) => /^[A-Za-z0-9_@.-]{1,128}$/.test(k)), 'each key a field name such as source.ip or user.name'),
    reason: z.string().trim().min(1).max(1000),
  });
  const addRuleException = defineAction({
    name: 'rules.add_exception',
    permission: 'rules:manage',
    resource: (i: z.input<typeof ExceptionInput>) => `alert:${i.alertId}`,
    details: (i) => ({ fields: i.fields, reason: i.reason }),
    run: async (ctx, raw: z.input<typeof ExceptionInput>) => {
      const i = parseInput(ExceptionInput, raw, 'rules.add_exception');
      if (!deps.rules) throw new CitySocError('UNAVAILABLE', 'rule exceptions need the rule repository, which this platform does not run');
      const { alert } = await alertFor(deps, ctx, i.alertId, 'read');
      const ex = ruleException(alert, { fields: i.fields, reason: i.reason }, ctx.actor.person, ctx.now);
      const { file } = await deps.rules.addFilter(ex);
      ctx.note({ ruleId: alert.rule.id, exception: ex.id, file });
      ctx.setResource(`rule:${alert.rule.id}`);
      return { id: ex.id, file, ruleId: alert.rule.id, yaml: ex.yaml };
    },
  });

  return { queue, get, comment, assign, transition, suppress, unsuppress, suppressions, falsePositive, addRuleException };
}

export const BULK_TRANSITION_MAX = BULK_MAX;

export const BulkMoveInput = z.strictObject({
  ids: z.array(Id).min(1).max(BULK_MAX),
  to: AlertStatus,
  resolution: z.enum(RESOLUTIONS).optional(),
  comment: Comment.optional(),
});

/** Why a refusal that is not a CitySOC error reached a bulk caller (never happens for door errors). */
export function refusalMessage(e: unknown): { code: string; message: string } {
  if (e instanceof CitySocError || e instanceof Refusal) return { code: e.code, message: e.message };
  return { code: 'INTERNAL', message: 'internal error; the server log has the details' };
}
