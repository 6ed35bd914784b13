/**
 * The "from" and "to" inputs of a page's own filter bar (hunt, policy changes, compliance report):
 * two browser-native pickers, labelled in the user's language, whose values stay the pickers' local
 * strings: each page turns them into the API's ISO times its own way (a moment, or whole days).
 * List pages filtered through react-admin take `kind: 'time'` in ResourceList's filter specs instead.
 */
import { TextField } from '@mui/material';
import { useTranslate } from 'react-admin';

export interface TimeRangeFieldsProps {
  /** Local picker values ('' when unset): "YYYY-MM-DDTHH:mm" for moments, "YYYY-MM-DD" for days. */
  readonly from: string;
  readonly to: string;
  readonly onFrom: (value: string) => void;
  readonly onTo: (value: string) => void;
  /** The message keys of the two labels. */
  readonly labels: { readonly from: string; readonly to: string };
  /** Moments (the default) or whole days. */
  readonly type?: 'datetime-local' | 'date';
  /** Each input's width in pixels; the input's own width when absent. */
  readonly width?: number;
}

export function TimeRangeFields({ from, to, onFrom, onTo, labels, type = 'datetime-local', width }: TimeRangeFieldsProps) {
  const t = useTranslate();
  const field = (name: 'from' | 'to', value: string, onChange: (value: string) => void) => (
    <TextField
      size="small"
      type={type}
      name={name}
      label={t(labels[name])}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      slotProps={{ inputLabel: { shrink: true } }}
      {...(width === undefined ? {} : { sx: { width } })}
    />
  );
  return (
    <>
      {field('from', from, onFrom)}
      {field('to', to, onTo)}
    </>
  );
}
