/**
 * What the signed-in user may attempt, as `canAccess` answers it: the server tells the user's
 * permissions (`me { permissions }`, read at sign-in), and each resource and action of the console
 * names the permission its API calls need. Which rows a user sees is the server's policy decision;
 * this only hides what would be refused anyway.
 */
export type ConsoleAction = 'list' | 'show' | 'create' | 'edit' | 'delete' | 'export' | string;

/** resource → (action → permission, as the GraphQL Permission enum spells it); `*` is any action not listed. */
const NEEDS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  alerts: { '*': 'alerts_read', edit: 'alerts_write', transition: 'alerts_write', comment: 'alerts_write', except: 'rules_except' },
  events: { '*': 'events_read' },
  entities: { '*': 'entities_read' },
  cases: { '*': 'cases_read', create: 'cases_write', edit: 'cases_write', work: 'cases_write' },
  hunt: { '*': 'events_read' },
  audit: { '*': 'audit_read' },
  'audit-verify': { '*': 'audit_read' },
  'policy-changes': { '*': 'audit_read' },
  compliance: { '*': 'compliance_read' },
  users: { '*': 'users_manage' },
  departments: { '*': 'users_manage' },
  apiTokens: { '*': 'tokens_manage' },
  policies: { '*': 'policy_read', create: 'policy_manage', edit: 'policy_manage', apply: 'policy_manage' },
  emergencyGrants: { '*': 'grants_request' },
  isolations: { '*': 'accounts_isolate' },
  rules: { '*': 'rules_read', edit: 'rules_manage', toggle: 'rules_manage' },
  analytics: { '*': 'analytics_read' },
  sources: { '*': 'metrics_read' },
  playbooks: { '*': 'playbooks_read', author: 'playbooks_author' },
  'playbook-versions': { '*': 'playbooks_read', rollback: 'playbooks_author' },
  playbookRuns: { '*': 'playbooks_read', replay: 'playbooks_run', run: 'playbooks_run' },
  playbookApprovals: { '*': 'playbooks_read', approve: 'playbooks_approve' },
  overview: { '*': 'analytics_read' },
  screen: { '*': 'analytics_read' },
};

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
