/**
 * A false positive becomes a rule exception: one event field and its benign values (prefilled from
 * the alert's entities), and a reason. The server scopes it to the alert's department, keeps the
 * values literal and writes the Sigma filter; this only asks.
 */
import { Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, TextField } from '@mui/material';
import { useState } from 'react';
import { useNotify, useTranslate } from 'react-admin';
import { addRuleException, type AlertRecord } from '../../data/alerts';
import { describeError } from '../../components/errors';

export function RuleExceptionDialog({
  alert,
  open,
  onClose,
  entityField,
}: {
  alert: AlertRecord;
  open: boolean;
  onClose: () => void;
  /** The event field an entity type is found under. */
  entityField: Readonly<Record<string, string>>;
}) {
  const t = useTranslate();
  const notify = useNotify();
  const first = alert.entities.find((e) => entityField[e.type] !== undefined);
  const [field, setField] = useState(first ? entityField[first.type]! : '');
  const [values, setValues] = useState(first ? first.value : '');
  const [reason, setReason] = useState('');
  const [pending, setPending] = useState(false);
  const list = values
    .split('\n')
    .map((v) => v.trim())
    .filter((v) => v !== '');
  const submit = async () => {
    setPending(true);
    try {
      const ex = await addRuleException(alert.id, { field: field.trim(), values: list, reason: reason.trim() });
      notify('citysoc.alerts.exception_added', { type: 'success', messageArgs: { file: ex.file } });
      onClose();
    } catch (e) {
      notify(describeError(t, e), { type: 'error' });
    } finally {
      setPending(false);
    }
  };
  return (
    <Dialog open={open} onClose={onClose} fullWidth maxWidth="sm">
      <DialogTitle>{t('citysoc.alerts.exception_title')}</DialogTitle>
      <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2, pt: '8px !important' }}>
        <DialogContentText>{t('citysoc.alerts.exception_help', { department: alert.department ?? '—' })}</DialogContentText>
        <TextField required label={t('citysoc.alerts.exception_field')} value={field} onChange={(e) => setField(e.target.value)} name="field" />
        <TextField
          required
          multiline
          minRows={2}
          label={t('citysoc.alerts.exception_values')}
          helperText={t('citysoc.alerts.exception_values_help')}
          value={values}
          onChange={(e) => setValues(e.target.value)}
          name="values"
        />
        <TextField
          required
          multiline
          minRows={2}
          label={t('citysoc.alerts.exception_reason')}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          name="reason"
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{t('ra.action.cancel')}</Button>
        <Button variant="contained" disabled={pending || !field.trim() || list.length === 0 || !reason.trim()} onClick={() => void submit()}>
          {t('citysoc.alerts.exception_add')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
