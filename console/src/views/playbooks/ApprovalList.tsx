/** Approvals playbook runs wait on (pending ones first of all), answered here with their context; live. */
import { SelectArrayInput, DataTable, List, TextField, useRecordContext, useTranslate } from 'react-admin';
import { Link } from 'react-router-dom';
import { EnumText } from '../../components/Chips';
import { WhenField } from '../../components/When';
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

export function ApprovalList() {
  useLivePlaybooks((c) => c.kind === 'approval');
  const t = useTranslate();
  const choices = APPROVAL_STATUSES.map((s) => ({ id: s, name: t(`citysoc.approval_status.${s}`) }));
  return (
    <List
      filters={[<SelectArrayInput key="status" source="status" choices={choices} alwaysOn />]}
      filterDefaultValues={{ status: ['pending'] }}
      exporter={false}
      perPage={25}
      storeKey="playbooks.approvals"
      sort={{ field: '', order: 'DESC' }}
    >
      <DataTable bulkActionButtons={false} rowClick={false}>
        <DataTable.Col source="playbookName" disableSort>
          <RunField />
        </DataTable.Col>
        <DataTable.Col source="question" disableSort />
        <DataTable.Col source="context" disableSort>
          <ContextField />
        </DataTable.Col>
        <DataTable.Col source="department" disableSort>
          <TextField source="department" emptyText="—" />
        </DataTable.Col>
        <DataTable.Col source="approverRole" disableSort>
          <RoleField />
        </DataTable.Col>
        <DataTable.Col source="createdAt" disableSort>
          <WhenField source="createdAt" />
        </DataTable.Col>
        <DataTable.Col source="deadline" disableSort>
          <WhenField source="deadline" />
        </DataTable.Col>
        <DataTable.Col source="status" disableSort>
          <StatusField />
        </DataTable.Col>
        <DataTable.Col source="answeredBy" disableSort>
          <TextField source="answeredBy" emptyText="—" />
        </DataTable.Col>
        <DataTable.Col disableSort>
          <AnswerField />
        </DataTable.Col>
      </DataTable>
    </List>
  );
}
