import { Button, ButtonGroup } from '@mui/material';
import { useLocaleState } from 'react-admin';
import { LOCALES } from '../i18n';

/** 中文 / English, for pages outside the layout (sign-in, password change, 大屏). */
export function LocaleSwitch() {
  const [locale, setLocale] = useLocaleState();
  return (
    <ButtonGroup size="small" variant="text" aria-label="language">
      {LOCALES.map((l) => (
        <Button key={l.locale} lang={l.locale} disabled={locale === l.locale} onClick={() => setLocale(l.locale)}>
          {l.name}
        </Button>
      ))}
    </ButtonGroup>
  );
}
