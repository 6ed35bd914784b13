/**
 * Whether someone other than the caller may work on items (an assignee, a task owner): an account
 * that exists, whose roles grant the permission working the item takes, that is not isolated, and
 * that the PDP lets read every item, row filter included. The same judgement for alerts and cases,
 * and for assignment and the picker that offers assignees (cases/assignees.ts), so the two cannot
 * disagree.
 *
 * Why someone was refused is for the audit record only: told to the caller, "there is no user x"
 * against "user x may not see alert a" would say which usernames exist in other departments.
 */
import type { Authorizer } from './authz';
import { CitySocError } from './errors';
import type { ActionContext, StoredItem } from './door';
import { evaluate } from './query/evaluate';
import { can, isRole, type Permission } from './roles';

/** A user as assignment needs to know it; null when there is no such user (or it is disabled). */
export type UserLookup = (username: string) => { readonly roles: readonly string[]; readonly department?: string | null } | null;

/**
 * What may be assigned, and the permission working it takes: the one its status moves and changes
 * require (alerts.transition, cases.change). Reading it is not enough: an auditor is never an assignee.
 */
export const WORK_PERMISSION = { alert: 'alerts:write', case: 'cases:write' } as const satisfies Readonly<Record<string, Permission>>;
export type Assignable = keyof typeof WORK_PERMISSION;

/** Why the user may not work on the items, or null when they may. */
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

/**
 * Why the user (null: no such enabled account) may not be given work of this kind on the items,
 * or null when they may: what assignment checks and what the picker lists by.
 */
export function assigneeRefusal(
  authorizer: Authorizer,
  username: string,
  user: { readonly roles: readonly string[]; readonly department?: string | null } | null,
  work: Assignable,
  items: readonly StoredItem[],
  now: Date,
): string | null {
  if (!user) return `there is no user ${username}`;
  return userMayWork(authorizer, { name: username, roles: user.roles, department: user.department ?? null }, WORK_PERMISSION[work], items, now);
}

/**
 * The refusal of an assignee, alike whether the user does not exist or may not work the items;
 * the reason goes to the action's audit record, not to the caller. `what` names the work ("alert a",
 * "a task of case c").
 */
export function refuseAssignee(ctx: Pick<ActionContext, 'note'>, what: string, username: string, work: Assignable, why: string): never {
  ctx.note({ assigneeRefused: why });
  throw new CitySocError('INPUT_INVALID', `${what} cannot be assigned to ${username}: not a user who may work this ${work}`);
}
