/**
 * Approve or reject a pending approval, with an optional comment. Whether this user may answer is
 * the server's decision (the approver role, the accounts the run acts against, the department):
 * the console offers the buttons to whoever may approve playbooks and shows the server's answer.
 */
import { Button, Dialog, DialogActions, DialogContent, DialogTitle, TextField } from '@mui/material';
import { useState } from 'react';
import { useCanAccess, useTranslate } from 'react-admin';
import { useChange } from '../../components/useChange';
import { answerApproval, type ApprovalRecord } from '../../data/playbooks';

export function ApprovalAnswer({ approval }: { approval: ApprovalRecord }) {
  const t = useTranslate();
  const { canAccess } = useCanAccess({ resource: 'playbookApprovals', action: 'approve' });
  const [asking, setAsking] = useState<'approve' | 'reject' | null>(null);
  const [comment, setComment] = useState('');
  const { busy, run } = useChange();
  if (approval.status !== 'pending' || !canAccess) return null;
  const send = async () => {
    if (!asking) return;
    await run(async () => {
      await answerApproval(approval.id, asking, comment.trim() || undefined);
      setAsking(null);
      setComment('');
      return { message: asking === 'approve' ? 'citysoc.playbooks.approved' : 'citysoc.playbooks.rejected' };
    });
  };
  return (
    <>
      <Button size="small" variant="contained" color="primary" onClick={() => setAsking('approve')} data-testid="approve">
        {t('citysoc.playbooks.approve')}
      </Button>{' '}
      <Button size="small" variant="outlined" color="error" onClick={() => setAsking('reject')} data-testid="reject">
        {t('citysoc.playbooks.reject')}
      </Button>
      <Dialog open={asking !== null} onClose={() => setAsking(null)} fullWidth maxWidth="sm">
        <DialogTitle>{t(asking === 'reject' ? 'citysoc.playbooks.reject_title' : 'citysoc.playbooks.approve_title')}</DialogTitle>
        <DialogContent>
          <p>{approval.question}</p>
          <TextField
            name="comment"
            label={t('citysoc.playbooks.comment')}
            value={comment}
            onChange={(e) => setComment(e.target.value)}
            multiline
            minRows={2}
            fullWidth
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setAsking(null)}>{t('ra.action.cancel')}</Button>
          <Button variant="contained" disabled={busy} onClick={() => void send()} data-testid="answer-confirm">
            {t(asking === 'reject' ? 'citysoc.playbooks.reject' : 'citysoc.playbooks.approve')}
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}
