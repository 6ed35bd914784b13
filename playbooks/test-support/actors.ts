/** The people of the playbook tests, their sessions, and the policy lines that let them at playbooks. */
import type { Actor } from '../../core/actor';
import type { PolicyServices } from '../../policy/services';

export const DEPT = '城管';
export const U = 'zhang.wei';

const person = (name: string, roles: Actor['roles'], department?: string): Actor => ({
  kind: 'user',
  name,
  person: name,
  roles,
  ...(department ? { department } : {}),
});

export const ACTORS = {
  admin: person('admin', ['admin']),
  lead: person('li.lead', ['security_lead'], DEPT),
  /** The account the mass-export alert is about; a security lead too, to show it still cannot approve its own case. */
  subject: person(U, ['security_lead'], DEPT),
  author: person('wang.author', ['playbook_author']),
  analyst: person('chen.analyst', ['analyst'], DEPT),
  /** Security leads work every department (the role model), so department isolation is shown with an analyst. */
  otherAnalyst: person('zhao.analyst', ['analyst'], '公安'),
} as const;

export const SESSIONS: Record<string, Actor> = Object.fromEntries(Object.entries(ACTORS).map(([k, a]) => [`tok-${k}`, a]));

/**
 * The shipped default policy has no line for the `playbooks` resource yet (only admins and
 * auditors reach it); these are the lines the playbooks need, department by department.
 */
export const PLAYBOOK_POLICY_LINES: string[][] = [
  ['pb-analyst', 'analyst', '*', 'playbooks', 'read|run', '', 'allow'],
  ['pb-security-lead', 'security_lead', '*', 'playbooks', 'read|run|approve', '', 'allow'],
  ['pb-author', 'playbook_author', '*', 'playbooks', 'read|run|author', '', 'allow'],
];

export async function grantPlaybookPolicy(policy: PolicyServices): Promise<void> {
  for (const values of PLAYBOOK_POLICY_LINES) await policy.policies.apply({ op: 'add', line: { ptype: 'p', values } });
}
