/** The overview (react-admin's dashboard): today's figures and charts, refreshed every 30 seconds. */
import { Box, Button, Card, CardContent, Grid, Typography } from '@mui/material';
import MonitorIcon from '@mui/icons-material/Monitor';
import type { ReactNode } from 'react';
import { Title, useCanAccess, useLocaleState, useTranslate } from 'react-admin';
import { Link } from 'react-router-dom';
import Chart from '../../components/charts/Chart';
import { describeError } from '../../components/errors';
import { Section } from '../../components/Section';
import { useFigures } from './figures';
import { barOption, eventRateOption, pieOption, severityOption } from './options';

function Figure({ label, value, testId }: { label: string; value: ReactNode; testId: string }) {
  return (
    <Card variant="outlined">
      <CardContent>
        <Typography variant="body2" color="text.secondary">
          {label}
        </Typography>
        <Typography variant="h4" component="p" data-testid={testId}>
          {value}
        </Typography>
      </CardContent>
    </Card>
  );
}

export default function Overview() {
  const t = useTranslate();
  const [locale] = useLocaleState();
  const { canAccess, isPending } = useCanAccess({ resource: 'overview', action: 'list' });
  const { figures: f, error } = useFigures(30_000, canAccess === true);
  if (isPending) return null;
  if (!canAccess)
    return (
      <Box sx={{ p: 2 }}>
        <Title title={t('citysoc.menu.overview')} />
        <Typography>{t('citysoc.overview.welcome')}</Typography>
      </Box>
    );
  const last = f?.eventsPerSecond.at(-1)?.v ?? 0;
  return (
    <Box sx={{ p: 2 }}>
      <Title title={t('citysoc.menu.overview')} />
      <Box sx={{ display: 'flex', justifyContent: 'flex-end', mb: 1 }}>
        <Button component={Link} to="/screen" startIcon={<MonitorIcon />}>
          {t('citysoc.menu.screen')}
        </Button>
      </Box>
      {error !== null && <Typography color="error">{describeError(t, error)}</Typography>}
      <Grid container spacing={2}>
        <Grid size={{ xs: 6, md: 3 }}>
          <Figure label={t('citysoc.overview.events_per_second')} value={f ? last : '…'} testId="figure-eps" />
        </Grid>
        <Grid size={{ xs: 6, md: 3 }}>
          <Figure label={t('citysoc.overview.events_last_hour')} value={f ? f.eventsLastHour : '…'} testId="figure-events" />
        </Grid>
        <Grid size={{ xs: 6, md: 3 }}>
          <Figure label={t('citysoc.overview.open_alerts')} value={f ? f.openAlerts : '…'} testId="figure-open-alerts" />
        </Grid>
        <Grid size={{ xs: 6, md: 3 }}>
          <Figure label={t('citysoc.overview.alerts_total')} value={f ? f.alertsTotal : '…'} testId="figure-alerts" />
        </Grid>
        {f && (
          <>
            <Grid size={{ xs: 12, md: 6 }}>
              <Section fill title={t('citysoc.overview.events_per_second')} testId="chart-eps">
                <Chart option={eventRateOption(f, t, locale)} />
              </Section>
            </Grid>
            <Grid size={{ xs: 12, md: 6 }}>
              <Section fill title={t('citysoc.overview.alerts_by_severity')} testId="chart-severity">
                <Chart option={severityOption(f, t, locale)} />
              </Section>
            </Grid>
            <Grid size={{ xs: 12, md: 6 }}>
              <Section fill title={t('citysoc.overview.top_rules')} testId="chart-rules">
                <Chart option={barOption(f.topRules, t('citysoc.overview.alerts'))} />
              </Section>
            </Grid>
            <Grid size={{ xs: 12, md: 6 }}>
              <Section fill title={t('citysoc.overview.alerts_by_department')} testId="chart-departments">
                <Chart option={pieOption(f.alertsByDepartment, t('citysoc.overview.alerts'))} />
              </Section>
            </Grid>
          </>
        )}
      </Grid>
    </Box>
  );
}
