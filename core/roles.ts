/**
 * The one list of roles and what each may do, read by the application services, the GraphQL
 * enum (generated from ROLES), the console and the CLI. Which rows and fields a role sees is the
 * PDP's job (policy/); this table says only which actions a role may attempt at all.
 */
export const ROLES = [
  'admin',
  'security_lead',
  'analyst',
  'auditor',
  'department_admin',
  'playbook_author',
  'playbook',
  'collector',
  'pdp',
  'monitor',
] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_DESCRIPTIONS: Readonly<Record<Role, string>> = {
  admin: 'platform administrator: users, tokens, policies, rules, everything the policy does not deny',
  security_lead: 'head of the security team: an analyst who may also isolate and release accounts and approve playbook steps',
  analyst: 'security analyst: triages alerts, hunts in events, works cases, runs playbooks',
  auditor: 'auditor: reads everything, changes nothing; verifies and exports the audit trail',
  department_admin: "a department's data owner: sees its own department's data and audit trail, approves emergency access into it",
  playbook_author: 'writes and deploys playbooks in the editor',
  playbook: 'the identity automated playbook runs act under',
  collector: 'machine: ships logs to the ingest endpoints',
  pdp: 'machine: asks the policy decision point over HTTP (data-sharing platform, API gateways)',
  monitor: 'machine: scrapes GET /metrics (Prometheus)',
};

export const PERMISSIONS = [
  'events:read',
  'events:ingest',
  'alerts:read',
  'alerts:write',
  'cases:read',
  'cases:write',
  'entities:read',
  'audit:read',
  'compliance:read',
  'users:manage',
  'tokens:manage',
  'policy:read',
  'policy:manage',
  'accounts:isolate',
  'sources:block',
  'grants:request',
  'authz:decide',
  'rules:read',
  'rules:manage',
  /** Tune a rule with an exception (a Sigma filter) from an alert the caller may see. */
  'rules:except',
  'playbooks:read',
  'playbooks:run',
  'playbooks:approve',
  'playbooks:author',
  'analytics:read',
  'metrics:read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const ANALYST: readonly Permission[] = [
  'events:read',
  'alerts:read',
  'alerts:write',
  'cases:read',
  'cases:write',
  'entities:read',
  'grants:request',
  'rules:read',
  'rules:except',
  'playbooks:read',
  'playbooks:run',
  'analytics:read',
];

const GRANTS: Readonly<Record<Role, readonly Permission[]>> = {
  admin: PERMISSIONS.filter((p) => p !== 'events:ingest' && p !== 'authz:decide'),
  security_lead: [...ANALYST, 'accounts:isolate', 'sources:block', 'playbooks:approve'],
  analyst: ANALYST,
  auditor: [
    'events:read',
    'alerts:read',
    'cases:read',
    'entities:read',
    'audit:read',
    'compliance:read',
    'policy:read',
    'rules:read',
    'playbooks:read',
    'analytics:read',
  ],
  department_admin: [
    'events:read',
    'alerts:read',
    'alerts:write',
    'cases:read',
    'cases:write',
    'entities:read',
    'audit:read',
    'policy:read',
    'grants:request',
    'playbooks:read',
  ],
  playbook_author: ['playbooks:read', 'playbooks:author', 'playbooks:run', 'rules:read'],
  playbook: ['events:read', 'alerts:read', 'alerts:write', 'cases:read', 'cases:write', 'entities:read', 'accounts:isolate', 'sources:block'],
  collector: ['events:ingest'],
  pdp: ['authz:decide'],
  monitor: ['metrics:read'],
};

export function isRole(r: string): r is Role {
  return (ROLES as readonly string[]).includes(r);
}

export function can(roles: readonly Role[], permission: Permission): boolean {
  return roles.some((r) => GRANTS[r]?.includes(permission));
}

/** Every permission the roles hold together (the console's canAccess reads this from `me`). */
export function permissionsOf(roles: readonly Role[]): Permission[] {
  return PERMISSIONS.filter((p) => can(roles, p));
}

/** events:read → events_read: the permission as a GraphQL enum value (which cannot hold ':'). */
export function permissionName(p: string): string {
  return p.replace(':', '_');
}
