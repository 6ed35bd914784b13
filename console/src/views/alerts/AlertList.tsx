/** The alert queue: newest work first, filtered by status, severity, rule, rule type, department, assignee, text and time; bulk acknowledge, close and assign; live. */
import { Box, Button } from '@mui/material';
import CheckIcon from '@mui/icons-material/Check';
import DoneAllIcon from '@mui/icons-material/DoneAll';
import { useState } from 'react';
import { CanAccess, NumberField, useListContext, useNotify, useRefresh, useTranslate, useUnselectAll, useUpdateMany, useRecordContext } from 'react-admin';
import { ALERT_STATUSES, type AlertRecord, type AlertTransition, RULE_TYPES, SEVERITIES } from '../../data/alerts';
import { describeError } from '../../components/errors';
import { SeverityField, StatusField } from '../../components/Chips';
import { type ColumnSpec, type FilterSpec, ResourceList } from '../../components/ResourceList';
import { AssignAlerts } from './AssignAlerts';
import { CloseAlertDialog } from './TransitionDialog';
import { useLiveAlerts } from '../live/useLiveRefresh';

const QUEUE_FILTERS: readonly FilterSpec[] = [
  { kind: 'choices', source: 'status', values: ALERT_STATUSES, messages: 'citysoc.status', many: true, alwaysOn: true },
  { kind: 'choices', source: 'severity', values: SEVERITIES, messages: 'citysoc.severity', many: true, alwaysOn: true },
  { kind: 'text', source: 'text', alwaysOn: true, resettable: true },
  { kind: 'text', source: 'ruleId' },
  { kind: 'choices', source: 'ruleType', values: RULE_TYPES, messages: 'citysoc.rule_type', many: true },
  { kind: 'text', source: 'department' },
  { kind: 'text', source: 'assignee' },
  { kind: 'flag', source: 'unassigned' },
  { kind: 'time', source: 'from' },
  { kind: 'time', source: 'to' },
];

const queueColumns = (): readonly ColumnSpec[] => [
  { label: 'resources.alerts.fields.rule.severity', field: <SeverityField /> },
  { source: 'rule.name' },
  { label: 'resources.alerts.fields.rule.type', field: <RuleTypeField /> },
  { source: 'department' },
  { label: 'resources.alerts.fields.entities', field: <EntitiesField /> },
  { source: 'count', show: 'number' },
  { source: 'risk', field: <NumberField source="risk" options={{ maximumFractionDigits: 0 }} /> },
  { source: 'lastSeen', show: 'when' },
  { source: 'status', field: <StatusField /> },
  { source: 'assignee', show: 'dash' },
];

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
      <AssignAlerts ids={selectedIds} />
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
  return (
    <ResourceList
      filters={QUEUE_FILTERS}
      filterDefaultValues={{ status: ['open', 'acknowledged', 'in_progress'] }}
      sort={{ field: '', order: 'DESC' }}
      storeKey="alerts.queue"
      bulkActions={<BulkTransitions />}
      columns={queueColumns()}
    />
  );
}
