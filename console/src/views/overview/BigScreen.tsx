/**
 * The 大屏: the overview's figures full-screen on a dark wall display. Alert figures refresh live
 * (the alertChanged feed, at most once a second); event rates, counted per minute, every minute;
 * collectors' health (for viewers with metrics:read) every 30 seconds.
 */
import { Box, Button, Grid, Typography } from '@mui/material';
import FullscreenIcon from '@mui/icons-material/Fullscreen';
import { type ReactNode, useCallback, useEffect, useState } from 'react';
import { useAuthenticated, useLocaleState, useTranslate } from 'react-admin';
import { Link } from 'react-router-dom';
import Chart from '../../components/charts/Chart';
import { formatWhen } from '../../components/When';
import { LocaleSwitch } from '../../layout/LocaleSwitch';
import { PasswordChangeGate } from '../../auth/PasswordChangeGate';
import { useAlertBursts } from '../live/useLiveRefresh';
import { CollectorsPanel } from './CollectorsPanel';
import { useFigures } from './figures';
import { barOption, eventRateOption, pieOption, severityOption } from './options';

const PANEL = { bgcolor: 'rgba(16, 42, 82, 0.85)', border: '1px solid #1e4d8c', borderRadius: 1, p: 1.5, height: '100%' };

function Panel({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <Box sx={PANEL} data-testid={testId}>
      <Typography variant="subtitle1" component="h2" sx={{ color: '#7fdbff', mb: 1 }}>
        {title}
      </Typography>
      {children}
    </Box>
  );
}

function Figure({ label, value, testId }: { label: string; value: ReactNode; testId: string }) {
  return (
    <Box sx={{ ...PANEL, textAlign: 'center' }}>
      <Typography variant="body2" sx={{ color: '#9ec9ff' }}>
        {label}
      </Typography>
      <Typography variant="h3" component="p" sx={{ color: '#fff', fontWeight: 600 }} data-testid={testId}>
        {value}
      </Typography>
    </Box>
  );
}

export default function BigScreen() {
  return (
    <PasswordChangeGate>
      <Screen />
    </PasswordChangeGate>
  );
}

function Screen() {
  useAuthenticated();
  const t = useTranslate();
  const [locale] = useLocaleState();
  const { figures: f, reload } = useFigures(60_000);
  // Refreshes the live feed caused, kept in an attribute: it tells them from the timer's.
  const [liveRefreshes, setLiveRefreshes] = useState(0);
  useAlertBursts(
    useCallback(() => {
      setLiveRefreshes((n) => n + 1);
      reload();
    }, [reload]),
  );
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 1000);
    return () => clearInterval(timer);
  }, []);
  const transparent = (o: object) => ({ ...o, backgroundColor: 'transparent', textStyle: { color: '#cfe3ff' } });
  return (
    <Box
      sx={{ minHeight: '100vh', bgcolor: '#06132b', color: '#e3f2fd', p: 2 }}
      data-testid="big-screen"
      data-live-refreshes={liveRefreshes}
      data-figures-at={f?.at.toISOString() ?? ''}
    >
      <Box sx={{ display: 'flex', alignItems: 'center', mb: 2 }}>
        <Typography variant="h4" component="h1" sx={{ flexGrow: 1, letterSpacing: 4 }}>
          {t('citysoc.screen.title')}
        </Typography>
        <Typography sx={{ mr: 2, fontFamily: 'monospace' }}>{formatWhen(now.toISOString(), locale)}</Typography>
        <LocaleSwitch />
        <Button
          sx={{ color: '#9ec9ff' }}
          startIcon={<FullscreenIcon />}
          onClick={() => void document.documentElement.requestFullscreen?.().catch(() => undefined)}
        >
          {t('citysoc.screen.fullscreen')}
        </Button>
        <Button sx={{ color: '#9ec9ff' }} component={Link} to="/">
          {t('citysoc.screen.exit')}
        </Button>
      </Box>
      <Grid container spacing={2}>
        <Grid size={3}>
          <Figure label={t('citysoc.overview.events_per_second')} value={f ? (f.eventsPerSecond.at(-1)?.v ?? 0) : '…'} testId="screen-eps" />
        </Grid>
        <Grid size={3}>
          <Figure label={t('citysoc.overview.events_last_hour')} value={f ? f.eventsLastHour : '…'} testId="screen-events" />
        </Grid>
        <Grid size={3}>
          <Figure label={t('citysoc.overview.open_alerts')} value={f ? f.openAlerts : '…'} testId="screen-open-alerts" />
        </Grid>
        <Grid size={3}>
          <Figure label={t('citysoc.overview.alerts_total')} value={f ? f.alertsTotal : '…'} testId="screen-alerts" />
        </Grid>
        <CollectorsPanel
          render={(title, body) => (
            <Grid size={12}>
              <Panel title={title} testId="screen-collectors">
                {body}
              </Panel>
            </Grid>
          )}
        />
        {f && (
          <>
            <Grid size={6}>
              <Panel title={t('citysoc.overview.events_per_second')}>
                <Chart dark height={280} option={transparent(eventRateOption(f, t, locale))} />
              </Panel>
            </Grid>
            <Grid size={6}>
              <Panel title={t('citysoc.overview.alerts_by_severity')}>
                <Chart dark height={280} option={transparent(severityOption(f, t, locale))} />
              </Panel>
            </Grid>
            <Grid size={4}>
              <Panel title={t('citysoc.overview.top_rules')}>
                <Chart dark height={280} option={transparent(barOption(f.topRules, t('citysoc.overview.alerts')))} />
              </Panel>
            </Grid>
            <Grid size={4}>
              <Panel title={t('citysoc.overview.alerts_by_department')}>
                <Chart dark height={280} option={transparent(pieOption(f.alertsByDepartment, t('citysoc.overview.alerts')))} />
              </Panel>
            </Grid>
            <Grid size={4}>
              <Panel title={t('citysoc.overview.top_sources')}>
                <Chart dark height={280} option={transparent(barOption(f.topSources, t('citysoc.overview.events')))} />
              </Panel>
            </Grid>
          </>
        )}
      </Grid>
    </Box>
  );
}
