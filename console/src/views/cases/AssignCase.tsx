/**
 * Assigning a case to a person: picked from the users the server lists as able to work this case
 * and see it (the check assignment makes again), or taken by the person themselves.
 */
import { Button, Dialog, DialogActions, DialogContent, DialogTitle } from '@mui/material';
import { useState } from 'react';
import { useTranslate } from 'react-admin';
import { session } from '../../auth/session';
import { UserPicker } from '../../components/UserPicker';
import type { CaseRecord } from '../../data/cases';
import { useCaseChange } from './useCaseChange';

function AssignDialog({ c, onClose }: { c: CaseRecord; onClose: () => void }) {
  const t = useTranslate();
  const { pending, run } = useCaseChange(c.id);
  const [who, setWho] = useState<string | null>(c.assignee);
  const me = session.identity()?.name;
  const assign = (assignee: string | null) =>
    void run('assignCase', { assignee: assignee ?? null, expectedVersion: c.version }, 'citysoc.cases.assigned').then((ok) => ok && onClose());
  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="xs">
      <DialogTitle>{t('citysoc.cases.assign_title')}</DialogTitle>
      <DialogContent sx={{ pt: '8px !important' }}>
        <UserPicker target={{ caseId: c.id }} value={who} onChange={setWho} label={t('resources.cases.fields.assignee')} />
      </DialogContent>
      <DialogActions>
        {c.assignee && (
          <Button disabled={pending} onClick={() => assign(null)}>
            {t('citysoc.cases.unassign')}
          </Button>
        )}
        {me && me !== c.assignee && (
          <Button disabled={pending} onClick={() => assign(me)}>
            {t('citysoc.cases.assign_me')}
          </Button>
        )}
        <Button onClick={onClose}>{t('ra.action.cancel')}</Button>
        <Button variant="contained" data-testid="assign-confirm" disabled={pending || !who || who === c.assignee} onClick={() => who && assign(who)}>
          {t('citysoc.cases.assign')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

export function AssignCase({ c }: { c: CaseRecord }) {
  const t = useTranslate();
  const [open, setOpen] = useState(false);
  if (c.mergedInto) return null;
  return (
    <>
      <Button variant="outlined" onClick={() => setOpen(true)}>
        {t('citysoc.cases.assign')}
      </Button>
      {open && <AssignDialog c={c} onClose={() => setOpen(false)} />}
    </>
  );
}
