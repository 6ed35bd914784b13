/**
 * What each role may attempt, as `canAccess` answers it: the role → permission table is the
 * server's own (core/roles.ts), compiled into the console at build time (see vite.config.ts), and
 * each resource and action of the console names the permission its API calls need. Which rows a
 * user sees is the server's policy decision; this only hides what would be refused anyway.
 */
import rolePermissions from 'virtual:citysoc-role-permissions';

export type ConsoleAction = 'list' | 'show' | 'create' | 'edit' | 'delete' | 'export' | string;

/** resource → (action → permission); `*` is any action not listed. */
const NEEDS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  alerts: { '*': 'alerts:read', edit: 'alerts:write', transition: 'alerts:write' },
  events: { '*': 'events:read' },
  hunt: { '*': 'events:read' },
  audit: { '*': 'audit:read' },
  'audit-verify': { '*': 'audit:read' },
  users: { '*': 'users:manage' },
  apiTokens: { '*': 'tokens:manage' },
  policies: { '*': 'policy:read', create: 'policy:manage', edit: 'policy:manage', apply: 'policy:manage' },
  emergencyGrants: { '*': 'grants:request' },
  isolations: { '*': 'accounts:isolate' },
  overview: { '*': 'analytics:read' },
  screen: { '*': 'analytics:read' },
};

/** Every permission the roles hold together. */
export function permissionsOf(roles: readonly string[]): string[] {
  const all = new Set<string>();
  for (const r of roles) for (const p of rolePermissions[r] ?? []) all.add(p);
  return [...all].sort();
}

export function permissionFor(resource: string, action: ConsoleAction): string | null {
  const table = NEEDS[resource];
  if (!table) return null;
  return table[action] ?? table['*'] ?? null;
}

/** May holders of these permissions do this? Unknown resources are refused. */
export function allowed(permissions: readonly string[], resource: string, action: ConsoleAction): boolean {
  const needed = permissionFor(resource, action);
  return needed !== null && permissions.includes(needed);
}
