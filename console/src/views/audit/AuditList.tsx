/** The audit trail, newest first: who did what to which resource, the decision and its reason, with the hash chain. */
import { Box, Typography } from '@mui/material';
import { DataTable, DateTimeInput, List, SelectInput, TextInput, useRecordContext, useTranslate } from 'react-admin';
import { AuditListActions } from '../compliance/AuditExportButton';
import { EnumText } from '../../components/Chips';
import { WhenField } from '../../components/When';
import { AUDIT_DECISIONS, type AuditRecord } from '../../data/audit';

function DecisionField(_: { label?: string }) {
  const r = useRecordContext<AuditRecord>();
  return r ? <EnumText group="decision" value={r.decision} /> : null;
}

function RecordDetails() {
  const r = useRecordContext<AuditRecord>();
  const t = useTranslate();
  if (!r) return null;
  return (
    <Box sx={{ p: 1, fontSize: 12 }}>
      <Typography variant="caption" component="div">
        {t('resources.audit.fields.hash')}: <code>{r.hash}</code>
      </Typography>
      <Typography variant="caption" component="div">
        {t('resources.audit.fields.prevHash')}: <code>{r.prevHash}</code>
      </Typography>
      {r.details !== null && r.details !== undefined && (
        <Box component="pre" sx={{ m: 0, mt: 1, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
          {JSON.stringify(r.details, null, 2)}
        </Box>
      )}
    </Box>
  );
}

export function AuditList() {
  const t = useTranslate();
  const filters = [
    <TextInput key="actor" source="actor" alwaysOn />,
    <TextInput key="action" source="action" alwaysOn />,
    <TextInput key="resource" source="resource" />,
    <SelectInput key="decision" source="decision" choices={AUDIT_DECISIONS.map((d) => ({ id: d, name: t(`citysoc.decision.${d}`) }))} />,
    <DateTimeInput key="from" source="from" label="citysoc.audit.from" parse={(v: string) => (v ? new Date(v).toISOString() : '')} />,
    <DateTimeInput key="to" source="to" label="citysoc.audit.to" parse={(v: string) => (v ? new Date(v).toISOString() : '')} />,
  ];
  return (
    <List filters={filters} actions={<AuditListActions />} perPage={25} exporter={false} sort={{ field: 'seq', order: 'DESC' }} storeKey="audit.trail">
      <DataTable bulkActionButtons={false} expand={<RecordDetails />}>
        <DataTable.NumberCol source="seq" disableSort options={{ useGrouping: false }} />
        <DataTable.Col source="at" disableSort>
          <WhenField source="at" />
        </DataTable.Col>
        <DataTable.Col source="actor" disableSort />
        <DataTable.Col source="action" disableSort />
        <DataTable.Col source="resource" disableSort />
        <DataTable.Col source="decision" disableSort>
          <DecisionField />
        </DataTable.Col>
        <DataTable.Col source="reason" disableSort />
        <DataTable.Col source="sourceIp" disableSort />
      </DataTable>
    </List>
  );
}
