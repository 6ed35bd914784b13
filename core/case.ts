/**
 * The case model (a security incident's work order) and every change it can undergo, as pure
 * functions the application services and both CaseStore adapters share: one meaning of status
 * moves, SLA stages, merges and the timeline, whichever engine stores the case.
 */
import { z } from 'zod';
import { SEVERITIES, type Severity } from './alert';
import type { Classification } from './event';
import { CitySocError } from './errors';
import { canonicalIp } from './query/ip';

export const CASE_STATUSES = ['open', 'in_progress', 'resolved', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** open → in progress → resolved → closed; a resolved or closed case can be reopened into work. */
export const CASE_TRANSITIONS: Readonly<Record<CaseStatus, readonly CaseStatus[]>> = {
  open: ['in_progress', 'resolved', 'closed'],
  in_progress: ['resolved', 'closed', 'open'],
  resolved: ['closed', 'in_progress'],
  closed: ['in_progress'],
};

/** How a case ended; `merged` is set only by a merge. */
export const CASE_RESOLUTIONS = ['true_positive', 'benign_positive', 'false_positive', 'duplicate', 'merged'] as const;
export type CaseResolution = (typeof CASE_RESOLUTIONS)[number];

/** Traffic Light Protocol 2.0: who the case may be shared with. */
export const TLP_LEVELS = ['clear', 'green', 'amber', 'amber+strict', 'red'] as const;
export type Tlp = (typeof TLP_LEVELS)[number];

export const OBSERVABLE_TYPES = ['ip', 'user', 'host', 'dataset', 'hash'] as const;
export type ObservableType = (typeof OBSERVABLE_TYPES)[number];

export const TASK_STATUSES = ['open', 'done', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const SLA_COLOURS = ['green', 'yellow', 'red'] as const;
export type SlaColour = (typeof SLA_COLOURS)[number];

/** Bounds on what one case holds, so a case document stays a size every engine stores whole. */
export const CASE_LIMITS = {
  title: 300,
  description: 8000,
  text: 4000,
  tags: 50,
  departments: 20,
  tasks: 500,
  observables: 2000,
  alerts: 10_000,
  events: 10_000,
  attachments: 500,
  timeline: 20_000,
} as const;

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export interface CaseTask {
  readonly id: string;
  readonly title: string;
  readonly status: TaskStatus;
  readonly owner?: string;
  readonly dueAt?: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly doneAt?: string;
  /** The case it came from when it was merged in. */
  readonly fromCase?: string;
}

export interface CaseObservable {
  readonly id: string;
  readonly type: ObservableType;
  readonly value: string;
  /** The CitySOC entity it stands for (`user:alice`, `ip:10.1.1.1`): what UEBA, alerts and searches key on. */
  readonly entity: string;
  /** Where it came from: `alert:<id>`, `case:<id>` or the person who added it. */
  readonly source: string;
  readonly addedAt: string;
  readonly addedBy: string;
}

export interface CaseAttachment {
  readonly id: string;
  readonly name: string;
  /** A reference (the file stays where it is kept: evidence share, object store). */
  readonly uri: string;
  readonly sha256?: string;
  readonly size?: number;
  readonly addedAt: string;
  readonly addedBy: string;
}

export interface TimelineEntry {
  readonly seq: number;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly details?: Record<string, unknown>;
  /** Set on entries carried over from a merged case: the case they happened on. */
  readonly case?: string;
}

/**
 * SLA state: the targets fixed from the severity at creation (recomputed when it changes), the
 * stage the case is in and, for that stage, when it turns yellow and red. Finished cases keep
 * whether each target was met.
 */
export interface CaseSla {
  readonly acknowledgeBy: string;
  readonly acknowledgeWarnAt: string;
  readonly resolveBy: string;
  readonly resolveWarnAt: string;
  readonly stage: 'acknowledge' | 'resolve' | 'done';
  readonly warnAt?: string;
  readonly dueAt?: string;
  readonly acknowledgeMet?: boolean;
  readonly resolveMet?: boolean;
  /** Both targets met; set once the case is done. */
  readonly met?: boolean;
}

export interface Case {
  /** Readable and unique across replicas: CASE-2026-00042. */
  readonly id: string;
  /** Incremented by every write: the optimistic-concurrency token clients hand back. */
  readonly version: number;
  readonly title: string;
  readonly description: string;
  readonly severity: Severity;
  readonly severityRank: number;
  readonly status: CaseStatus;
  readonly resolution?: CaseResolution;
  readonly resolutionNote?: string;
  readonly assignee?: string;
  /** Every department whose data the case involves; seeing the case needs all of them. Sorted. */
  readonly departments: readonly string[];
  readonly tags: readonly string[];
  readonly tlp: Tlp;
  readonly classification: Classification;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
  readonly acknowledgedAt?: string;
  readonly resolvedAt?: string;
  readonly closedAt?: string;
  readonly sla: CaseSla;
  readonly tasks: readonly CaseTask[];
  readonly observables: readonly CaseObservable[];
  readonly alertIds: readonly string[];
  readonly eventIds: readonly string[];
  readonly attachments: readonly CaseAttachment[];
  readonly timeline: readonly TimelineEntry[];
  readonly mergedInto?: string;
  readonly mergedFrom: readonly string[];
}

/** What the store assigns itself. */
export type NewCase = Omit<Case, 'id' | 'version'>;

export interface SlaTarget {
  readonly acknowledgeMinutes: number;
  readonly resolveMinutes: number;
}

export interface SlaPolicy {
  readonly targets: Readonly<Record<Severity, SlaTarget>>;
  /** Share of a target's time after which the case turns yellow (0.75: the last quarter). */
  readonly warnFraction: number;
}

/** Who changes a case, and when (the door's clock). */
export interface CaseActor {
  readonly actor: string;
  readonly at: Date;
}

export const ObservableInput = z.strictObject({
  type: z.enum(OBSERVABLE_TYPES),
  value: z.string().trim().min(1).max(1024),
});

/** The observable's value as CitySOC keys it: IPs canonical, hashes lower-case and of a known length. */
export function normalizeObservable(type: ObservableType, value: string): string {
  const v = value.trim();
  if (type === 'ip') {
    const ip = canonicalIp(v);
    if (!ip) throw new CitySocError('INPUT_INVALID', `observable ip '${v}' is not an IPv4 or IPv6 address`);
    return ip;
  }
  if (type === 'hash') {
    if (!/^([0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}|[0-9a-f]{128})$/i.test(v))
      throw new CitySocError('INPUT_INVALID', `observable hash '${v.slice(0, 80)}' must be MD5, SHA-1, SHA-256 or SHA-512 in hex`);
    return v.toLowerCase();
  }
  return v;
}

function addMinutes(t: number, minutes: number): string {
  return new Date(t + minutes * 60_000).toISOString();
}

/** The SLA of a case created at `createdAt` with `severity`, in the stage its status puts it. */
export function slaFor(
  severity: Severity,
  createdAt: string,
  policy: SlaPolicy,
): Pick<CaseSla, 'acknowledgeBy' | 'acknowledgeWarnAt' | 'resolveBy' | 'resolveWarnAt'> {
  const t = Date.parse(createdAt);
  const target = policy.targets[severity];
  return {
    acknowledgeBy: addMinutes(t, target.acknowledgeMinutes),
    acknowledgeWarnAt: addMinutes(t, target.acknowledgeMinutes * policy.warnFraction),
    resolveBy: addMinutes(t, target.resolveMinutes),
    resolveWarnAt: addMinutes(t, target.resolveMinutes * policy.warnFraction),
  };
}

/** The stage fields from the targets and the case's progress. */
function staged(
  sla: Pick<CaseSla, 'acknowledgeBy' | 'acknowledgeWarnAt' | 'resolveBy' | 'resolveWarnAt'>,
  c: Pick<Case, 'status' | 'acknowledgedAt' | 'resolvedAt'>,
): CaseSla {
  const targets = { acknowledgeBy: sla.acknowledgeBy, acknowledgeWarnAt: sla.acknowledgeWarnAt, resolveBy: sla.resolveBy, resolveWarnAt: sla.resolveWarnAt };
  const ackMet = c.acknowledgedAt !== undefined ? c.acknowledgedAt <= targets.acknowledgeBy : undefined;
  const done = c.status === 'resolved' || c.status === 'closed';
  if (done) {
    const resolveMet = c.resolvedAt !== undefined ? c.resolvedAt <= targets.resolveBy : false;
    const acknowledgeMet = ackMet ?? false;
    return { ...targets, stage: 'done', acknowledgeMet, resolveMet, met: acknowledgeMet && resolveMet };
  }
  if (c.acknowledgedAt === undefined) return { ...targets, stage: 'acknowledge', warnAt: targets.acknowledgeWarnAt, dueAt: targets.acknowledgeBy };
  return { ...targets, stage: 'resolve', warnAt: targets.resolveWarnAt, dueAt: targets.resolveBy, ...(ackMet !== undefined ? { acknowledgeMet: ackMet } : {}) };
}

/**
 * The colour now: for a case in work, that of its pending target (red once due, yellow in the
 * warning share, green before); for a finished case, green if both targets were met, red if not.
 */
export function slaColour(sla: CaseSla, now: Date): SlaColour {
  if (sla.stage === 'done') return sla.met ? 'green' : 'red';
  const t = now.toISOString();
  if (t >= sla.dueAt!) return 'red';
  if (t >= sla.warnAt!) return 'yellow';
  return 'green';
}

export interface CaseDraft {
  readonly title: string;
  readonly description?: string;
  readonly severity: Severity;
  readonly departments?: readonly string[];
  readonly tags?: readonly string[];
  readonly tlp?: Tlp;
  readonly classification?: Classification;
  readonly assignee?: string;
}

function sortedUnique(xs: readonly string[]): string[] {
  return [...new Set(xs)].sort();
}

function bounded(what: string, n: number, max: number): void {
  if (n > max) throw new CitySocError('LIMIT_EXCEEDED', `a case holds at most ${max} ${what}; this change would make ${n}`);
}

function checkText(what: string, s: string, max: number): string {
  const t = s.trim();
  if (what === 'title' && t.length === 0) throw new CitySocError('INPUT_INVALID', 'a case needs a title');
  if (t.length > max) throw new CitySocError('INPUT_INVALID', `case ${what} is ${t.length} characters long; at most ${max}`);
  return t;
}

/** A new case (the store gives it its id and version 1). */
export function newCase(d: CaseDraft, by: CaseActor, policy: SlaPolicy): NewCase {
  const at = by.at.toISOString();
  const departments = sortedUnique(d.departments ?? []);
  const tags = sortedUnique(d.tags ?? []);
  bounded('departments', departments.length, CASE_LIMITS.departments);
  bounded('tags', tags.length, CASE_LIMITS.tags);
  const base = {
    title: checkText('title', d.title, CASE_LIMITS.title),
    description: checkText('description', d.description ?? '', CASE_LIMITS.description),
    severity: d.severity,
    severityRank: severityRank(d.severity),
    status: 'open' as const,
    ...(d.assignee !== undefined ? { assignee: d.assignee } : {}),
    departments,
    tags,
    tlp: d.tlp ?? 'amber',
    classification: d.classification ?? '内部',
    createdAt: at,
    createdBy: by.actor,
    updatedAt: at,
  };
  return {
    ...base,
    sla: staged(slaFor(d.severity, at, policy), base),
    tasks: [],
    observables: [],
    alertIds: [],
    eventIds: [],
    attachments: [],
    timeline: [
      {
        seq: 1,
        at,
        actor: by.actor,
        action: 'created',
        details: { title: base.title, severity: d.severity, departments, ...(d.assignee !== undefined ? { assignee: d.assignee } : {}) },
      },
    ],
    mergedFrom: [],
  };
}

/** Every change a case can undergo after creation. */
export type CaseChange =
  | { readonly kind: 'status'; readonly to: CaseStatus; readonly resolution?: Exclude<CaseResolution, 'merged'>; readonly note?: string }
  | { readonly kind: 'assign'; readonly assignee: string | null }
  | {
      readonly kind: 'edit';
      readonly title?: string;
      readonly description?: string;
      readonly severity?: Severity;
      readonly tags?: readonly string[];
      readonly tlp?: Tlp;
      readonly classification?: Classification;
    }
  | { readonly kind: 'comment'; readonly text: string }
  | { readonly kind: 'add_task'; readonly title: string; readonly owner?: string; readonly dueAt?: string }
  | {
      readonly kind: 'update_task';
      readonly taskId: string;
      readonly title?: string;
      readonly status?: TaskStatus;
      readonly owner?: string | null;
      readonly dueAt?: string | null;
    }
  | { readonly kind: 'add_observable'; readonly type: ObservableType; readonly value: string; readonly source?: string }
  | { readonly kind: 'remove_observable'; readonly observableId: string }
  | {
      readonly kind: 'link_alerts';
      readonly alerts: readonly { readonly id: string; readonly department?: string; readonly entities: readonly { type: string; value: string }[] }[];
    }
  | { readonly kind: 'unlink_alert'; readonly alertId: string }
  | { readonly kind: 'link_events'; readonly events: readonly { readonly id: string; readonly department?: string }[] }
  | { readonly kind: 'add_departments'; readonly departments: readonly string[] }
  | { readonly kind: 'add_attachment'; readonly name: string; readonly uri: string; readonly sha256?: string; readonly size?: number };

/** Entity types of alerts that are observables of a case. */
const ENTITY_OBSERVABLE: Readonly<Record<string, ObservableType>> = { ip: 'ip', user: 'user', host: 'host', dataset: 'dataset' };

function nextId(prefix: string, items: readonly { id: string }[]): string {
  let max = 0;
  for (const i of items) {
    const n = Number(i.id.slice(prefix.length));
    if (i.id.startsWith(prefix) && Number.isInteger(n) && n > max) max = n;
  }
  return `${prefix}${max + 1}`;
}

function entry(c: Case, by: CaseActor, action: string, details?: Record<string, unknown>): TimelineEntry {
  return { seq: (c.timeline[c.timeline.length - 1]?.seq ?? 0) + 1, at: by.at.toISOString(), actor: by.actor, action, ...(details ? { details } : {}) };
}

/** The case with timeline entries appended, its update time and SLA stage brought up to date. */
function touched(c: Case, next: Omit<Case, 'timeline'>, entries: readonly TimelineEntry[], by: CaseActor): Case {
  bounded('timeline entries', c.timeline.length + entries.length, CASE_LIMITS.timeline);
  const updated = { ...next, updatedAt: by.at.toISOString(), timeline: [...c.timeline, ...entries] };
  return { ...updated, sla: staged(next.sla, updated) };
}

function refuseIfMerged(c: Case): void {
  if (c.mergedInto !== undefined) throw new CitySocError('CONFLICT', `case ${c.id} was merged into ${c.mergedInto}; work on ${c.mergedInto}`);
}

function statusMove(c: Case, ch: Extract<CaseChange, { kind: 'status' }>, by: CaseActor): Case {
  if (c.status === ch.to) throw new CitySocError('CONFLICT', `case ${c.id} is ${c.status} already`);
  if (!CASE_TRANSITIONS[c.status].includes(ch.to))
    throw new CitySocError('CONFLICT', `case ${c.id} is ${c.status}; it can move to ${CASE_TRANSITIONS[c.status].join(', ')}, not ${ch.to}`);
  if (ch.to === 'closed' && !ch.resolution && !c.resolution)
    throw new CitySocError('INPUT_INVALID', 'closing a case needs a resolution (true_positive, benign_positive, false_positive, duplicate)');
  const at = by.at.toISOString();
  const reopened = ch.to === 'in_progress' || ch.to === 'open';
  const { resolution: _r, resolutionNote: _n, resolvedAt: _ra, closedAt: _ca, ...rest } = c;
  const base = reopened ? rest : c;
  const next: Case = {
    ...base,
    status: ch.to,
    ...(c.acknowledgedAt === undefined && ch.to !== 'open' ? { acknowledgedAt: at } : {}),
    ...(ch.to === 'resolved' || (ch.to === 'closed' && c.resolvedAt === undefined) ? { resolvedAt: at } : {}),
    ...(ch.to === 'closed' ? { closedAt: at } : {}),
    ...(ch.resolution ? { resolution: ch.resolution } : {}),
    ...(ch.note ? { resolutionNote: checkText('resolution note', ch.note, CASE_LIMITS.text) } : {}),
  };
  return touched(
    c,
    next,
    [entry(c, by, 'status', { from: c.status, to: ch.to, ...(ch.resolution ? { resolution: ch.resolution } : {}), ...(ch.note ? { note: ch.note } : {}) })],
    by,
  );
}

function observable(c: Case, type: ObservableType, value: string, source: string, by: CaseActor, taken: CaseObservable[]): CaseObservable | null {
  const v = normalizeObservable(type, value);
  if ([...c.observables, ...taken].some((o) => o.type === type && o.value === v)) return null;
  return { id: nextId('O', [...c.observables, ...taken]), type, value: v, entity: `${type}:${v}`, source, addedAt: by.at.toISOString(), addedBy: by.actor };
}

/** Applies one change; throws CONFLICT or INPUT_INVALID (naming the case) when it cannot hold. */
export function applyCaseChange(c: Case, ch: CaseChange, by: CaseActor, policy: SlaPolicy): Case {
  refuseIfMerged(c);
  const at = by.at.toISOString();
  switch (ch.kind) {
    case 'status':
      return statusMove(c, ch, by);
    case 'assign': {
      if ((ch.assignee ?? undefined) === c.assignee) return c;
      const { assignee: _a, ...rest } = c;
      const next = ch.assignee === null ? rest : { ...rest, assignee: ch.assignee };
      return touched(c, next, [entry(c, by, 'assigned', { ...(c.assignee ? { from: c.assignee } : {}), ...(ch.assignee ? { to: ch.assignee } : {}) })], by);
    }
    case 'edit': {
      const changes: Record<string, unknown> = {};
      let next: Case = c;
      const set = <K extends keyof Case>(k: K, v: Case[K]) => {
        if (JSON.stringify(c[k]) === JSON.stringify(v)) return;
        changes[k] = { from: c[k], to: v };
        next = { ...next, [k]: v };
      };
      if (ch.title !== undefined) set('title', checkText('title', ch.title, CASE_LIMITS.title));
      if (ch.description !== undefined) set('description', checkText('description', ch.description, CASE_LIMITS.description));
      if (ch.tags !== undefined) {
        const tags = sortedUnique(ch.tags.map((t) => t.trim()).filter((t) => t.length > 0));
        bounded('tags', tags.length, CASE_LIMITS.tags);
        set('tags', tags);
      }
      if (ch.tlp !== undefined) set('tlp', ch.tlp);
      if (ch.classification !== undefined) set('classification', ch.classification);
      if (ch.severity !== undefined && ch.severity !== c.severity) {
        set('severity', ch.severity);
        next = { ...next, severityRank: severityRank(ch.severity), sla: { ...next.sla, ...slaFor(ch.severity, c.createdAt, policy) } };
      }
      if (Object.keys(changes).length === 0) return c;
      return touched(c, next, [entry(c, by, 'edited', changes)], by);
    }
    case 'comment':
      return touched(c, c, [entry(c, by, 'comment', { text: checkText('comment', ch.text, CASE_LIMITS.text) })], by);
    case 'add_task': {
      bounded('tasks', c.tasks.length + 1, CASE_LIMITS.tasks);
      if (ch.dueAt !== undefined && Number.isNaN(Date.parse(ch.dueAt)))
        throw new CitySocError('INPUT_INVALID', `task due time '${ch.dueAt}' is not an ISO 8601 time`);
      const task: CaseTask = {
        id: nextId('T', c.tasks),
        title: checkText('title', ch.title, CASE_LIMITS.title),
        status: 'open',
        ...(ch.owner !== undefined ? { owner: ch.owner } : {}),
        ...(ch.dueAt !== undefined ? { dueAt: new Date(ch.dueAt).toISOString() } : {}),
        createdAt: at,
        createdBy: by.actor,
      };
      return touched(
        c,
        { ...c, tasks: [...c.tasks, task] },
        [
          entry(c, by, 'task_added', {
            task: task.id,
            title: task.title,
            ...(task.owner ? { owner: task.owner } : {}),
            ...(task.dueAt ? { dueAt: task.dueAt } : {}),
          }),
        ],
        by,
      );
    }
    case 'update_task': {
      const i = c.tasks.findIndex((t) => t.id === ch.taskId);
      if (i < 0) throw new CitySocError('NOT_FOUND', `case ${c.id} has no task ${ch.taskId}`);
      const cur = c.tasks[i]!;
      if (ch.dueAt && Number.isNaN(Date.parse(ch.dueAt))) throw new CitySocError('INPUT_INVALID', `task due time '${ch.dueAt}' is not an ISO 8601 time`);
      const { owner: _o, dueAt: _d, doneAt: _dn, ...rest } = cur;
      const owner = ch.owner === undefined ? cur.owner : (ch.owner ?? undefined);
      const dueAt = ch.dueAt === undefined ? cur.dueAt : ch.dueAt === null ? undefined : new Date(ch.dueAt).toISOString();
      const status = ch.status ?? cur.status;
      const doneAt = status === 'done' ? (cur.status === 'done' ? cur.doneAt : at) : undefined;
      const task: CaseTask = {
        ...rest,
        ...(ch.title !== undefined ? { title: checkText('title', ch.title, CASE_LIMITS.title) } : {}),
        status,
        ...(owner !== undefined ? { owner } : {}),
        ...(dueAt !== undefined ? { dueAt } : {}),
        ...(doneAt !== undefined ? { doneAt } : {}),
      };
      if (JSON.stringify(task) === JSON.stringify(cur)) return c;
      const tasks = [...c.tasks];
      tasks[i] = task;
      const diff = Object.fromEntries(
        (['title', 'status', 'owner', 'dueAt'] as const).filter((k) => task[k] !== cur[k]).map((k) => [k, { from: cur[k] ?? null, to: task[k] ?? null }]),
      );
      return touched(c, { ...c, tasks }, [entry(c, by, 'task_updated', { task: cur.id, ...diff })], by);
    }
    case 'add_observable': {
      const o = observable(c, ch.type, ch.value, ch.source ?? `user:${by.actor}`, by, []);
      if (!o) return c;
      bounded('observables', c.observables.length + 1, CASE_LIMITS.observables);
      return touched(c, { ...c, observables: [...c.observables, o] }, [entry(c, by, 'observable_added', { observable: o.id, entity: o.entity })], by);
    }
    case 'remove_observable': {
      const o = c.observables.find((x) => x.id === ch.observableId);
      if (!o) throw new CitySocError('NOT_FOUND', `case ${c.id} has no observable ${ch.observableId}`);
      return touched(
        c,
        { ...c, observables: c.observables.filter((x) => x !== o) },
        [entry(c, by, 'observable_removed', { observable: o.id, entity: o.entity })],
        by,
      );
    }
    case 'link_alerts': {
      const fresh = ch.alerts.filter((a, i) => !c.alertIds.includes(a.id) && ch.alerts.findIndex((b) => b.id === a.id) === i);
      if (fresh.length === 0) return c;
      bounded('alerts', c.alertIds.length + fresh.length, CASE_LIMITS.alerts);
      const added: CaseObservable[] = [];
      for (const a of fresh)
        for (const e of a.entities) {
          const type = ENTITY_OBSERVABLE[e.type];
          if (!type) continue;
          try {
            const o = observable(c, type, e.value, `alert:${a.id}`, by, added);
            if (o) added.push(o);
          } catch {
            // an alert entity that is no valid observable (an unparsable ip) stays on the alert only
          }
        }
      bounded('observables', c.observables.length + added.length, CASE_LIMITS.observables);
      const departments = sortedUnique([...c.departments, ...fresh.flatMap((a) => (a.department ? [a.department] : []))]);
      bounded('departments', departments.length, CASE_LIMITS.departments);
      const entries = [entry(c, by, 'alerts_linked', { alerts: fresh.map((a) => a.id) })];
      if (departments.length !== c.departments.length)
        entries.push({
          ...entry(c, by, 'departments_added', { departments: departments.filter((d) => !c.departments.includes(d)) }),
          seq: entries[0]!.seq + 1,
        });
      return touched(c, { ...c, alertIds: [...c.alertIds, ...fresh.map((a) => a.id)], observables: [...c.observables, ...added], departments }, entries, by);
    }
    case 'unlink_alert': {
      if (!c.alertIds.includes(ch.alertId)) throw new CitySocError('NOT_FOUND', `case ${c.id} has no linked alert ${ch.alertId}`);
      return touched(c, { ...c, alertIds: c.alertIds.filter((a) => a !== ch.alertId) }, [entry(c, by, 'alert_unlinked', { alert: ch.alertId })], by);
    }
    case 'link_events': {
      const fresh = [...new Map(ch.events.filter((e) => !c.eventIds.includes(e.id)).map((e) => [e.id, e])).values()];
      if (fresh.length === 0) return c;
      bounded('events', c.eventIds.length + fresh.length, CASE_LIMITS.events);
      const departments = sortedUnique([...c.departments, ...fresh.flatMap((e) => (e.department ? [e.department] : []))]);
      bounded('departments', departments.length, CASE_LIMITS.departments);
      return touched(
        c,
        { ...c, eventIds: [...c.eventIds, ...fresh.map((e) => e.id)], departments },
        [entry(c, by, 'events_linked', { events: fresh.map((e) => e.id), ...(departments.length !== c.departments.length ? { departments } : {}) })],
        by,
      );
    }
    case 'add_departments': {
      const departments = sortedUnique([...c.departments, ...ch.departments]);
      if (departments.length === c.departments.length) return c;
      bounded('departments', departments.length, CASE_LIMITS.departments);
      return touched(c, { ...c, departments }, [entry(c, by, 'departments_added', { departments: departments.filter((d) => !c.departments.includes(d)) })], by);
    }
    case 'add_attachment': {
      bounded('attachments', c.attachments.length + 1, CASE_LIMITS.attachments);
      const a: CaseAttachment = {
        id: nextId('A', c.attachments),
        name: checkText('attachment name', ch.name, CASE_LIMITS.title),
        uri: ch.uri,
        ...(ch.sha256 !== undefined ? { sha256: ch.sha256.toLowerCase() } : {}),
        ...(ch.size !== undefined ? { size: ch.size } : {}),
        addedAt: at,
        addedBy: by.actor,
      };
      return touched(c, { ...c, attachments: [...c.attachments, a] }, [entry(c, by, 'attachment_added', { attachment: a.id, name: a.name, uri: a.uri })], by);
    }
  }
}

/**
 * The merged case, closed and pointing to the survivor; read-only from then on. Idempotent:
 * marking it again for the same survivor changes nothing (a merge interrupted halfway is re-run).
 */
export function markMerged(merged: Case, survivorId: string, by: CaseActor): Case {
  if (merged.mergedInto === survivorId) return merged;
  refuseIfMerged(merged);
  if (merged.id === survivorId) throw new CitySocError('INPUT_INVALID', `case ${merged.id} cannot be merged into itself`);
  const at = by.at.toISOString();
  const next: Case = {
    ...merged,
    status: 'closed',
    resolution: 'merged',
    mergedInto: survivorId,
    ...(merged.acknowledgedAt === undefined ? { acknowledgedAt: at } : {}),
    ...(merged.resolvedAt === undefined ? { resolvedAt: at } : {}),
    closedAt: at,
  };
  return touched(merged, next, [entry(merged, by, 'merged_into', { survivor: survivorId, from: merged.status })], by);
}

/**
 * The survivor with everything of the merged case: alerts, events, observables, tasks and
 * attachments (their ids renumbered), departments, tags, and the merged case's whole timeline,
 * each entry marked with the case it happened on. Idempotent per merged case.
 */
export function absorbCase(survivor: Case, merged: Case, by: CaseActor): Case {
  if (survivor.mergedFrom.includes(merged.id)) return survivor;
  refuseIfMerged(survivor);
  if (survivor.id === merged.id) throw new CitySocError('INPUT_INVALID', `case ${merged.id} cannot be merged into itself`);
  if (merged.mergedInto !== survivor.id) throw new CitySocError('CONFLICT', `case ${merged.id} is not marked as merged into ${survivor.id}`);
  const observables: CaseObservable[] = [];
  for (const o of merged.observables) {
    if ([...survivor.observables, ...observables].some((x) => x.type === o.type && x.value === o.value)) continue;
    observables.push({ ...o, id: nextId('O', [...survivor.observables, ...observables]) });
  }
  const tasks: CaseTask[] = [];
  for (const t of merged.tasks) tasks.push({ ...t, id: nextId('T', [...survivor.tasks, ...tasks]), fromCase: t.fromCase ?? merged.id });
  const attachments: CaseAttachment[] = [];
  for (const a of merged.attachments) attachments.push({ ...a, id: nextId('A', [...survivor.attachments, ...attachments]) });
  const alertIds = [...survivor.alertIds, ...merged.alertIds.filter((a) => !survivor.alertIds.includes(a))];
  const eventIds = [...survivor.eventIds, ...merged.eventIds.filter((e) => !survivor.eventIds.includes(e))];
  const departments = sortedUnique([...survivor.departments, ...merged.departments]);
  const tags = sortedUnique([...survivor.tags, ...merged.tags]);
  bounded('alerts', alertIds.length, CASE_LIMITS.alerts);
  bounded('events', eventIds.length, CASE_LIMITS.events);
  bounded('observables', survivor.observables.length + observables.length, CASE_LIMITS.observables);
  bounded('tasks', survivor.tasks.length + tasks.length, CASE_LIMITS.tasks);
  bounded('attachments', survivor.attachments.length + attachments.length, CASE_LIMITS.attachments);
  bounded('departments', departments.length, CASE_LIMITS.departments);
  bounded('tags', tags.length, CASE_LIMITS.tags);
  let seq = survivor.timeline[survivor.timeline.length - 1]?.seq ?? 0;
  const carried = merged.timeline.map((e) => ({ ...e, seq: ++seq, case: e.case ?? merged.id }));
  const mergedEntry: TimelineEntry = { ...entry(survivor, by, 'merged_from', { merged: merged.id, title: merged.title }), seq: ++seq };
  const next: Case = {
    ...survivor,
    alertIds,
    eventIds,
    observables: [...survivor.observables, ...observables],
    tasks: [...survivor.tasks, ...tasks],
    attachments: [...survivor.attachments, ...attachments],
    departments,
    tags,
    mergedFrom: [...survivor.mergedFrom, merged.id],
  };
  return touched(survivor, next, [...carried, mergedEntry], by);
}

/** Fields a case row filter may test: the PDP's row filters on cases name the department only. */
export const CASE_ROW_FIELDS = ['department'] as const;
