/**
 * Collectors and sources as the gateway acknowledged them: per collector, host, source type and
 * department, last seen, events per second, events, parse failures and dead letters. A row turns
 * red when the source has dead letters and amber when it has been silent longer than the chosen
 * time; the table reads the API again every 10 seconds.
 */
import { Alert, Box, Card, CardContent, Chip, MenuItem, Stack, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography } from '@mui/material';
import { useState } from 'react';
import { Title, useAuthenticated, useTranslate } from 'react-admin';
import { describeError } from '../../components/errors';
import { When } from '../../components/When';
import { listSources, type SourceRecord, type SourceState, sourceState } from '../../data/sources';
import { usePolling } from '../live/usePolling';

const REFRESH_MS = 10_000;
const SILENT_AFTER_MINUTES = [5, 15, 60, 24 * 60] as const;
const STATE_COLOR: Record<SourceState, 'success' | 'warning' | 'error'> = { ok: 'success', silent: 'warning', failing: 'error' };
const ROW_BACKGROUND: Record<SourceState, string | undefined> = { ok: undefined, silent: 'rgba(237, 108, 2, 0.12)', failing: 'rgba(211, 47, 47, 0.12)' };

/** The sources, with the time of their answer: a source's silence is measured from then. */
function useSources(): { rows: SourceRecord[] | null; error: unknown; now: number } {
  const { data, error } = usePolling(async () => ({ rows: await listSources(), now: Date.now() }), REFRESH_MS);
  return { rows: data?.rows ?? null, error, now: data?.now ?? 0 };
}

function Name({ value, other }: { value: string | null; other: boolean }) {
  const t = useTranslate();
  if (other) return <i>{t('citysoc.sources.other')}</i>;
  return <>{value ?? '—'}</>;
}

export function SourcesPage() {
  useAuthenticated();
  const t = useTranslate();
  const { rows, error, now } = useSources();
  const [silentAfter, setSilentAfter] = useState<number>(15);
  const [text, setText] = useState('');
  const q = text.trim().toLowerCase();
  const shown = (rows ?? []).filter((r) => q === '' || [r.collector, r.host, r.sourceType, r.department].some((v) => v?.toLowerCase().includes(q)));
  return (
    <Box sx={{ p: 2 }}>
      <Title title={t('citysoc.sources.title')} />
      <Card variant="outlined">
        <CardContent>
          <Stack direction="row" spacing={2} alignItems="center" sx={{ mb: 2 }} useFlexGap flexWrap="wrap">
            <TextField size="small" label={t('citysoc.sources.search')} value={text} onChange={(e) => setText(e.target.value)} sx={{ width: 380 }} />
            <TextField
              select
              size="small"
              label={t('citysoc.sources.silent_after')}
              value={silentAfter}
              onChange={(e) => setSilentAfter(Number(e.target.value))}
              sx={{ width: 200 }}
            >
              {SILENT_AFTER_MINUTES.map((m) => (
                <MenuItem key={m} value={m}>
                  {m >= 60 ? t('citysoc.sources.hours', { smart_count: m / 60 }) : t('citysoc.sources.minutes', { smart_count: m })}
                </MenuItem>
              ))}
            </TextField>
            {(['ok', 'silent', 'failing'] as const).map((s) => (
              <Chip key={s} size="small" color={STATE_COLOR[s]} label={t(`citysoc.sources.state.${s}`)} />
            ))}
          </Stack>
          <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
            {t('citysoc.sources.explain')}
          </Typography>
          {error !== null && <Alert severity="error">{describeError(t, error)}</Alert>}
          {rows && rows.length === 0 && <Alert severity="info">{t('citysoc.sources.empty')}</Alert>}
          {shown.length > 0 && (
            <Table size="small" data-testid="sources-table">
              <TableHead>
                <TableRow>
                  <TableCell>{t('citysoc.sources.status')}</TableCell>
                  <TableCell>{t('citysoc.sources.collector')}</TableCell>
                  <TableCell>{t('citysoc.sources.host')}</TableCell>
                  <TableCell>{t('citysoc.sources.source_type')}</TableCell>
                  <TableCell>{t('citysoc.sources.department')}</TableCell>
                  <TableCell>{t('citysoc.sources.last_seen')}</TableCell>
                  <TableCell align="right">{t('citysoc.sources.events_per_second')}</TableCell>
                  <TableCell align="right">{t('citysoc.sources.events')}</TableCell>
                  <TableCell align="right">{t('citysoc.sources.parse_failures')}</TableCell>
                  <TableCell align="right">{t('citysoc.sources.dead_letters')}</TableCell>
                  <TableCell>{t('citysoc.sources.last_dead_letter')}</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {shown.map((r) => {
                  const state = sourceState(r, now, silentAfter * 60_000);
                  return (
                    <TableRow
                      key={r.id}
                      data-testid="source-row"
                      data-state={state}
                      data-source-type={r.sourceType ?? ''}
                      sx={{ bgcolor: ROW_BACKGROUND[state] }}
                    >
                      <TableCell>
                        <Chip size="small" color={STATE_COLOR[state]} label={t(`citysoc.sources.state.${state}`)} />
                      </TableCell>
                      <TableCell>
                        <Name value={r.collector} other={r.other} />
                      </TableCell>
                      <TableCell>
                        <Name value={r.host} other={r.other} />
                      </TableCell>
                      <TableCell>
                        <Name value={r.sourceType} other={r.other} />
                      </TableCell>
                      <TableCell>
                        <Name value={r.department} other={r.other} />
                      </TableCell>
                      <TableCell>
                        <When value={r.lastSeen} />
                      </TableCell>
                      <TableCell align="right">{r.eventsPerSecond.toFixed(2)}</TableCell>
                      <TableCell align="right" data-testid="source-events">
                        {r.events}
                      </TableCell>
                      <TableCell align="right">{r.parseFailures}</TableCell>
                      <TableCell align="right" data-testid="source-dead-letters">
                        {r.deadLetters}
                      </TableCell>
                      <TableCell sx={{ maxWidth: 320, fontSize: 12 }} title={r.lastDeadLetterReason ?? ''}>
                        {r.lastDeadLetterAt ? <When value={r.lastDeadLetterAt} /> : null}
                        {r.lastDeadLetterReason ? ` · ${r.lastDeadLetterReason.slice(0, 120)}` : ''}
                      </TableCell>
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
