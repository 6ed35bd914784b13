/** Open cases sharing an entity with this one, and merging one of them into it (both histories are kept). */
import { Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, Table, TableBody, TableCell, TableRow, Typography } from '@mui/material';
import { useState } from 'react';
import { CanAccess, useNotify, useRefresh, useTranslate } from 'react-admin';
import { Link } from 'react-router-dom';
import { describeError } from '../../components/errors';
import { type CaseRecord, caseMergeSuggestions, mergeCases } from '../../data/cases';
import { CaseStatusChip } from './CaseChips';
import { useAnswer } from './useAnswer';

function MergeDialog({ survivor, merged, onClose }: { survivor: CaseRecord; merged: string; onClose: () => void }) {
  const t = useTranslate();
  const notify = useNotify();
  const refresh = useRefresh();
  const [pending, setPending] = useState(false);
  const merge = async () => {
    setPending(true);
    try {
      await mergeCases(survivor.id, merged);
      notify('citysoc.cases.merged', { type: 'success', messageArgs: { merged, survivor: survivor.id } });
      onClose();
      refresh();
    } catch (e) {
      notify(describeError(t, e), { type: 'error' });
    } finally {
      setPending(false);
    }
  };
  return (
    <Dialog open onClose={onClose}>
      <DialogTitle>{t('citysoc.cases.merge_title')}</DialogTitle>
      <DialogContent>
        <DialogContentText>{t('citysoc.cases.merge_confirm', { merged, survivor: survivor.id })}</DialogContentText>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{t('ra.action.cancel')}</Button>
        <Button variant="contained" disabled={pending} onClick={() => void merge()} data-testid="merge-confirm">
          {t('citysoc.cases.merge')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

export function CaseMerge({ c }: { c: CaseRecord }) {
  const t = useTranslate();
  const [merging, setMerging] = useState<string | null>(null);
  const open = !c.mergedInto && c.status !== 'closed';
  const { data, error } = useAnswer(open ? `${c.id}@${c.version}` : null, () => caseMergeSuggestions(c.id));
  if (!open) return null;
  if (error) return <Typography color="error">{describeError(t, error)}</Typography>;
  if (!data) return null;
  if (data.length === 0)
    return (
      <Typography variant="body2" color="text.secondary">
        {t('citysoc.cases.no_suggestions')}
      </Typography>
    );
  return (
    <>
      <Table size="small" data-testid="merge-suggestions">
        <TableBody>
          {data.map((s) => (
            <TableRow key={s.case.id}>
              <TableCell>
                <Link to={`/cases/${encodeURIComponent(s.case.id)}/show`}>{s.case.id}</Link>
              </TableCell>
              <TableCell>{s.case.title}</TableCell>
              <TableCell>
                <CaseStatusChip status={s.case.status} />
              </TableCell>
              <TableCell sx={{ fontFamily: 'monospace', fontSize: 12 }}>{t('citysoc.cases.shared', { entities: s.shared.join(', ') })}</TableCell>
              <TableCell align="right">
                <CanAccess resource="cases" action="work">
                  <Button size="small" onClick={() => setMerging(s.case.id)}>
                    {t('citysoc.cases.merge_here')}
                  </Button>
                </CanAccess>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {merging && <MergeDialog survivor={c} merged={merging} onClose={() => setMerging(null)} />}
    </>
  );
}
