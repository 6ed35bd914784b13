/**
 * Assigning a case to a person: the server checks that the user exists, may work cases and may
 * see this one. Administrators pick from the user list; others type the name or take it themselves.
 */
import { Autocomplete, Button, Dialog, DialogActions, DialogContent, DialogTitle, TextField } from '@mui/material';
import { useState } from 'react';
import { useCanAccess, useGetList, useTranslate } from 'react-admin';
import { session } from '../../auth/session';
import type { CaseRecord } from '../../data/cases';
import { useCaseChange } from './useCaseChange';

function AssignDialog({ c, onClose }: { c: CaseRecord; onClose: () => void }) {
  const t = useTranslate();
  const { pending, run } = useCaseChange(c.id);
  const [who, setWho] = useState(c.assignee ?? '');
  const { canAccess } = useCanAccess({ resource: 'users', action: 'list' });
  const { data: users } = useGetList('users', { pagination: { page: 1, perPage: 1000 } }, { enabled: canAccess === true });
  const me = session.identity()?.name;
  const assign = (assignee: string | null) =>
    void run('assignCase', { assignee: assignee ?? null, expectedVersion: c.version }, 'citysoc.cases.assigned').then((ok) => ok && onClose());
  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="xs">
      <DialogTitle>{t('citysoc.cases.assign_title')}</DialogTitle>
      <DialogContent sx={{ pt: '8px !important' }}>
        <Autocomplete
          freeSolo
          options={(users ?? []).filter((u) => !u.disabled).map((u) => String(u.id))}
          inputValue={who}
          onInputChange={(_, v) => setWho(v)}
          renderInput={(params) => <TextField {...params} label={t('resources.cases.fields.assignee')} name="assignee" />}
        />
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
        <Button variant="contained" data-testid="assign-confirm" disabled={pending || who.trim() === ''} onClick={() => assign(who.trim())}>
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
