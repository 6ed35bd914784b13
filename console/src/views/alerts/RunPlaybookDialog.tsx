/**
 * Runs a playbook on this alert by hand: the playbooks with a manual trigger, optionally as a dry
 * run (nothing is changed). The run is accountable to the user; the server decides whether they may
 * run playbooks on this alert's department. Started, the run's page opens.
 */
import { Button, Checkbox, Dialog, DialogActions, DialogContent, DialogTitle, FormControlLabel, MenuItem, TextField } from '@mui/material';
import { useEffect, useState } from 'react';
import { useNotify, useTranslate } from 'react-admin';
import { useNavigate } from 'react-router-dom';
import { describeError } from '../../components/errors';
import { useChange } from '../../components/useChange';
import type { AlertRecord } from '../../data/alerts';
import { listPlaybooks, type PlaybookRecord, runPlaybook } from '../../data/playbooks';

export function RunPlaybookDialog({ alert, onClose }: { alert: AlertRecord; onClose: () => void }) {
  const t = useTranslate();
  const notify = useNotify();
  const navigate = useNavigate();
  const [choices, setChoices] = useState<PlaybookRecord[] | null>(null);
  const [chosen, setChosen] = useState('');
  const [dryRun, setDryRun] = useState(false);
  const change = useChange({ refresh: false });
  useEffect(() => {
    let live = true;
    listPlaybooks().then(
      (all) => live && setChoices(all.filter((p) => p.triggers.includes('manual') && !p.disabledInEditor)),
      (e: unknown) => live && notify(describeError(t, e), { type: 'error' }),
    );
    return () => void (live = false);
  }, [notify, t]);
  const run = () =>
    change.run(async () => {
      const ids = await runPlaybook(chosen, alert.id, dryRun);
      onClose();
      if (ids.length === 1) navigate(`/playbookRuns/${encodeURIComponent(ids[0]!)}/show`);
      return { message: 'citysoc.playbooks.started', args: { smart_count: ids.length } };
    });
  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="sm">
      <DialogTitle>{t('citysoc.playbooks.run_title')}</DialogTitle>
      <DialogContent>
        <TextField
          select
          name="playbook"
          label={t('resources.playbookRuns.fields.playbookName')}
          value={chosen}
          onChange={(e) => setChosen(e.target.value)}
          fullWidth
          margin="dense"
          helperText={choices && choices.length === 0 ? t('citysoc.playbooks.none_manual') : ' '}
        >
          {(choices ?? []).map((p) => (
            <MenuItem key={p.id} value={p.id}>
              {p.name}
            </MenuItem>
          ))}
        </TextField>
        <FormControlLabel control={<Checkbox checked={dryRun} onChange={(e) => setDryRun(e.target.checked)} />} label={t('citysoc.playbooks.dry_run_help')} />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{t('ra.action.cancel')}</Button>
        <Button variant="contained" disabled={change.busy || !chosen} onClick={() => void run()} data-testid="run-playbook-confirm">
          {t('citysoc.playbooks.run')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
