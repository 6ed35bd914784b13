/** Playbook runs, newest first, filtered by status; each opens with its step log. Live. */
import { DataTable, List, SelectArrayInput, TextField, useRecordContext, useTranslate } from 'react-admin';
import { EnumText } from '../../components/Chips';
import { WhenField } from '../../components/When';
import { RUN_STATUSES, type RunRecord } from '../../data/playbooks';
import { useLivePlaybooks } from '../live/useLiveRefresh';

function StatusField(_: { label?: string }) {
  const r = useRecordContext<RunRecord>();
  return r ? <EnumText group="run_status" value={r.status} /> : null;
}

function TriggerField(_: { label?: string }) {
  const r = useRecordContext<RunRecord>();
  const t = useTranslate();
  if (!r) return null;
  const what = r.trigger.alertId ?? r.trigger.entity ?? r.trigger.at ?? '';
  return (
    <>
      {t(`citysoc.trigger.${r.trigger.kind}`, { _: r.trigger.kind })}
      {what ? ` · ${what}` : ''}
      {r.dryRun ? ` · ${t('citysoc.playbooks.dry_run')}` : ''}
    </>
  );
}

export function RunList() {
  useLivePlaybooks((c) => c.kind === 'run');
  const t = useTranslate();
  const choices = RUN_STATUSES.map((s) => ({ id: s, name: t(`citysoc.run_status.${s}`) }));
  return (
    <List
      filters={[<SelectArrayInput key="status" source="status" choices={choices} alwaysOn />]}
      exporter={false}
      perPage={25}
      storeKey="playbooks.runs"
      sort={{ field: '', order: 'DESC' }}
    >
      <DataTable bulkActionButtons={false} rowClick="show">
        <DataTable.Col source="playbookName" disableSort />
        <DataTable.Col source="status" disableSort>
          <StatusField />
        </DataTable.Col>
        <DataTable.Col source="trigger" disableSort>
          <TriggerField />
        </DataTable.Col>
        <DataTable.Col source="department" disableSort>
          <TextField source="department" emptyText="—" />
        </DataTable.Col>
        <DataTable.Col source="person" disableSort />
        <DataTable.Col source="startedAt" disableSort>
          <WhenField source="startedAt" />
        </DataTable.Col>
        <DataTable.Col source="updatedAt" disableSort>
          <WhenField source="updatedAt" />
        </DataTable.Col>
        <DataTable.Col source="error" disableSort>
          <TextField source="error" emptyText="" />
        </DataTable.Col>
      </DataTable>
    </List>
  );
}
