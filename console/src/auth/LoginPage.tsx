import { Box, Typography } from '@mui/material';
import { Login, LoginForm, useTranslate } from 'react-admin';
import { LocaleSwitch } from '../layout/LocaleSwitch';

export function LoginPage() {
  const t = useTranslate();
  return (
    <Login>
      <Box sx={{ px: 2, pt: 1, textAlign: 'center' }}>
        <Typography variant="h6" component="h1">
          {t('citysoc.app.title')}
        </Typography>
        <Typography variant="body2" color="text.secondary">
          {t('citysoc.login.hint')}
        </Typography>
      </Box>
      <LoginForm />
      <Box sx={{ display: 'flex', justifyContent: 'center', pb: 1 }}>
        <LocaleSwitch />
      </Box>
    </Login>
  );
}
