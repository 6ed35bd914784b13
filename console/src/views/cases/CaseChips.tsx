/** A case's status and severity, as chips and as datagrid fields. */
import { Chip } from '@mui/material';
import { useRecordContext, useTranslate } from 'react-admin';
import { SeverityChip } from '../../components/Chips';
import type { CaseRecord } from '../../data/cases';

const STATUS_COLOR = { open: 'error', in_progress: 'primary', resolved: 'success', closed: 'default' } as const;

export function CaseStatusChip({ status }: { status: string }) {
  const t = useTranslate();
  return (
    <Chip
      size="small"
      variant="outlined"
      color={STATUS_COLOR[status as keyof typeof STATUS_COLOR] ?? 'default'}
      label={t(`citysoc.cases.status.${status}`, { _: status })}
      data-testid="case-status"
      data-status={status}
    />
  );
}

export function CaseStatusField(_: { label?: string }) {
  const r = useRecordContext<CaseRecord>();
  return r ? <CaseStatusChip status={r.status} /> : null;
}

export function CaseSeverityField(_: { label?: string }) {
  const r = useRecordContext<CaseRecord>();
  return r ? <SeverityChip severity={r.severity} /> : null;
}

export function DepartmentsField(_: { label?: string }) {
  const r = useRecordContext<CaseRecord>();
  return r ? <>{r.departments.join('、') || '—'}</> : null;
}
