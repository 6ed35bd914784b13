/**
 * Alert triage beyond the alerts service (alerts/service.ts: the queue, one alert, moves,
 * comments, assignment): suppression of an alert key for a time, with a reason, false-positive
 * feedback that can become a rule exception, and the input of a bulk move (one door call, and one
 * audit record, per alert).
 */
import { z } from 'zod';
import { type Alert, AlertStatus, RESOLUTIONS } from '../core/alert';
import { CitySocError } from '../core/errors';
import { type ActionContext, defineAction, Refusal } from '../core/door';
import type { CasesDeps } from './deps';
import { Id, IsoTime, parseInput } from './input';
import { alertItem } from './items';
import { ruleException } from './rule-exception';
import { activeSuppressions, SUPPRESSIONS, type Suppression, suppressionId } from '../alerts/suppressions';

const Comment = z.string().trim().min(1).max(4000);

const BULK_MAX = 500;

/** Input kept in an audit record before it is validated: as given when small, else only its size (a refusal must not grow the trail without bound). */
const AUDITED_INPUT_MAX = 32 * 1024;
function auditedInput(input: Record<string, unknown>): Record<string, unknown> {
  const text = JSON.stringify(input) ?? '';
  return text.length <= AUDITED_INPUT_MAX ? input : { inputTooLarge: text.length };
}

/** The alert as the caller may act on it: NOT_FOUND alike for absent and not-yours. */
async function alertFor(deps: CasesDeps, ctx: ActionContext, id: string, action: 'read' | 'write') {
  const alert = await deps.alerts.get(id);
  if (!alert) throw new CitySocError('NOT_FOUND', `no alert ${id}`);
  const d = ctx.item(alertItem(alert), action);
  return { alert, treat: (a: Alert) => deps.door.authorizer.view(d.obligations.fields).treat(a as never) as unknown as Alert };
}

export function triageActions(deps: CasesDeps) {
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
      .refine(
        (f) => Object.keys(f).every((k) => /^[A-Za-z@][A-Za-z0-9_@-]*(\.[A-Za-z0-9_@-]+)*$/.test(k) && k.length <= 128),
        'each key a field name such as source.ip or user.name',
      )
      .refine((f) => Object.values(f).reduce((n, vs) => n + vs.length, 0) <= 100, 'at most 100 values in all'),
    reason: z.string().trim().min(1).max(1000),
  });
  const addRuleException = defineAction({
    name: 'rules.add_exception',
    permission: 'rules:except',
    resource: (i: z.input<typeof ExceptionInput>) => `alert:${i.alertId}`,
    details: (i) => auditedInput({ fields: i.fields, reason: i.reason }),
    run: async (ctx, raw: z.input<typeof ExceptionInput>) => {
      const i = parseInput(ExceptionInput, raw, 'rules.add_exception');
      if (!deps.rules) throw new CitySocError('UNAVAILABLE', 'rule exceptions need the rule repository, which this platform does not run');
      // tuning detection from an alert is working that alert: who may not work it finds no alert
      const { alert } = await alertFor(deps, ctx, i.alertId, 'write');
      const ex = ruleException(alert, { fields: i.fields, reason: i.reason }, ctx.actor.person, ctx.now);
      const { file } = await deps.rules.addFilter(ex);
      ctx.note({ ruleId: alert.rule.id, exception: ex.id, file });
      ctx.setResource(`rule:${alert.rule.id}`);
      return { id: ex.id, file, ruleId: alert.rule.id, yaml: ex.yaml };
    },
  });

  return { suppress, unsuppress, suppressions, falsePositive, addRuleException };
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
