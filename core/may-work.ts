/**
 * Whether someone other than the caller may work on items (an assignee, a task owner): an account
 * that exists, whose roles grant the permission, that is not isolated, and that the PDP lets read
 * every item, row filter included. The same judgement for alerts and cases.
 */
import type { Authorizer } from './authz';
import type { StoredItem } from './door';
import { evaluate } from './query/evaluate';
import { can, isRole, type Permission } from './roles';

/** A user as assignment needs to know it; null when there is no such user (or it is disabled). */
export type UserLookup = (username: string) => { readonly roles: readonly string[]; readonly department?: string | null } | null;

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
