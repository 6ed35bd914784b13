/** Verifies the audit trail's hash chain on the server and shows the outcome: intact, or the first broken record. */
import { Alert, Box, Button, Card, CardContent, Typography } from '@mui/material';
import VerifiedIcon from '@mui/icons-material/Verified';
import { useState } from 'react';
import { Title, useAuthenticated, useTranslate } from 'react-admin';
import { describeError } from '../../components/errors';
import { type AuditVerification, verifyAuditChain } from '../../data/audit';

export function AuditVerifyPage() {
  useAuthenticated();
  const t = useTranslate();
  const [result, setResult] = useState<AuditVerification | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const verify = async () => {
    setBusy(true);
    setError(null);
    try {
      setResult(await verifyAuditChain());
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Box sx={{ p: 2 }}>
      <Title title={t('citysoc.menu.verify')} />
      <Card variant="outlined">
        <CardContent sx={{ display: 'flex', flexDirection: 'column', gap: 2, alignItems: 'flex-start' }}>
          <Typography>{t('citysoc.verify.explain')}</Typography>
          <Button variant="contained" startIcon={<VerifiedIcon />} onClick={() => void verify()} disabled={busy}>
            {t('citysoc.verify.run')}
          </Button>
          {result && (
            <Alert severity={result.ok ? 'success' : 'error'} data-testid="verify-result" data-ok={String(result.ok)}>
              {result.ok
                ? t('citysoc.verify.intact', { checked: result.checked })
                : t('citysoc.verify.broken', {
                    checked: result.checked,
                    seq: result.firstBadSeq ?? '?',
                    problem: t(`citysoc.verify.problem.${result.problem ?? 'unknown'}`, { _: result.problem ?? '' }),
                  })}
            </Alert>
          )}
          {error !== null && <Alert severity="error">{describeError(t, error)}</Alert>}
        </CardContent>
      </Card>
    </Box>
  );
}
