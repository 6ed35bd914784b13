/** Roles and what each may do. Fine-grained data access (departments, datasets, fields) is the PDP's job. */
export const ROLES = ['admin', 'analyst', 'auditor', 'department_admin', 'collector'] as const;
export type Role = (typeof ROLES)[number];

export type Permission =
  | 'events:read'
  | 'events:ingest'
  | 'alerts:read'
  | 'alerts:write'
  | 'audit:read'
  | 'users:manage'
  | 'tokens:manage'
  | 'policy:read'
  | 'policy:manage'
  | 'accounts:isolate'
  | 'grants:request';

const GRANTS: Readonly<Record<Role, readonly Permission[]>> = {
  admin: [
    'events:read',
    'alerts:read',
    'alerts:write',
    'audit:read',
    'users:manage',
    'tokens:manage',
    'policy:read',
    'policy:manage',
    'accounts:isolate',
    'grants:request',
  ],
  analyst: ['events:read', 'alerts:read', 'alerts:write', 'accounts:isolate', 'grants:request'],
  auditor: ['events:read', 'alerts:read', 'audit:read', 'policy:read'],
  department_admin: ['events:read', 'alerts:read', 'alerts:write', 'audit:read', 'policy:read', 'grants:request'],
  collector: ['events:ingest'],
};

export function can(roles: readonly Role[], permission: Permission): boolean {
  return roles.some((r) => GRANTS[r].includes(permission));
}
