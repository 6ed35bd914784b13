/** Isolated accounts: isolating one ends its sessions and tokens at once; releasing it takes a reason. */
import { Button, Dialog, DialogActions, DialogContent, DialogTitle, TextField as MuiTextField } from '@mui/material';
import { useState } from 'react';
import { Create, DataTable, DateTimeInput, List, required, SimpleForm, TextInput, useNotify, useRecordContext, useRefresh, useTranslate } from 'react-admin';
import { describeError } from '../../components/errors';
import { WhenField } from '../../components/When';
import { type IsolationRecord, releaseAccount } from '../../data/isolations';

function ReleaseButton() {
  const r = useRecordContext<IsolationRecord>();
  const t = useTranslate();
  const notify = useNotify();
  const refresh = useRefresh();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  if (!r) return null;
  const release = async () => {
    try {
      await releaseAccount(r.user, reason);
      notify('citysoc.isolations.released', { type: 'success' });
      setOpen(false);
      refresh();
    } catch (e) {
      notify(describeError(t, e), { type: 'error' });
    }
  };
  return (
    <>
      <Button size="small" onClick={() => setOpen(true)}>
        {t('citysoc.isolations.release')}
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} fullWidth maxWidth="sm">
        <DialogTitle>{t('citysoc.isolations.release_title', { user: r.user })}</DialogTitle>
        <DialogContent>
          <MuiTextField
            fullWidth
            required
            sx={{ mt: 1 }}
            label={t('resources.isolations.fields.reason')}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setOpen(false)}>{t('ra.action.cancel')}</Button>
          <Button variant="contained" disabled={!reason.trim()} onClick={() => void release()}>
            {t('citysoc.isolations.release')}
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}

export function IsolationList() {
  return (
    <List exporter={false} pagination={false} perPage={1000}>
      <DataTable bulkActionButtons={false}>
        <DataTable.Col source="user" disableSort />
        <DataTable.Col source="reason" disableSort />
        <DataTable.Col source="by" disableSort />
        <DataTable.Col source="at" disableSort>
          <WhenField source="at" />
        </DataTable.Col>
        <DataTable.Col source="until" disableSort>
          <WhenField source="until" />
        </DataTable.Col>
        <DataTable.Col disableSort>
          <ReleaseButton />
        </DataTable.Col>
      </DataTable>
    </List>
  );
}

export function IsolationCreate() {
  return (
    <Create redirect="list">
      <SimpleForm>
        <TextInput source="user" validate={required()} />
        <TextInput source="reason" validate={required()} multiline fullWidth />
        <DateTimeInput source="until" />
      </SimpleForm>
    </Create>
  );
}
