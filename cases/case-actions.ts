/**
 * Cases as door actions. A person and a playbook open, change and close cases through the same
 * calls, audited the same way. Every change is judged on the case as stored when it is applied
 * (all its departments), and on the case it becomes: adding a department's alert to a case needs
 * that department too. Each audit record carries the case version and hash it produced, so an
 * export can show the case it carries is the one the trail vouches for.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { RESOLUTIONS, Severity } from '../core/alert';
import { canonicalJson } from '../core/canonical';
import {
  applyCaseChange,
  type Case,
  type CaseChange,
  type CaseStatus,
  CASE_STATUSES,
  OBSERVABLE_TYPES,
  newCase,
  type SlaColour,
  slaColour,
  SLA_COLOURS,
  TASK_STATUSES,
  TLP_LEVELS,
} from '../core/case';
import { CitySocError } from '../core/errors';
import { type ActionContext, defineAction, Refusal } from '../core/door';
import { Classification } from '../core/event';
import { CASE_SORT_FIELDS, type CaseQuery } from '../core/ports/case-store';
import { and } from '../core/query/ast';
import { evaluate } from '../core/query/evaluate';
import { slaPolicy } from './config';
import type { CasesDeps } from './deps';
import { Id, IsoTime, Name, parseInput } from './input';
import { alertItem, assigneeRefusal, caseItems, eventItem, refuseAssignee, requireCase } from './items';

/** A case as callers get it: with its SLA colour at the time of the call. */
export type CaseView = Case & { readonly slaColour: SlaColour };

export function viewOf(c: Case, now: Date): CaseView {
  return { ...c, slaColour: slaColour(c.sla, now) };
}

/**
 * The case as the caller gets it: with its colour, and the field treatments of the decisions that
 * let the caller see it (one per department), as every output path applies them.
 */
export function shownCase(deps: Pick<CasesDeps, 'door'>, ctx: ActionContext, c: Case): CaseView {
  let view = viewOf(c, ctx.now);
  for (const item of caseItems(c)) {
    const d = ctx.visible(item, 'read');
    if (d) view = deps.door.authorizer.view(d.obligations.fields).treat(view as never) as unknown as CaseView;
  }
  return view;
}

export function caseHash(c: Case): string {
  return createHash('sha256').update(canonicalJson(c)).digest('hex');
}

/** The case version and hash an action produced, for its audit record (see evidence.ts). */
function anchor(ctx: ActionContext, c: Case): void {
  ctx.setResource(`case:${c.id}`);
  ctx.note({ caseVersion: c.version, caseHash: caseHash(c) });
}

/**
 * The caller may write cases of these departments; a case of no department needs write access
 * to cases that no row filter narrows to departments (a central analyst, an administrator).
 */
function requireDepartments(ctx: ActionContext, departments: readonly string[]): void {
  if (departments.length > 0) {
    for (const d of departments) ctx.require({ type: 'cases', department: d }, 'write');
    return;
  }
  const d = ctx.decide({ type: 'cases' }, 'write');
  if (d.decision === 'deny' || (d.obligations.rowFilter && !evaluate(d.obligations.rowFilter.node, {})))
    throw new Refusal(
      'FORBIDDEN',
      `${ctx.actor.name} may not open a case without a department: name the department(s) it concerns`,
      `policy: ${d.reason}`,
      'cases',
    );
}

const Text = (max: number) => z.string().trim().min(1).max(max);
const Uri = z
  .string()
  .max(2048)
  .refine((u) => {
    try {
      return ['https:', 'http:', 's3:', 'hdfs:', 'smb:', 'evidence:'].includes(new URL(u).protocol);
    } catch {
      return false;
    }
  }, 'a reference with scheme https, http, s3, hdfs, smb or evidence');

const CreateInput = z.strictObject({
  title: Text(300),
  description: z.string().max(8000).optional(),
  severity: Severity,
  departments: z.array(Name).max(20).optional(),
  tags: z.array(Name).max(50).optional(),
  tlp: z.enum(TLP_LEVELS).optional(),
  classification: Classification.optional(),
  assignee: Name.optional(),
  alertIds: z.array(Id).max(100).optional(),
  eventIds: z.array(Id).max(1000).optional(),
});
export type CreateCaseInput = z.input<typeof CreateInput>;

