import { Alert, Button, Dialog, DialogActions, DialogContent, DialogTitle, TextField } from '@mui/material';
import { useTranslate } from 'react-admin';

/** A secret the server answers once (a one-time password, an API token): shown now, never again. */
export function OnceSecretDialog({ title, secret, onClose }: { title: string; secret: string | null; onClose: () => void }) {
  const t = useTranslate();
  return (
    <Dialog open={secret !== null} onClose={onClose} fullWidth maxWidth="sm">
      <DialogTitle>{title}</DialogTitle>
      <DialogContent>
        <Alert severity="warning" sx={{ mb: 2 }}>
          {t('citysoc.secret.once')}
        </Alert>
        <TextField
          fullWidth
          value={secret ?? ''}
          slotProps={{ htmlInput: { readOnly: true, 'data-testid': 'once-secret', style: { fontFamily: 'monospace' } } }}
          onFocus={(e) => e.target.select()}
        />
      </DialogContent>
      <DialogActions>
        <Button variant="contained" onClick={onClose}>
          {t('citysoc.secret.done')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
