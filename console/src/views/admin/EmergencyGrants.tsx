/** Emergency (战时) access: a time-bound request into another department's data, approved by its owner. */
import { Button } from '@mui/material';
import {
  Create,
  DataTable,
  List,
  NumberInput,
  required,
  SimpleForm,
  TextInput,
  minValue,
  maxValue,
  useNotify,
  useRecordContext,
  useRefresh,
  useTranslate,
} from 'react-admin';
import { useState } from 'react';
import { EnumText } from '../../components/Chips';
import { describeError } from '../../components/errors';
import { WhenField } from '../../components/When';
import { session } from '../../auth/session';
import { approveGrant, type EmergencyGrantRecord, grantStatus } from '../../data/emergencyGrants';

function StatusField(_: { label?: string }) {
  const r = useRecordContext<EmergencyGrantRecord>();
  return r ? <EnumText group="grant_status" value={grantStatus(r)} /> : null;
}

function ApprovalsField(_: { label?: string }) {
  const r = useRecordContext<EmergencyGrantRecord>();
  return r ? <>{r.approvals.map((a) => a.by).join(', ') || '—'}</> : null;
}

/** Whether this user may approve is the policy's decision: the server answers, the console shows it. */
function ApproveButton() {
  const r = useRecordContext<EmergencyGrantRecord>();
  const t = useTranslate();
  const notify = useNotify();
  const refresh = useRefresh();
  const [busy, setBusy] = useState(false);
  const me = session.identity()?.name;
  if (!r || grantStatus(r) !== 'pending' || r.requester === me || r.approvals.some((a) => a.by === me)) return null;
  const approve = async () => {
    setBusy(true);
    try {
      await approveGrant(r.id);
      notify('citysoc.grants.approved', { type: 'success' });
      refresh();
    } catch (e) {
      notify(describeError(t, e), { type: 'error' });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button size="small" variant="outlined" disabled={busy} onClick={() => void approve()}>
      {t('citysoc.grants.approve')}
    </Button>
  );
}

export function EmergencyGrantList() {
  return (
    <List exporter={false} pagination={false} perPage={1000}>
      <DataTable bulkActionButtons={false}>
        <DataTable.Col source="requester" disableSort />
        <DataTable.Col source="department" disableSort />
        <DataTable.Col source="resource" disableSort />
        <DataTable.Col source="actions" disableSort />
        <DataTable.Col source="reason" disableSort />
        <DataTable.NumberCol source="durationMinutes" disableSort />
        <DataTable.Col source="requestedAt" disableSort>
          <WhenField source="requestedAt" />
        </DataTable.Col>
        <DataTable.Col source="approvals" disableSort>
          <ApprovalsField />
        </DataTable.Col>
        <DataTable.Col source="expiresAt" disableSort>
          <WhenField source="expiresAt" />
        </DataTable.Col>
        <DataTable.Col label="resources.emergencyGrants.fields.status" disableSort>
          <StatusField />
        </DataTable.Col>
        <DataTable.Col disableSort>
          <ApproveButton />
        </DataTable.Col>
      </DataTable>
    </List>
  );
}

export function EmergencyGrantCreate() {
  return (
    <Create redirect="list">
      <SimpleForm>
        <TextInput source="department" validate={required()} />
        <TextInput source="reason" validate={required()} multiline fullWidth />
        <TextInput source="resource" helperText="citysoc.grants.resource_help" />
        <TextInput source="actions" helperText="citysoc.grants.actions_help" />
        <NumberInput source="durationMinutes" defaultValue={60} validate={[required(), minValue(1), maxValue(1440)]} />
      </SimpleForm>
    </Create>
  );
}
