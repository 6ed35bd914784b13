/**
 * The forced first password change (and any later one): the server refuses every other call with
 * PASSWORD_CHANGE_REQUIRED until the one-time password is replaced.
 */
import { Alert, Box, Button, Card, CardContent, TextField, Typography } from '@mui/material';
import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { useNotify, useTranslate } from 'react-admin';
import { LocaleSwitch } from '../layout/LocaleSwitch';
import { changePassword } from './authProvider';
import { session } from './session';

export function ChangePasswordPage() {
  const t = useTranslate();
  const navigate = useNavigate();
  const notify = useNotify();
  const who = session.identity();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (!who) {
    return (
      <Box sx={{ p: 4 }}>
        <Typography>{t('ra.auth.auth_check_error')}</Typography>
        <Button onClick={() => navigate('/login')}>{t('ra.auth.sign_in')}</Button>
      </Box>
    );
  }

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (next !== again) return setError(t('citysoc.password.mismatch'));
    setBusy(true);
    setError(null);
    try {
      await changePassword(current, next);
      notify('citysoc.password.changed', { type: 'success' });
      navigate('/');
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box sx={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', bgcolor: 'grey.100' }}>
      <Card sx={{ width: 420 }}>
        <CardContent component="form" onSubmit={submit} sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
          <Typography variant="h6" component="h1">
            {t('citysoc.password.title')}
          </Typography>
          <input type="text" name="username" autoComplete="username" value={who.name} readOnly hidden />
          {who.mustChangePassword && <Alert severity="warning">{t('citysoc.password.required', { name: who.name })}</Alert>}
          <TextField
            label={t('citysoc.password.current')}
            type="password"
            name="current"
            autoComplete="current-password"
            required
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
          />
          <TextField
            label={t('citysoc.password.next')}
            type="password"
            name="next"
            autoComplete="new-password"
            required
            value={next}
            onChange={(e) => setNext(e.target.value)}
            helperText={t('citysoc.password.rules')}
          />
          <TextField
            label={t('citysoc.password.again')}
            type="password"
            name="again"
            autoComplete="new-password"
            required
            value={again}
            onChange={(e) => setAgain(e.target.value)}
          />
          {error && (
            <Alert severity="error" role="alert">
              {error}
            </Alert>
          )}
          <Button type="submit" variant="contained" disabled={busy}>
            {t('citysoc.password.submit')}
          </Button>
          <Box sx={{ display: 'flex', justifyContent: 'center' }}>
            <LocaleSwitch />
          </Box>
        </CardContent>
      </Card>
    </Box>
  );
}
