/**
 * Assigning the selected alerts of the queue to one person, picked from the users the server lists
 * as able to see every one of them. Each alert is assigned in its own call (authorized and audited
 * on its own); the notice counts those assigned and says why the others were not.
 */
import PersonAddIcon from '@mui/icons-material/PersonAdd';
import { Button, Dialog, DialogActions, DialogContent, DialogTitle } from '@mui/material';
import { useState } from 'react';
import { type Identifier, useNotify, useRefresh, useTranslate, useUnselectAll } from 'react-admin';
import { describeError } from '../../components/errors';
import { UserPicker } from '../../components/UserPicker';
import { assignAlert } from '../../data/alerts';

function AssignDialog({ ids, onClose }: { ids: readonly Identifier[]; onClose: () => void }) {
  const t = useTranslate();
  const notify = useNotify();
  const refresh = useRefresh();
  const unselect = useUnselectAll('alerts');
  const [who, setWho] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const assign = async (assignee: string) => {
    setPending(true);
    let done = 0;
    const failed: string[] = [];
    for (const id of ids) {
      try {
        await assignAlert(String(id), assignee);
        done++;
      } catch (e) {
        failed.push(`${String(id)}: ${describeError(t, e)}`);
      }
    }
    setPending(false);
    notify(
      failed.length ? `${t('citysoc.cases.alerts_assigned', { count: done })}; ${failed.join('; ')}` : t('citysoc.cases.alerts_assigned', { count: done }),
      {
        type: failed.length ? 'warning' : 'success',
      },
    );
    unselect();
    refresh();
    onClose();
  };
  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="xs">
      <DialogTitle>{t('citysoc.cases.assign_alerts_title', { count: ids.length })}</DialogTitle>
      <DialogContent sx={{ pt: '8px !important' }}>
        <UserPicker target={{ alertIds: ids.map(String) }} value={who} onChange={setWho} label={t('resources.alerts.fields.assignee')} />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{t('ra.action.cancel')}</Button>
        <Button variant="contained" data-testid="assign-alerts-confirm" disabled={pending || !who} onClick={() => who && void assign(who)}>
          {t('citysoc.cases.assign')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

export function AssignAlerts({ ids }: { ids: readonly Identifier[] }) {
  const t = useTranslate();
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button size="small" startIcon={<PersonAddIcon />} onClick={() => setOpen(true)} data-testid="assign-alerts">
        {t('citysoc.cases.assign')}
      </Button>
      {open && <AssignDialog ids={ids} onClose={() => setOpen(false)} />}
    </>
  );
}
