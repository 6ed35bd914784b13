/**
 * "Add to case" on an alert's page: link the alert to an open case that shares one of its
 * entities (the server's suggestions), or open a new case from it (its entities, events and
 * department). Either way the case's page opens.
 */
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Divider,
  Table,
  TableBody,
  TableCell,
  TableRow,
  TextField,
  Typography,
} from '@mui/material';
import { useState } from 'react';
import { CanAccess, useTranslate } from 'react-admin';
import { useNavigate } from 'react-router-dom';
import { describeError } from '../../components/errors';
import { useChange } from '../../components/useChange';
import { alertCaseSuggestions, changeCase, openCaseFromAlert } from '../../data/cases';
import { CaseStatusChip } from './CaseChips';
import { useAnswer } from './useAnswer';

function AddToCaseDialog({ alertId, alertTitle, onClose }: { alertId: string; alertTitle: string; onClose: () => void }) {
  const t = useTranslate();
  const navigate = useNavigate();
  const [title, setTitle] = useState(alertTitle);
  const { busy, run } = useChange({ refresh: false });
  const { data: suggestions, error } = useAnswer(alertId, () => alertCaseSuggestions(alertId));
  const go = (work: () => Promise<{ id: string }>, done: string) =>
    run(async () => {
      const c = await work();
      onClose();
      navigate(`/cases/${encodeURIComponent(c.id)}/show`);
      return { message: done, args: { id: c.id } };
    });
  const linkable = (suggestions ?? []).filter((s) => !s.case.alertIds.includes(alertId));
  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="md">
      <DialogTitle>{t('citysoc.cases.add_to_case')}</DialogTitle>
      <DialogContent>
        <Typography variant="subtitle2" gutterBottom>
          {t('citysoc.cases.suggested')}
        </Typography>
        {error ? <Typography color="error">{describeError(t, error)}</Typography> : null}
        {suggestions && linkable.length === 0 && (
          <Typography variant="body2" color="text.secondary">
            {t('citysoc.cases.no_suggestions')}
          </Typography>
        )}
        <Table size="small" data-testid="case-suggestions">
          <TableBody>
            {linkable.map((s) => (
              <TableRow key={s.case.id}>
                <TableCell sx={{ fontFamily: 'monospace' }}>{s.case.id}</TableCell>
                <TableCell>{s.case.title}</TableCell>
                <TableCell>
                  <CaseStatusChip status={s.case.status} />
                </TableCell>
                <TableCell sx={{ fontFamily: 'monospace', fontSize: 12 }}>{t('citysoc.cases.shared', { entities: s.shared.join(', ') })}</TableCell>
                <TableCell align="right">
                  <Button
                    size="small"
                    disabled={busy}
                    onClick={() => void go(() => changeCase('linkCaseAlerts', s.case.id, { alertIds: [alertId] }), 'citysoc.cases.linked_to')}
                  >
                    {t('citysoc.cases.link')}
                  </Button>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
        <Divider sx={{ my: 2 }} />
        <Typography variant="subtitle2" gutterBottom>
          {t('citysoc.cases.open_new')}
        </Typography>
        <TextField
          label={t('resources.cases.fields.title')}
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          name="caseTitle"
          fullWidth
          margin="dense"
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{t('ra.action.cancel')}</Button>
        <Button
          variant="contained"
          disabled={busy}
          data-testid="open-case-confirm"
          onClick={() => void go(() => openCaseFromAlert(alertId, title.trim() || undefined), 'citysoc.cases.opened')}
        >
          {t('citysoc.cases.open_from_alert')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

export function AddToCase({ alertId, alertTitle }: { alertId: string; alertTitle: string }) {
  const t = useTranslate();
  const [open, setOpen] = useState(false);
  return (
    <CanAccess resource="cases" action="work">
      <Button variant="outlined" onClick={() => setOpen(true)}>
        {t('citysoc.cases.add_to_case')}
      </Button>
      {open && <AddToCaseDialog alertId={alertId} alertTitle={alertTitle} onClose={() => setOpen(false)} />}
    </CanAccess>
  );
}
