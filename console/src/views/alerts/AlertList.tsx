/** The alert queue: newest work first, filtered by status, severity, rule type, department, text and time; bulk acknowledge and close; live. */
import { Box, Button } from '@mui/material';
import CheckIcon from '@mui/icons-material/Check';
import DoneAllIcon from '@mui/icons-material/DoneAll';
import { useState } from 'react';
import {
  CanAccess,
  DataTable,
  DateTimeInput,
  List,
  NumberField,
  SelectArrayInput,
  TextField,
  TextInput,
  useListContext,
  useNotify,
  useRefresh,
  useTranslate,
  useUnselectAll,
  useUpdateMany,
  useRecordContext,
} from 'react-admin';
import { ALERT_STATUSES, type AlertRecord, type AlertTransition, RULE_TYPES, SEVERITIES } from '../../data/alerts';
import { describeError } from '../../components/errors';
import { SeverityField, StatusField } from '../../components/Chips';
import { WhenField } from '../../components/When';
import { CloseAlertDialog } from './TransitionDialog';
import { useLiveAlerts } from '../live/useLiveRefresh';

function useQueueFilters() {
  const t = useTranslate();
  const choices = (values: readonly string[], group: string) => values.map((v) => ({ id: v, name: t(`citysoc.${group}.${v}`) }));
  return [
    <SelectArrayInput key="status" source="status" choices={choices(ALERT_STATUSES, 'status')} alwaysOn />,
    <SelectArrayInput key="severity" source="severity" choices={choices(SEVERITIES, 'severity')} alwaysOn />,
    <TextInput key="text" source="text" alwaysOn resettable />,
    <SelectArrayInput key="ruleType" source="ruleType" choices={choices(RULE_TYPES, 'rule_type')} />,
    <TextInput key="department" source="department" />,
    <DateTimeInput key="from" source="from" />,
    <DateTimeInput key="to" source="to" />,
  ];
}

function BulkTransitions() {
  const t = useTranslate();
  const { selectedIds } = useListContext();
  const [updateMany, { isPending }] = useUpdateMany();
  const notify = useNotify();
  const refresh = useRefresh();
  const unselect = useUnselectAll('alerts');
  const [closing, setClosing] = useState(false);
  const run = (data: AlertTransition) =>
    updateMany(
      'alerts',
      { ids: selectedIds, data },
      {
        onSuccess: () => {
          notify('citysoc.alerts.moved', { type: 'success', messageArgs: { smart_count: selectedIds.length } });
          unselect();
          refresh();
        },
        onError: (e) => {
          notify(describeError(t, e), { type: 'error' });
          refresh();
        },
      },
    );
  return (
    <CanAccess resource="alerts" action="transition">
      <Button size="small" startIcon={<CheckIcon />} disabled={isPending} onClick={() => run({ status: 'acknowledged' })}>
        {t('citysoc.alerts.acknowledge')}
      </Button>
      <Button size="small" startIcon={<DoneAllIcon />} disabled={isPending} onClick={() => setClosing(true)}>
        {t('citysoc.alerts.close')}
      </Button>
      <CloseAlertDialog
        open={closing}
        count={selectedIds.length}
        onClose={() => setClosing(false)}
        onConfirm={(resolution, comment) => {
          setClosing(false);
          void run({ status: 'closed', resolution, ...(comment ? { comment } : {}) });
        }}
      />
    </CanAccess>
  );
}

function EntitiesField(_: { label?: string }) {
  const r = useRecordContext<AlertRecord>();
  if (!r) return null;
  const shown = r.entities.slice(0, 3).map((e) => `${e.type}:${e.value}`);
  return (
    <Box component="span" sx={{ fontFamily: 'monospace', fontSize: 12 }}>
      {shown.join(' ')}
      {r.entities.length > 3 ? ` +${r.entities.length - 3}` : ''}
    </Box>
  );
}

function RuleTypeField(_: { label?: string }) {
  const r = useRecordContext<AlertRecord>();
  const t = useTranslate();
  return r ? <>{t(`citysoc.rule_type.${r.rule.type}`, { _: r.rule.type })}</> : null;
}

export function AlertList() {
  useLiveAlerts();
  const filters = useQueueFilters();
  return (
    <List
      filters={filters}
      filterDefaultValues={{ status: ['open', 'acknowledged', 'in_progress'] }}
      perPage={25}
      exporter={false}
      sort={{ field: '', order: 'DESC' }}
      storeKey="alerts.queue"
    >
      <DataTable bulkActionButtons={<BulkTransitions />} rowClick="show">
        <DataTable.Col label="resources.alerts.fields.rule.severity" disableSort>
          <SeverityField />
        </DataTable.Col>
        <DataTable.Col source="rule.name" disableSort />
        <DataTable.Col label="resources.alerts.fields.rule.type" disableSort>
          <RuleTypeField />
        </DataTable.Col>
        <DataTable.Col source="department" disableSort />
        <DataTable.Col label="resources.alerts.fields.entities" disableSort>
          <EntitiesField />
        </DataTable.Col>
        <DataTable.NumberCol source="count" disableSort />
        <DataTable.Col source="risk" disableSort>
          <NumberField source="risk" options={{ maximumFractionDigits: 0 }} />
        </DataTable.Col>
        <DataTable.Col source="lastSeen" disableSort>
          <WhenField source="lastSeen" />
        </DataTable.Col>
        <DataTable.Col source="status" disableSort>
          <StatusField />
        </DataTable.Col>
        <DataTable.Col source="assignee" disableSort>
          <TextField source="assignee" emptyText="—" />
        </DataTable.Col>
      </DataTable>
    </List>
  );
}
