import { Chip } from '@mui/material';
import { useRecordContext, useTranslate } from 'react-admin';

const SEVERITY_COLOR: Record<string, 'default' | 'info' | 'warning' | 'error' | 'secondary'> = {
  informational: 'default',
  low: 'info',
  medium: 'warning',
  high: 'error',
  critical: 'secondary',
};

export function SeverityChip({ severity }: { severity: string }) {
  const t = useTranslate();
  return <Chip size="small" color={SEVERITY_COLOR[severity] ?? 'default'} label={t(`citysoc.severity.${severity}`, { _: severity })} />;
}

export function StatusChip({ status }: { status: string }) {
  const t = useTranslate();
  return (
    <Chip
      size="small"
      variant="outlined"
      color={status === 'closed' ? 'default' : status === 'open' ? 'error' : 'primary'}
      label={t(`citysoc.status.${status}`, { _: status })}
    />
  );
}

/** The severity of the record's rule, for datagrids. */
export function SeverityField(_: { label?: string }) {
  const r = useRecordContext<{ rule?: { severity?: string } }>();
  return r?.rule?.severity ? <SeverityChip severity={r.rule.severity} /> : null;
}

export function StatusField(_: { label?: string }) {
  const r = useRecordContext<{ status?: string }>();
  return r?.status ? <StatusChip status={r.status} /> : null;
}

/** A value of a closed set (role, decision, resolution) in the user's language. */
export function EnumText({ group, value }: { group: string; value: string | null | undefined }) {
  const t = useTranslate();
  if (!value) return null;
  return <>{t(`citysoc.${group}.${value}`, { _: value })}</>;
}

export function RolesField({ source = 'roles' }: { source?: string; label?: string }) {
  const r = useRecordContext<Record<string, unknown>>();
  const t = useTranslate();
  const roles = (r?.[source] as string[] | undefined) ?? [];
  return (
    <>
      {roles.map((x) => (
        <Chip key={x} size="small" sx={{ mr: 0.5 }} label={t(`citysoc.role.${x}`, { _: x })} />
      ))}
    </>
  );
}
