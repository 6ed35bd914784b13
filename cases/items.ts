/**
 * Alerts, cases and events as the PDP judges them (core/door.ts StoredItem), and the judgement of
 * someone other than the caller (an assignee): may that user see the item at all?
 */
import type { Alert } from '../core/alert';
import type { Authorizer } from '../core/authz';
import type { Case } from '../core/case';
import type { Doc } from '../core/doc';
import { getField } from '../core/doc';
import type { ActionContext, StoredItem } from '../core/door';
import type { EcsEvent } from '../core/event';
import { evaluate } from '../core/query/evaluate';
import { can, isRole, type Permission } from '../core/roles';
import type { Decision } from '../core/authz';

export function alertItem(a: Alert): StoredItem {
  return { kind: 'alert', id: a.id, doc: a as unknown as Doc, resource: { type: 'alerts', ...(a.department ? { department: a.department } : {}) } };
}

/**
 * A case is judged once per department it involves (each as the document {department}), or once
 * without a department when it has none: seeing a case of two departments needs both.
 */
export function caseItems(c: Pick<Case, 'id' | 'departments'>): StoredItem[] {
  if (c.departments.length === 0) return [{ kind: 'case', id: c.id, doc: {}, resource: { type: 'cases' } }];
  return c.departments.map((d) => ({ kind: 'case', id: c.id, doc: { department: d }, resource: { type: 'cases', department: d } }));
}

export function eventItem(e: EcsEvent): StoredItem {
  const department = getField(e as Doc, 'organization.name');
  const classification = getField(e as Doc, 'citysoc.data.classification');
  return {
    kind: 'event',
    id: String(getField(e as Doc, 'event.id') ?? ''),
    doc: e as Doc,
    resource: {
      type: 'events',
      ...(typeof department === 'string' ? { department } : {}),
      ...(typeof classification === 'string' ? { classification: classification as never } : {}),
    },
  };
}

/** The case as the caller may see it: every department judged; NOT_FOUND (like an absent case) otherwise. */
export function requireCase(ctx: ActionContext, c: Case, action: 'read' | 'write'): Decision[] {
  return caseItems(c).map((i) => ctx.item(i, action));
}

export function caseVisible(ctx: ActionContext, c: Case, action: 'read' | 'write' = 'read'): boolean {
  return caseItems(c).every((i) => ctx.visible(i, action) !== null);
}

/**
 * May this user work on these items: an account that exists, whose roles grant the permission,
 * that is not isolated, and that the PDP lets read every item (row filter included)?
 */
export function userMayWork(
  authorizer: Authorizer,
  user: { name: string; roles: readonly string[]; department?: string | null },
  permission: Permission,
  items: readonly StoredItem[],
  now: Date,
): string | null {
  const roles = user.roles.filter(isRole);
  if (!can(roles, permission)) return `user ${user.name} has no role that grants ${permission}`;
  if (authorizer.isolation(user.name, now)) return `user ${user.name} is isolated`;
  for (const item of items) {
    const d = authorizer.decide({
      subject: { user: user.name, roles, ...(user.department ? { department: user.department } : {}) },
      resource: item.resource,
      action: 'read',
      context: { time: now },
    });
    if (d.decision === 'deny' || (d.obligations.rowFilter && !evaluate(d.obligations.rowFilter.node, item.doc)))
      return `user ${user.name} may not see ${item.kind} ${item.id}`;
  }
  return null;
}