const FromAlertInput = z.strictObject({
  alertId: Id,
  title: Text(300).optional(),
  description: z.string().max(8000).optional(),
  severity: Severity.optional(),
  assignee: Name.optional(),
  tags: z.array(Name).max(50).optional(),
});

export const CaseListInput = z.strictObject({
  status: z.array(z.enum(CASE_STATUSES)).max(4).optional(),
  severity: z.array(Severity).max(5).optional(),
  assignee: Name.optional(),
  unassigned: z.boolean().optional(),
  department: Name.optional(),
  tag: Name.optional(),
  text: z.string().min(1).max(256).optional(),
  alertId: Id.optional(),
  eventId: Id.optional(),
  observable: z.strictObject({ type: z.enum(OBSERVABLE_TYPES), value: z.string().min(1).max(1024) }).optional(),
  createdFrom: IsoTime.optional(),
  createdTo: IsoTime.optional(),
  slaColour: z.enum(SLA_COLOURS).optional(),
  sort: z.strictObject({ field: z.enum(CASE_SORT_FIELDS), order: z.enum(['asc', 'desc']) }).optional(),
  size: z.number().int().min(1).max(1000).default(50),
  offset: z.number().int().min(0).max(9999).default(0),
  after: z.string().max(1024).optional(),
});
export type CaseListInput = z.input<typeof CaseListInput>;

/** The changes a caller may ask for (merges and links have their own actions). */
const ChangeInput = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('status'), to: z.enum(CASE_STATUSES), resolution: z.enum(RESOLUTIONS).optional(), note: Text(4000).optional() }),
  z.strictObject({ kind: z.literal('assign'), assignee: Name.nullable() }),
  z.strictObject({
    kind: z.literal('edit'),
    title: Text(300).optional(),
    description: z.string().max(8000).optional(),
    severity: Severity.optional(),
    tags: z.array(Name).max(50).optional(),
    tlp: z.enum(TLP_LEVELS).optional(),
    classification: Classification.optional(),
  }),
  z.strictObject({ kind: z.literal('comment'), text: Text(4000) }),
  z.strictObject({ kind: z.literal('add_task'), title: Text(300), owner: Name.optional(), dueAt: IsoTime.optional() }),
  z.strictObject({
    kind: z.literal('update_task'),
    taskId: Id,
    title: Text(300).optional(),
    status: z.enum(TASK_STATUSES).optional(),
    owner: Name.nullable().optional(),
    dueAt: IsoTime.nullable().optional(),
  }),
  z.strictObject({ kind: z.literal('add_observable'), type: z.enum(OBSERVABLE_TYPES), value: z.string().trim().min(1).max(1024) }),
  z.strictObject({ kind: z.literal('remove_observable'), observableId: Id }),
  z.strictObject({ kind: z.literal('unlink_alert'), alertId: Id }),
  z.strictObject({ kind: z.literal('add_departments'), departments: z.array(Name).min(1).max(20) }),
  z.strictObject({
    kind: z.literal('add_attachment'),
    name: Text(300),
    uri: Uri,
    sha256: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, 'a SHA-256 in hex')
      .optional(),
    size: z.number().int().min(0).optional(),
  }),
]);
export type CaseChangeInput = z.input<typeof ChangeInput>;

