/**
 * A playbook that waits for a security lead's approval before it comments on its alert, deployed
 * into a running platform through the editor's admin API as an author deploys it, and alerts of a
 * department stored for it to run on. The console's browser tests and the live feed's tests use it.
 */
import type { Alert } from '../../core/alert';
import type { Running } from './harness';

export const APPROVAL_PLAYBOOK = 'pb-approval-test';

const FLOW = [
  { id: APPROVAL_PLAYBOOK, type: 'tab', label: '审批测试 Approval test', disabled: false, info: '' },
  { id: 'at-manual', type: 'citysoc-manual', z: APPROVAL_PLAYBOOK, name: 'by hand', wires: [['at-ask']] },
  {
    id: 'at-ask',
    type: 'citysoc-approval',
    z: APPROVAL_PLAYBOOK,
    name: 'lead approves',
    question: 'Comment on {{alert.rule.name}}? / 是否在告警上留言？',
    approverRole: 'security_lead',
    timeoutHours: 1,
    wires: [['at-approved'], ['at-rejected'], ['at-late']],
  },
  {
    id: 'at-approved',
    type: 'citysoc-update-alert',
    z: APPROVAL_PLAYBOOK,
    name: 'approved',
    status: '',
    assignee: '',
    comment: 'approved by {{approval.by}}',
    wires: [[]],
  },
  {
    id: 'at-rejected',
    type: 'citysoc-update-alert',
    z: APPROVAL_PLAYBOOK,
    name: 'rejected',
    status: '',
    assignee: '',
    comment: 'rejected by {{approval.by}}',
    wires: [[]],
  },
  { id: 'at-late', type: 'citysoc-update-alert', z: APPROVAL_PLAYBOOK, name: 'no answer', status: '', assignee: '', comment: 'no answer', wires: [[]] },
];

/** Adds the playbook to the deployed flows as the editor would (a full deploy on top of the current revision). */
export async function deployApprovalPlaybook(running: Running, token: string): Promise<void> {
  const editor = `${running.platform.url}/playbooks/editor/flows`;
  const headers = { authorization: `Bearer ${token}`, 'node-red-api-version': 'v2' };
  const current = await fetch(editor, { headers });
  if (current.status !== 200) throw new Error(`the editor answered ${current.status}: ${await current.text()}`);
  const { flows, rev } = (await current.json()) as { flows: { id: string; z?: string }[]; rev: string };
  const others = flows.filter((n) => n.id !== APPROVAL_PLAYBOOK && n.z !== APPROVAL_PLAYBOOK);
  const res = await fetch(editor, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json', 'node-red-deployment-type': 'full' },
    body: JSON.stringify({ flows: [...others, ...FLOW], rev }),
  });
  if (res.status !== 200) throw new Error(`the deploy answered ${res.status}: ${await res.text()}`);
}

/** An alert of the department, stored as the alert writer stores one. */
export async function storeAlert(running: Running, id: string, department: string): Promise<Alert> {
  const now = new Date().toISOString();
  const alert: Alert = {
    id,
    dedupKey: `approval-test|${id}`,
    rule: { id: 'approval-test-rule', name: `Approval test ${id}`, type: 'sigma', severity: 'high', tags: [] },
    entities: [{ type: 'host', value: `host-${id}` }],
    eventIds: [],
    firstSeen: now,
    lastSeen: now,
    count: 1,
    risk: 50,
    department,
    status: 'open',
    history: [],
  };
  return (await running.platform.ports.alerts.upsert(alert, 0)).alert;
}
