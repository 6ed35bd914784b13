/**
 * Hunting in events: a query in CitySOC's query language over a time range, the histogram of
 * matches (date_histogram), the most common values of key fields in the newest matches (a sample,
 * as Kibana's Discover counts them: a terms aggregation per field over every match of a month
 * costs the store seconds) and the matching events with the raw event under each row. The query and range live in the URL, so a hunt can be shared.
 */
import {
  Box,
  Button,
  Card,
  CardContent,
  Collapse,
  Grid,
  LinearProgress,
  MenuItem,
  Pagination,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from '@mui/material';
import SearchIcon from '@mui/icons-material/Search';
import { Fragment, type FormEvent, useEffect, useState } from 'react';
import { Title, useAuthenticated, useLocaleState, useTranslate } from 'react-admin';
import { useSearchParams } from 'react-router-dom';
import { LazyChart } from '../../components/charts/LazyChart';
import { describeError } from '../../components/errors';
import { RawEvent } from '../../components/RawEvent';
import { TimeRangeFields } from '../../components/TimeRangeFields';
import { formatWhen, When } from '../../components/When';
import { aggregateEvents, type AggResult, type EventRecord, searchEvents } from '../../data/events';
import { type ApiError, isApiError } from '../../data/graphql';
import { quoteValue } from '../../data/resource';
import { QueryError } from './QueryError';
import { boundsOf, intervalFor, type Preset, PRESETS } from './timeRange';

const PAGE = 50;
/** The newest matches the field statistics count. */
export const SAMPLE = 500;
export const STAT_FIELDS = ['host.name', 'user.name', 'source.ip', 'event.action', 'event.outcome', 'organization.name'] as const;

interface HuntResult {
  total: number;
  events: EventRecord[];
  histogram: { key: string | number; count: number }[];
  interval: string;
  stats: AggResult[];
}

function get(e: Record<string, unknown>, path: string): string {
  let v: unknown = e;
  for (const k of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v === undefined || v === null ? '' : String(v);
}

async function hunt(query: string, preset: Preset, custom: { from?: string; to?: string }, page: number, signal: AbortSignal): Promise<HuntResult> {
  const now = new Date();
  let range = boundsOf(preset, now, custom);
  let span = range.from ? Date.parse(range.to ?? now.toISOString()) - Date.parse(range.from) : 0;
  if (!range.from) {
    // No lower bound: the histogram spans what is stored, from the oldest match to the newest.
    const [oldest, newest] = await Promise.all([
      searchEvents({ query, ...range, sort: [{ field: '@timestamp', order: 'asc' }], size: 1 }, signal),
      searchEvents({ query, ...range, sort: [{ field: '@timestamp', order: 'desc' }], size: 1 }, signal),
    ]);
    const lo = oldest.events[0]?.['@timestamp'];
    const hi = newest.events[0]?.['@timestamp'];
    if (typeof lo === 'string' && typeof hi === 'string') {
      range = { from: lo, to: new Date(Date.parse(hi) + 1).toISOString() };
      span = Date.parse(hi) - Date.parse(lo);
    }
  }
  const interval = intervalFor(Math.max(span, 1000));
  // The first page comes out of the sample; a later page is read on its own.
  const [sample, found, aggs] = await Promise.all([
    searchEvents({ query, ...range, size: SAMPLE }, signal),
    page === 1 ? null : searchEvents({ query, ...range, size: PAGE, offset: (page - 1) * PAGE }, signal),
    aggregateEvents(query, range, [{ name: 'histogram', type: 'date_histogram', interval }], signal),
  ]);
  return {
    total: sample.total,
    events: found ? found.events : sample.events.slice(0, PAGE),
    histogram: aggs.aggs.find((a) => a.name === 'histogram')?.buckets ?? [],
    interval,
    stats: topValues(sample.events),
  };
}

/** The five most common values of each statistics field among the events. */
export function topValues(events: readonly EventRecord[]): AggResult[] {
  return STAT_FIELDS.map((field) => {
    const counts = new Map<string, number>();
    for (const e of events) {
      const v = get(e as Record<string, unknown>, field);
      if (v !== '') counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    const buckets = [...counts]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, 5)
      .map(([key, count]) => ({ key, count }));
    return { name: field, type: 'terms' as const, buckets, value: null };
  });
}

function FieldStats({ stats, onPick }: { stats: AggResult[]; onPick: (field: string, value: string) => void }) {
  const t = useTranslate();
  return (
    <Card variant="outlined" data-testid="field-stats">
      <CardContent>
        <Typography variant="subtitle1" component="h2">
          {t('citysoc.hunt.field_stats', { sample: SAMPLE })}
        </Typography>
        {stats.map((s) => (
          <Box key={s.name} sx={{ mt: 1 }}>
            <Typography variant="caption" color="text.secondary">
              {s.name}
            </Typography>
            {(s.buckets ?? []).length === 0 && <Typography variant="body2">—</Typography>}
            {(s.buckets ?? []).map((b) => (
              <Box
                key={String(b.key)}
                sx={{ display: 'flex', justifyContent: 'space-between', fontSize: 13, cursor: 'pointer', '&:hover': { bgcolor: 'action.hover' } }}
                onClick={() => onPick(s.name, String(b.key))}
              >
                <span>{String(b.key)}</span>
                <span>{b.count}</span>
              </Box>
            ))}
          </Box>
        ))}
      </CardContent>
    </Card>
  );
}

export function HuntPage() {
  useAuthenticated();
  const t = useTranslate();
  const [locale] = useLocaleState();
  const [params, setParams] = useSearchParams();
  const query = params.get('q') ?? '';
  const preset = (PRESETS as readonly string[]).includes(params.get('range') ?? '') ? (params.get('range') as Preset) : '24h';
  const custom = { ...(params.get('from') ? { from: params.get('from')! } : {}), ...(params.get('to') ? { to: params.get('to')! } : {}) };
  const page = Math.max(1, Number(params.get('page') ?? '1') || 1);
  const run = Number(params.get('run') ?? '0');

  const [draft, setDraft] = useState(query);
  const [result, setResult] = useState<HuntResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const [open, setOpen] = useState<string | null>(null);

  useEffect(() => setDraft(query), [query]);
  useEffect(() => {
    const ctl = new AbortController();
    setLoading(true);
    setError(null);
    hunt(query, preset, custom, page, ctl.signal).then(
      (r) => {
        setResult(r);
        setLoading(false);
      },
      (e: unknown) => {
        if ((e as Error).name === 'AbortError') return;
        setError(e);
        setResult(null);
        setLoading(false);
      },
    );
    return () => ctl.abort();
    // custom is derived from params; run forces a new search of the same query
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [query, preset, custom.from, custom.to, page, run]);

  const update = (next: Record<string, string | null>) => {
    const p = new URLSearchParams(params);
    for (const [k, v] of Object.entries(next))
      if (v === null || v === '') p.delete(k);
      else p.set(k, v);
    setParams(p);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    update({ q: draft, page: null, run: String(run + 1) });
  };
  const pick = (field: string, value: string) => update({ q: `${query.trim() ? `(${query}) AND ` : ''}${field}:${quoteValue(value)}`, page: null });

  const syntax = isApiError(error) && (error.code === 'QUERY_SYNTAX' || error.code === 'QUERY_FIELD') ? (error as ApiError) : null;
  const histogramOption = result && {
    grid: { left: 48, right: 16, top: 16, bottom: 32 },
    xAxis: { type: 'category', data: result.histogram.map((b) => formatWhen(new Date(Number(b.key) || String(b.key)).toISOString(), locale)) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'bar', name: t('citysoc.hunt.events'), data: result.histogram.map((b) => b.count), itemStyle: { color: '#1976d2' } }],
  };

  return (
    <Box sx={{ p: 2 }} data-testid="hunt" data-state={loading ? 'loading' : error !== null ? 'error' : 'done'} data-query={query} data-range={preset}>
      <Title title={t('citysoc.menu.hunt')} />
      <Stack component="form" direction="row" spacing={1} onSubmit={submit} sx={{ mb: 2, alignItems: 'flex-start' }}>
        <TextField
          fullWidth
          size="small"
          name="q"
          label={t('citysoc.hunt.query')}
          placeholder={t('citysoc.hunt.placeholder')}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          slotProps={{ htmlInput: { spellCheck: false, 'data-testid': 'hunt-query', style: { fontFamily: 'monospace' } } }}
        />
        <TextField
          select
          size="small"
          name="range"
          label={t('citysoc.hunt.range')}
          value={preset}
          onChange={(e) => update({ range: e.target.value, page: null })}
          sx={{ minWidth: 150 }}
        >
          {PRESETS.map((p) => (
            <MenuItem key={p} value={p}>
              {t(`citysoc.hunt.preset.${p}`)}
            </MenuItem>
          ))}
        </TextField>
        {preset === 'custom' && (
          <TimeRangeFields
            from={custom.from ?? ''}
            to={custom.to ?? ''}
            onFrom={(from) => update({ from })}
            onTo={(to) => update({ to })}
            labels={{ from: 'citysoc.hunt.from', to: 'citysoc.hunt.to' }}
          />
        )}
        <Button type="submit" variant="contained" startIcon={<SearchIcon />} sx={{ flexShrink: 0, whiteSpace: 'nowrap', height: 40 }}>
          {t('ra.action.search')}
        </Button>
      </Stack>
      {loading && <LinearProgress sx={{ mb: 1 }} />}
      {syntax && <QueryError query={query} error={syntax} />}
      {error !== null && !syntax && (
        <Typography color="error" role="alert" sx={{ mb: 2 }}>
          {describeError(t, error)}
        </Typography>
      )}
      {result && (
        <Grid container spacing={2}>
          <Grid size={{ xs: 12, md: 9 }}>
            <Card variant="outlined" sx={{ mb: 2 }}>
              <CardContent>
                <Typography variant="subtitle1" component="h2" data-testid="hunt-total">
                  {t('citysoc.hunt.total', { total: result.total, interval: result.interval })}
                </Typography>
                <LazyChart testId="hunt-histogram" height={180} option={histogramOption!} />
              </CardContent>
            </Card>
            <Table size="small" data-testid="hunt-results">
              <TableHead>
                <TableRow>
                  <TableCell>{t('citysoc.event.timestamp')}</TableCell>
                  <TableCell>{t('citysoc.event.host')}</TableCell>
                  <TableCell>{t('citysoc.event.user')}</TableCell>
                  <TableCell>{t('citysoc.event.source')}</TableCell>
                  <TableCell>{t('citysoc.event.action')}</TableCell>
                  <TableCell>{t('citysoc.event.message')}</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {result.events.map((e) => (
                  <Fragment key={e.id}>
                    <TableRow hover sx={{ cursor: 'pointer' }} onClick={() => setOpen(open === e.id ? null : e.id)} data-testid="hunt-row">
                      <TableCell sx={{ whiteSpace: 'nowrap' }}>
                        <When value={get(e, '@timestamp')} />
                      </TableCell>
                      <TableCell>{get(e, 'host.name')}</TableCell>
                      <TableCell>{get(e, 'user.name')}</TableCell>
                      <TableCell>{get(e, 'source.ip')}</TableCell>
                      <TableCell>{get(e, 'event.action')}</TableCell>
                      <TableCell sx={{ fontFamily: 'monospace', fontSize: 12 }}>{get(e, 'message')}</TableCell>
                    </TableRow>
                    <TableRow>
                      <TableCell colSpan={6} sx={{ p: 0, border: open === e.id ? undefined : 0 }}>
                        <Collapse in={open === e.id} unmountOnExit>
                          <RawEvent event={e} />
                        </Collapse>
                      </TableCell>
                    </TableRow>
                  </Fragment>
                ))}
              </TableBody>
            </Table>
            {result.total > PAGE && (
              <Pagination
                sx={{ mt: 1 }}
                page={page}
                count={Math.min(Math.ceil(result.total / PAGE), Math.floor(10_000 / PAGE))}
                onChange={(_e, p) => update({ page: String(p) })}
              />
            )}
          </Grid>
          <Grid size={{ xs: 12, md: 3 }}>
            <FieldStats stats={result.stats} onPick={pick} />
          </Grid>
        </Grid>
      )}
    </Box>
  );
}