export function caseActions(deps: CasesDeps) {
  const policy = slaPolicy(deps.config);

  /** A person the case or a task may go to: exists, may work cases, and may see this one; why not is for the audit record only. */
  const checkWorker = (ctx: ActionContext, username: string, c: Pick<Case, 'id' | 'departments'>, what: string) => {
    const why = assigneeRefusal(deps.door.authorizer, username, deps.users(username), 'case', caseItems(c), ctx.now);
    if (why) refuseAssignee(ctx, what, username, 'case', why);
  };

  /** Applies a change to the stored case, judged before (the case as it is) and after (the case it becomes). */
  const change = async (ctx: ActionContext, id: string, ch: CaseChange, expectedVersion?: number): Promise<CaseView> => {
    const next = await deps.cases.update(
      id,
      (cur) => {
        requireCase(ctx, cur, 'write');
        if (ch.kind === 'assign' && ch.assignee !== null) checkWorker(ctx, ch.assignee, cur, `case ${cur.id}`);
        if ((ch.kind === 'add_task' || ch.kind === 'update_task') && ch.owner) checkWorker(ctx, ch.owner, cur, `a task of case ${cur.id}`);
        const out = applyCaseChange(cur, ch, { actor: ctx.actor.name, at: ctx.now }, policy);
        if (out.departments.length !== cur.departments.length) requireCase(ctx, out, 'write');
        return out;
      },
      expectedVersion !== undefined ? { expectedVersion } : {},
    );
    anchor(ctx, next);
    return shownCase(deps, ctx, next);
  };

  /** Alerts the caller may read, with what a case keeps of them. */
  const readableAlerts = async (ctx: ActionContext, ids: readonly string[]) => {
    const out = [];
    for (const id of [...new Set(ids)]) {
      const a = await deps.alerts.get(id);
      if (!a) throw new CitySocError('NOT_FOUND', `no alert ${id}`);
      ctx.item(alertItem(a), 'read');
      out.push(a);
    }
    return out;
  };

  /** Events the caller may read; with strict, one it may not read is refused (NOT_FOUND), otherwise left out. */
  const readableEvents = async (ctx: ActionContext, ids: readonly string[], strict: boolean) => {
    const out = [];
    for (const id of [...new Set(ids)]) {
      const e = await deps.events.get(id);
      if (!e) {
        if (strict) throw new CitySocError('NOT_FOUND', `no event ${id}`);
        continue;
      }
      const item = { ...eventItem(e), id };
      if (strict) ctx.item(item, 'read');
      else if (!ctx.visible(item, 'read')) continue;
      out.push({ id, department: item.resource.department });
    }
    return out;
  };

  const open = async (ctx: ActionContext, i: z.infer<typeof CreateInput>): Promise<CaseView> => {
    const alerts = await readableAlerts(ctx, i.alertIds ?? []);
    const events = await readableEvents(ctx, i.eventIds ?? [], true);
    const by = { actor: ctx.actor.name, at: ctx.now };
    let c: Case = { ...newCase({ ...i, ...(i.assignee ? { assignee: i.assignee } : {}) }, by, policy), id: '(new)', version: 0 };
    if (alerts.length)
      c = applyCaseChange(c, { kind: 'link_alerts', alerts: alerts.map((a) => ({ id: a.id, department: a.department, entities: a.entities })) }, by, policy);
    if (events.length) c = applyCaseChange(c, { kind: 'link_events', events }, by, policy);
    requireDepartments(ctx, c.departments);
    if (i.assignee) checkWorker(ctx, i.assignee, c, 'the case');
    const { id: _id, version: _v, ...draft } = c;
    const stored = await deps.cases.create(draft);
    anchor(ctx, stored);
    ctx.note({ alerts: stored.alertIds.length, events: stored.eventIds.length });
    return shownCase(deps, ctx, stored);
  };

  const create = defineAction({
    name: 'cases.create',
    permission: 'cases:write',
    details: (i: CreateCaseInput) => ({ title: i.title, severity: i.severity, departments: i.departments ?? [] }),
    run: async (ctx, raw: CreateCaseInput) => open(ctx, parseInput(CreateInput, raw, 'cases.create')),
  });

  const openFromAlert = defineAction({
    name: 'cases.open_from_alert',
    permission: 'cases:write',
    resource: (i: z.input<typeof FromAlertInput>) => `alert:${i.alertId}`,
    run: async (ctx, raw: z.input<typeof FromAlertInput>) => {
      const i = parseInput(FromAlertInput, raw, 'cases.open_from_alert');
      const [alert] = await readableAlerts(ctx, [i.alertId]);
      // the alert's department; an alert without one (a correlation over addresses) takes the
      // departments of the events behind it that the caller may see
      const events = await readableEvents(ctx, alert!.eventIds.slice(0, 1000), false);
      const departments = alert!.department ? [alert!.department] : [...new Set(events.flatMap((e) => (e.department ? [e.department] : [])))];
      const entities = alert!.entities.map((e) => e.value).slice(0, 3);
      return open(ctx, {
        title: i.title ?? `${alert!.rule.name}${entities.length ? `: ${entities.join(', ')}` : ''}`.slice(0, 300),
        description: i.description ?? `Opened from alert ${alert!.id} (${alert!.rule.name}, ${alert!.count} occurrence(s), first ${alert!.firstSeen}).`,
        severity: i.severity ?? alert!.rule.severity,
        departments,
        ...(i.tags ? { tags: i.tags } : {}),
        ...(i.assignee ? { assignee: i.assignee } : {}),
        alertIds: [alert!.id],
        eventIds: events.map((e) => e.id),
      });
    },
  });

  const get = defineAction({
    name: 'cases.get',
    permission: 'cases:read',
    resource: (i: { id: string }) => `case:${i.id}`,
    run: async (ctx, raw: { id: string }) => {
      const { id } = parseInput(z.strictObject({ id: Id }), raw, 'cases.get');
      const c = await deps.cases.get(id);
      if (!c) throw new CitySocError('NOT_FOUND', `no case ${id}`);
      requireCase(ctx, c, 'read');
      return shownCase(deps, ctx, c);
    },
  });

  const list = defineAction({
    name: 'cases.list',
    permission: 'cases:read',
    details: (i: CaseListInput) => ({ query: i }),
    run: async (ctx, raw: CaseListInput) => {
      const i = parseInput(CaseListInput, raw, 'cases.list');
      const scope = ctx.scope('cases');
      const q: CaseQuery = {
        ...(i.status ? { status: i.status as CaseStatus[] } : {}),
        ...(i.severity ? { severity: i.severity } : {}),
        ...(i.assignee ? { assignee: i.assignee } : {}),
        ...(i.unassigned ? { unassigned: true } : {}),
        ...(i.department ? { department: i.department } : {}),
        ...(i.tag ? { tag: i.tag } : {}),
        ...(i.text ? { text: i.text } : {}),
        ...(i.alertId ? { alertId: i.alertId } : {}),
        ...(i.eventId ? { eventId: i.eventId } : {}),
        ...(i.observable ? { observables: [i.observable] } : {}),
        ...(i.createdFrom || i.createdTo
          ? { created: { ...(i.createdFrom ? { from: i.createdFrom } : {}), ...(i.createdTo ? { to: i.createdTo } : {}) } }
          : {}),
        ...(i.slaColour ? { sla: { colour: i.slaColour, at: ctx.now.toISOString() } } : {}),
        ...(scope.filters.length ? { visibleTo: and(...scope.filters) } : {}),
        ...(i.sort ? { sort: i.sort } : {}),
        size: i.size,
        ...(i.after ? { after: i.after } : { offset: i.offset }),
      };
      const page = await deps.cases.list(q);
      ctx.note({ total: page.total });
      return { total: page.total, cases: scope.treat(page.cases.map((c) => viewOf(c, ctx.now))), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
    },
  });

  const update = defineAction({
    name: 'cases.change',
    permission: 'cases:write',
    resource: (i: { id: string; change: CaseChangeInput; expectedVersion?: number }) => `case:${i.id}`,
    details: (i) => ({ change: i.change.kind, ...(i.expectedVersion !== undefined ? { expectedVersion: i.expectedVersion } : {}) }),
    run: async (ctx, raw: { id: string; change: CaseChangeInput; expectedVersion?: number }) => {
      const i = parseInput(z.strictObject({ id: Id, change: ChangeInput, expectedVersion: z.number().int().min(1).optional() }), raw, 'cases.change');
      return change(ctx, i.id, i.change as CaseChange, i.expectedVersion);
    },
  });

  const linkAlerts = defineAction({
    name: 'cases.link_alerts',
    permission: 'cases:write',
    resource: (i: { id: string; alertIds: string[] }) => `case:${i.id}`,
    details: (i) => ({ alerts: i.alertIds }),
    run: async (ctx, raw: { id: string; alertIds: string[] }) => {
      const i = parseInput(z.strictObject({ id: Id, alertIds: z.array(Id).min(1).max(100) }), raw, 'cases.link_alerts');
      const alerts = await readableAlerts(ctx, i.alertIds);
      return change(ctx, i.id, { kind: 'link_alerts', alerts: alerts.map((a) => ({ id: a.id, department: a.department, entities: a.entities })) });
    },
  });

  const linkEvents = defineAction({
    name: 'cases.link_events',
    permission: 'cases:write',
    resource: (i: { id: string; eventIds: string[] }) => `case:${i.id}`,
    details: (i) => ({ events: i.eventIds.length }),
    run: async (ctx, raw: { id: string; eventIds: string[] }) => {
      const i = parseInput(z.strictObject({ id: Id, eventIds: z.array(Id).min(1).max(1000) }), raw, 'cases.link_events');
      return change(ctx, i.id, { kind: 'link_events', events: await readableEvents(ctx, i.eventIds, true) });
    },
  });

  return { create, openFromAlert, get, list, update, linkAlerts, linkEvents };
}
