/** Closing one or many alerts asks for the resolution (and an optional comment) first. */
import { Button, Dialog, DialogActions, DialogContent, DialogTitle, MenuItem, TextField } from '@mui/material';
import { useState } from 'react';
import { useTranslate } from 'react-admin';
import { RESOLUTIONS, type Resolution } from '../../data/alerts';

export function CloseAlertDialog({
  open,
  count,
  onClose,
  onConfirm,
}: {
  open: boolean;
  count: number;
  onClose: () => void;
  onConfirm: (resolution: Resolution, comment: string) => void;
}) {
  const t = useTranslate();
  const [resolution, setResolution] = useState<Resolution | ''>('');
  const [comment, setComment] = useState('');
  return (
    <Dialog open={open} onClose={onClose} fullWidth maxWidth="sm">
      <DialogTitle>{t('citysoc.alerts.close_title', { smart_count: count })}</DialogTitle>
      <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2, pt: '8px !important' }}>
        <TextField
          select
          required
          label={t('resources.alerts.fields.resolution')}
          value={resolution}
          onChange={(e) => setResolution(e.target.value as Resolution)}
          name="resolution"
        >
          {RESOLUTIONS.map((r) => (
            <MenuItem key={r} value={r}>
              {t(`citysoc.resolution.${r}`)}
            </MenuItem>
          ))}
        </TextField>
        <TextField label={t('citysoc.alerts.comment')} value={comment} onChange={(e) => setComment(e.target.value)} multiline minRows={2} name="comment" />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{t('ra.action.cancel')}</Button>
        <Button variant="contained" disabled={!resolution} onClick={() => resolution && onConfirm(resolution, comment)}>
          {t('citysoc.alerts.close')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
