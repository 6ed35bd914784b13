/**
 * Policy changes for auditors and admins: who changed which policy line, when, why (when a reason
 * was given), the policy version it made, and the change as a diff. Read from the audit trail, the
 * newest first, bounded to one page of records.
 */
import { Alert, Box, Card, CardContent, Chip, Stack, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { Title, useAuthenticated, useTranslate } from 'react-admin';
import { describeError } from '../../components/errors';
import { TimeRangeFields } from '../../components/TimeRangeFields';
import { When } from '../../components/When';
import { listPolicyChanges, POLICY_CHANGES_SHOWN, type PolicyChangeRecord } from '../../data/policies';
import { PolicyDiff } from './PolicyDiff';

const iso = (local: string) => (local ? new Date(local).toISOString() : '');

export function PolicyChangesPage() {
  useAuthenticated();
  const t = useTranslate();
  const [actor, setActor] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [rows, setRows] = useState<PolicyChangeRecord[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    // Typing in the actor field asks once the user pauses.
    const timer = setTimeout(() => {
      listPolicyChanges({ actor: actor.trim(), from: iso(from), to: iso(to) }).then(
        (r) => {
          if (!live) return;
          setRows(r);
          setError(null);
        },
        (e: unknown) => live && setError(describeError(t, e)),
      );
    }, 300);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [actor, from, to, t]);
  return (
    <Box sx={{ p: 2 }}>
      <Title title={t('citysoc.policy_changes.title')} />
      <Card variant="outlined">
        <CardContent>
          <Stack direction="row" spacing={2} sx={{ mb: 2 }} useFlexGap flexWrap="wrap">
            <TextField size="small" sx={{ width: 240 }} label={t('citysoc.policy_changes.actor')} value={actor} onChange={(e) => setActor(e.target.value)} />
            <TimeRangeFields
              from={from}
              to={to}
              onFrom={setFrom}
              onTo={setTo}
              labels={{ from: 'citysoc.policy_changes.from', to: 'citysoc.policy_changes.to' }}
              width={240}
            />
          </Stack>
          <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
            {t('citysoc.policy_changes.explain', { smart_count: POLICY_CHANGES_SHOWN })}
          </Typography>
          {error && <Alert severity="error">{error}</Alert>}
          {rows && rows.length === 0 && <Alert severity="info">{t('citysoc.policy_changes.empty')}</Alert>}
          {rows && rows.length > 0 && (
            <Table size="small" data-testid="policy-changes">
              <TableHead>
                <TableRow>
                  <TableCell>{t('citysoc.policy_changes.at')}</TableCell>
                  <TableCell>{t('citysoc.policy_changes.actor')}</TableCell>
                  <TableCell>{t('citysoc.policy_changes.kind')}</TableCell>
                  <TableCell>{t('citysoc.policy_changes.line')}</TableCell>
                  <TableCell>{t('citysoc.policy_changes.diff')}</TableCell>
                  <TableCell>{t('citysoc.policy_changes.reason')}</TableCell>
                  <TableCell align="right">{t('citysoc.policy_changes.version')}</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {rows.map((c) => {
                  const kind = c.before && c.after ? 'update' : c.after ? 'add' : 'remove';
                  return (
                    <TableRow
                      key={c.seq}
                      data-testid="policy-change-row"
                      data-seq={c.seq}
                      data-policy={`${c.ptype}:${c.policyId}`}
                      sx={{ verticalAlign: 'top' }}
                    >
                      <TableCell sx={{ whiteSpace: 'nowrap' }}>
                        <When value={c.at} />
                      </TableCell>
                      <TableCell data-testid="policy-change-actor">
                        {c.actor}
                        {c.person && c.person !== c.actor ? ` (${c.person})` : ''}
                      </TableCell>
                      <TableCell>
                        <Chip
                          size="small"
                          label={t(`citysoc.policy_changes.op.${kind}`)}
                          color={kind === 'remove' ? 'error' : kind === 'add' ? 'success' : 'warning'}
                        />
                      </TableCell>
                      <TableCell sx={{ fontFamily: 'monospace' }}>{`${c.ptype}:${c.policyId}`}</TableCell>
                      <TableCell sx={{ minWidth: 360 }}>
                        <PolicyDiff change={c} />
                      </TableCell>
                      <TableCell data-testid="policy-change-reason">{c.reason ?? '—'}</TableCell>
                      <TableCell align="right">{c.version ?? '—'}</TableCell>
                    </TableRow>
                  );
                })}
              </TableBody>
            </Table>
          )}
        </CardContent>
      </Card>
    </Box>
  );
}
