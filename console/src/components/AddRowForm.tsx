/**
 * The one-line form under a table that adds a row to it (a case's task, a case's observable):
 * fields described as data, one submit button, enabled once the required fields are filled. The
 * submission says whether it took; when it did, the fields that do not keep their value are cleared.
 */
import { Box, Button, MenuItem, TextField } from '@mui/material';
import { useState } from 'react';

export interface AddRowField {
  /** The input's name (and the key of the value handed to onAdd). */
  readonly name: string;
  readonly label: string;
  readonly kind?: 'text' | 'select' | 'datetime';
  /** For select: value and label of each choice. */
  readonly choices?: readonly { readonly value: string; readonly label: string }[];
  readonly initial?: string;
  readonly required?: boolean;
  /** Takes the space left on the line. */
  readonly grow?: boolean;
  /** Kept after a row is added (a type chosen once for several values). */
  readonly keep?: boolean;
  readonly minWidth?: number;
}

export function AddRowForm({
  fields,
  submit,
  pending,
  onAdd,
}: {
  fields: readonly AddRowField[];
  submit: string;
  pending: boolean;
  /** Trimmed values by field name; answers whether the row was added. */
  onAdd: (values: Record<string, string>) => Promise<boolean>;
}) {
  const initial = () => Object.fromEntries(fields.map((f) => [f.name, f.initial ?? '']));
  const [values, setValues] = useState<Record<string, string>>(initial);
  const ready = fields.every((f) => !f.required || (values[f.name] ?? '').trim() !== '');
  const add = () =>
    void onAdd(Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.trim()]))).then((ok) => {
      if (ok) setValues((cur) => ({ ...initial(), ...Object.fromEntries(fields.filter((f) => f.keep).map((f) => [f.name, cur[f.name] ?? ''])) }));
    });
  return (
    <Box sx={{ display: 'flex', gap: 1, alignItems: 'center', mt: 1, flexWrap: 'wrap' }}>
      {fields.map((f) => (
        <TextField
          key={f.name}
          size="small"
          name={f.name}
          label={f.label}
          value={values[f.name] ?? ''}
          onChange={(e) => setValues((cur) => ({ ...cur, [f.name]: e.target.value }))}
          {...(f.kind === 'select' ? { select: true } : {})}
          {...(f.kind === 'datetime' ? { type: 'datetime-local', slotProps: { inputLabel: { shrink: true } } } : {})}
          sx={{ ...(f.grow ? { flexGrow: 1 } : {}), ...(f.minWidth ? { minWidth: f.minWidth } : {}) }}
        >
          {f.kind === 'select'
            ? (f.choices ?? []).map((c) => (
                <MenuItem key={c.value} value={c.value}>
                  {c.label}
                </MenuItem>
              ))
            : undefined}
        </TextField>
      ))}
      <Button variant="contained" disabled={pending || !ready} onClick={add}>
        {submit}
      </Button>
    </Box>
  );
}
