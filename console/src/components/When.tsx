import { useLocaleState, useRecordContext } from 'react-admin';

/** A time in the user's own time zone and language; the ISO value stays in the tooltip. */
export function formatWhen(iso: string | null | undefined, locale: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  }).format(d);
}

export function When({ value }: { value: string | null | undefined }) {
  const [locale] = useLocaleState();
  if (!value) return null;
  return (
    <time dateTime={value} title={value}>
      {formatWhen(value, locale)}
    </time>
  );
}

/** A record's time field, for datagrids. */
export function WhenField({ source }: { source: string; label?: string; sortable?: boolean }) {
  const record = useRecordContext<Record<string, unknown>>();
  const v = record?.[source];
  return <When value={typeof v === 'string' ? v : null} />;
}
