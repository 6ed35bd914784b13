/** Approvals playbook runs wait on (pending ones first of all), answered here with their context; live. */
import { useRecordContext, useTranslate } from 'react-admin';
import { Link } from 'react-router-dom';
import { EnumText } from '../../components/Chips';
import { type ColumnSpec, type FilterSpec, ResourceList } from '../../components/ResourceList';
import { APPROVAL_STATUSES, type ApprovalRecord } from '../../data/playbooks';
import { useLivePlaybooks } from '../live/useLiveRefresh';
import { ApprovalAnswer } from './ApprovalAnswer';
import { ApprovalContext } from './ApprovalContext';

function StatusField(_: { label?: string }) {
  const r = useRecordContext<ApprovalRecord>();
  return r ? <EnumText group="approval_status" value={r.status} /> : null;
}

function ContextField(_: { label?: string }) {
  const r = useRecordContext<ApprovalRecord>();
  return r ? <ApprovalContext approval={r} /> : null;
}

function RunField(_: { label?: string }) {
  const r = useRecordContext<ApprovalRecord>();
  return r ? <Link to={`/playbookRuns/${encodeURIComponent(r.runId)}/show`}>{r.playbookName}</Link> : null;
}

function RoleField(_: { label?: string }) {
  const r = useRecordContext<ApprovalRecord>();
  const t = useTranslate();
  return r ? <>{t(`citysoc.role.${r.approverRole}`, { _: r.approverRole })}</> : null;
}

function AnswerField(_: { label?: string }) {
  const r = useRecordContext<ApprovalRecord>();
  return r ? <ApprovalAnswer approval={r} /> : null;
}

const APPROVAL_FILTERS: readonly FilterSpec[] = [
  { kind: 'choices', source: 'status', values: APPROVAL_STATUSES, messages: 'citysoc.approval_status', many: true, alwaysOn: true },
];

const approvalColumns = (): readonly ColumnSpec[] => [
  { source: 'playbookName', field: <RunField /> },
  { source: 'question' },
  { source: 'context', field: <ContextField /> },
  { source: 'department', show: 'dash' },
  { source: 'approverRole', field: <RoleField /> },
  { source: 'createdAt', show: 'when' },
  { source: 'deadline', show: 'when' },
  { source: 'status', field: <StatusField /> },
  { source: 'answeredBy', show: 'dash' },
  { field: <AnswerField /> },
];

export function ApprovalList() {
  useLivePlaybooks((c) => c.kind === 'approval');
  return (
    <ResourceList
      filters={APPROVAL_FILTERS}
      filterDefaultValues={{ status: ['pending'] }}
      storeKey="playbooks.approvals"
      sort={{ field: '', order: 'DESC' }}
      rowClick={false}
      columns={approvalColumns()}
    />
  );
}
