/** The alerts a case links, each a link to its alert page; linking one more by id and unlinking one. */
import { Box, Button, List as MuiList, ListItem, ListItemText, TextField } from '@mui/material';
import { useState } from 'react';
import { CanAccess, useTranslate } from 'react-admin';
import { Link } from 'react-router-dom';
import type { CaseRecord } from '../../data/cases';
import { useCaseChange } from './useCaseChange';

function Unlink({ c, alertId }: { c: CaseRecord; alertId: string }) {
  const t = useTranslate();
  const { pending, run } = useCaseChange(c.id);
  return (
    <Button size="small" color="error" disabled={pending} onClick={() => void run('unlinkCaseAlert', { alertId }, 'citysoc.cases.alert_unlinked')}>
      {t('citysoc.cases.unlink')}
    </Button>
  );
}

function LinkAlert({ c }: { c: CaseRecord }) {
  const t = useTranslate();
  const { pending, run } = useCaseChange(c.id);
  const [id, setId] = useState('');
  return (
    <Box sx={{ display: 'flex', gap: 1, alignItems: 'center', mt: 1 }}>
      <TextField size="small" label={t('citysoc.cases.alert_id')} value={id} onChange={(e) => setId(e.target.value)} name="alertId" sx={{ flexGrow: 1 }} />
      <Button
        variant="outlined"
        disabled={pending || id.trim() === ''}
        onClick={() => void run('linkCaseAlerts', { alertIds: [id.trim()] }, 'citysoc.cases.alerts_linked').then((ok) => ok && setId(''))}
      >
        {t('citysoc.cases.link')}
      </Button>
    </Box>
  );
}

export function CaseAlerts({ c }: { c: CaseRecord }) {
  const t = useTranslate();
  return (
    <>
      <MuiList dense data-testid="case-alerts">
        {c.alertIds.map((a) => (
          <ListItem
            key={a}
            disableGutters
            secondaryAction={
              !c.mergedInto && (
                <CanAccess resource="cases" action="work">
                  <Unlink c={c} alertId={a} />
                </CanAccess>
              )
            }
          >
            <ListItemText
              primary={
                <Link to={`/alerts/${encodeURIComponent(a)}/show`} data-testid="case-alert-link">
                  {a}
                </Link>
              }
            />
          </ListItem>
        ))}
      </MuiList>
      {c.alertIds.length === 0 && t('citysoc.cases.no_alerts')}
      {!c.mergedInto && (
        <CanAccess resource="cases" action="work">
          <LinkAlert c={c} />
        </CanAccess>
      )}
    </>
  );
}
