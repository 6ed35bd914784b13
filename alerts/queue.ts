/**
 * The alert queue's question as callers ask it (GraphQL, the console, playbooks): every filter of
 * the AlertQuery port, checked with what is wrong and where, and turned into the one AlertQuery
 * the stores answer, with the caller's row filter and the suppressed keys left out.
 */
import { z } from 'zod';
import { AlertEntity, AlertStatus, Severity } from '../core/alert';
import { CitySocError } from '../core/errors';
import { describeIssues } from '../core/event';
import { ALERT_RULE_TYPES, ALERT_SORT_FIELDS, type AlertQuery, MAX_ALERT_PAGE, MAX_ALERT_WINDOW } from '../core/ports/alert-store';
import { and, type QueryNode } from '../core/query/ast';

/** A user, department or rule name: printable, bounded. */
const Name = z
  .string()
  .trim()
  .min(1)
  .max(128)
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'may not contain control characters');

const IsoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)) && /^\d{4}-\d{2}-\d{2}/.test(s), 'expected an ISO 8601 time');

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
  size: z.number().int().min(1).max(MAX_ALERT_PAGE).default(50),
  offset: z
    .number()
    .int()
    .min(0)
    .max(MAX_ALERT_WINDOW - 1)
    .default(0),
});
export type AlertQueueInput = z.input<typeof AlertQueueInput>;
export type AlertQueueRequest = z.infer<typeof AlertQueueInput>;

/** GraphQL gives null for absent arguments; the queue's input has absent keys. */
export function withoutNulls<T extends object>(o: T | null | undefined): T {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== null && v !== undefined)) as T;
}

export function parseQueueInput(raw: unknown, action: string): AlertQueueRequest {
  const r = AlertQueueInput.safeParse(raw);
  if (!r.success) throw new CitySocError('INPUT_INVALID', `${action}: ${describeIssues(r.error)}`);
  return r.data;
}

/** The store's question: the caller's filters, its row filters (ANDed) and the suppressed keys left out. */
export function alertQueryOf(i: AlertQueueRequest, rowFilters: readonly QueryNode[], suppressedKeys: readonly string[]): AlertQuery {
  return {
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
    ...(suppressedKeys.length ? { excludeDedupKeys: suppressedKeys } : {}),
    ...(rowFilters.length ? { filter: and(...rowFilters) } : {}),
    ...(i.sort ? { sort: i.sort } : {}),
    size: i.size,
    offset: i.offset,
  };
}
