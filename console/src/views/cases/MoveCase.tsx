/** Status moves of a case: only the moves the server allows from where it stands; resolving or closing asks for the resolution. */
import { Button, Dialog, DialogActions, DialogContent, DialogTitle, MenuItem, Stack, TextField } from '@mui/material';
import { useState } from 'react';
import { useTranslate } from 'react-admin';
import { CASE_MOVES, CASE_RESOLUTIONS, type CaseRecord, type CaseResolution, type CaseStatus } from '../../data/cases';
import { useCaseChange } from './useCaseChange';

function ResolveDialog({ c, to, onClose }: { c: CaseRecord; to: CaseStatus; onClose: () => void }) {
  const t = useTranslate();
  const { pending, run } = useCaseChange(c.id);
  const [resolution, setResolution] = useState<CaseResolution | ''>('');
  const [note, setNote] = useState('');
  // Closing a resolved case keeps its resolution unless another is given.
  const needed = !(to === 'closed' && c.resolution);
  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="sm">
      <DialogTitle>{t(`citysoc.cases.move_title.${to}`)}</DialogTitle>
      <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2, pt: '8px !important' }}>
        <TextField
          select
          required={needed}
          label={t('resources.cases.fields.resolution')}
          value={resolution}
          onChange={(e) => setResolution(e.target.value as CaseResolution)}
          name="resolution"
        >
          {CASE_RESOLUTIONS.map((r) => (
            <MenuItem key={r} value={r}>
              {t(`citysoc.resolution.${r}`)}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          label={t('resources.cases.fields.resolutionNote')}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          multiline
          minRows={2}
          name="note"
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{t('ra.action.cancel')}</Button>
        <Button
          variant="contained"
          data-testid="move-confirm"
          disabled={pending || (needed && !resolution)}
          onClick={() =>
            void run('moveCase', { to, resolution: resolution || undefined, note, expectedVersion: c.version }, 'citysoc.cases.moved').then(
              (ok) => ok && onClose(),
            )
          }
        >
          {t(`citysoc.cases.move.${to}`)}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

export function MoveCase({ c }: { c: CaseRecord }) {
  const t = useTranslate();
  const { pending, run } = useCaseChange(c.id);
  const [asking, setAsking] = useState<CaseStatus | null>(null);
  if (c.mergedInto) return null;
  return (
    <Stack direction="row" spacing={1}>
      {CASE_MOVES[c.status].map((to) => (
        <Button
          key={to}
          variant={to === 'resolved' ? 'contained' : 'outlined'}
          disabled={pending}
          data-testid={`move-${to}`}
          onClick={() =>
            to === 'resolved' || to === 'closed' ? setAsking(to) : void run('moveCase', { to, expectedVersion: c.version }, 'citysoc.cases.moved')
          }
        >
          {t(`citysoc.cases.move.${to}`)}
        </Button>
      ))}
      {asking && <ResolveDialog c={c} to={asking} onClose={() => setAsking(null)} />}
    </Stack>
  );
}
