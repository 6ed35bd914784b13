/**
 * One entity: its risk now and over time, what it is made of (contributions), the anomalies behind
 * it with their explanations, the behaviour baseline and, for a user, the peers it is compared with.
 */
import { Box, Chip, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import type { EChartsCoreOption } from 'echarts/core';
import { Loading, Show, useLocaleState, useRecordContext, useTranslate } from 'react-admin';
import { LazyChart } from '../../components/charts/LazyChart';
import { Section } from '../../components/Section';
import { formatWhen, When } from '../../components/When';
import type { EntityDetail } from '../../data/entities';
import { LevelChip, useUebaText } from './RiskLevel';

function Empty() {
  const t = useTranslate();
  return (
    <Typography variant="body2" color="text.secondary">
      {t('citysoc.entities.none')}
    </Typography>
  );
}

const pct = (share: number) => `${(share * 100).toFixed(1)}%`;

function historyOption(e: EntityDetail, seriesName: string, locale: string): EChartsCoreOption {
  return {
    // Drawn at once: a history of one point is only its symbol, which the entry animation hides at first.
    animation: false,
    grid: { left: 40, right: 16, top: 16, bottom: 32 },
    xAxis: { type: 'category', data: e.riskHistory.map((p) => formatWhen(p.at, locale)) },
    yAxis: { type: 'value', min: 0, max: 100 },
    series: [{ type: 'line', step: 'end', showSymbol: true, symbolSize: 8, name: seriesName, data: e.riskHistory.map((p) => Number(p.score.toFixed(1))) }],
  };
}

function Header({ e }: { e: EntityDetail }) {
  const t = useTranslate();
  return (
    <Stack direction="row" spacing={2} sx={{ alignItems: 'center', flexWrap: 'wrap', mb: 2 }}>
      <Typography variant="h6" component="h1" data-testid="entity-key">
        {e.key}
      </Typography>
      <Chip size="small" variant="outlined" label={t(`citysoc.entity.${e.type}`, { _: e.type })} />
      {e.department && <Chip size="small" variant="outlined" label={e.department} />}
      <Typography data-testid="entity-risk">
        {t('citysoc.entities.score')}: {e.score.toFixed(1)}
      </Typography>
      <LevelChip level={e.level} />
      <Typography variant="body2" color="text.secondary">
        {t('citysoc.entities.criticality')}: ×{e.criticality} · {t('resources.entities.fields.inputs')}: {e.inputs}
      </Typography>
    </Stack>
  );
}

function Contributions({ e }: { e: EntityDetail }) {
  const t = useTranslate();
  const text = useUebaText();
  if (e.contributions.length === 0) return <Empty />;
  return (
    <Table size="small">
      <TableHead>
        <TableRow>
          <TableCell>{t('citysoc.entities.share')}</TableCell>
          <TableCell>{t('citysoc.entities.points')}</TableCell>
          <TableCell>{t('citysoc.entities.feature')}</TableCell>
          <TableCell>{t('citysoc.entities.explanation')}</TableCell>
          <TableCell>{t('citysoc.entities.when')}</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {e.contributions.map((c) => (
          <TableRow key={c.id} data-testid="contribution">
            <TableCell>{pct(c.share)}</TableCell>
            <TableCell>{c.points.toFixed(1)}</TableCell>
            <TableCell>
              <code>{c.feature}</code>
            </TableCell>
            <TableCell>{text(c.summary)}</TableCell>
            <TableCell>
              <When value={c.at} />
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function Anomalies({ e }: { e: EntityDetail }) {
  const t = useTranslate();
  const text = useUebaText();
  if (e.anomalies.length === 0) return <Empty />;
  return (
    <Table size="small">
      <TableHead>
        <TableRow>
          <TableCell>{t('citysoc.entities.hour')}</TableCell>
          <TableCell>{t('citysoc.entities.feature')}</TableCell>
          <TableCell>{t('citysoc.entities.observed')}</TableCell>
          <TableCell>{t('citysoc.entities.anomaly_score')}</TableCell>
          <TableCell>{t('citysoc.entities.explanation')}</TableCell>
          <TableCell>{t('citysoc.entities.peers_verdict')}</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {e.anomalies.map((a) => (
          <TableRow key={a.id} data-testid="anomaly">
            <TableCell>
              <When value={a.hour} />
            </TableCell>
            <TableCell>
              <code>{a.feature}</code>
            </TableCell>
            <TableCell>{a.observed}</TableCell>
            <TableCell>{a.score.toFixed(1)}</TableCell>
            <TableCell>
              {text(a.summary)}
              {a.baseline && (
                <Typography variant="caption" component="div" color="text.secondary">
                  {t('citysoc.entities.baseline_z', {
                    mean: a.baseline.mean.toFixed(2),
                    std: a.baseline.std.toFixed(2),
                    n: a.baseline.n,
                    z: a.baseline.z.toFixed(1),
                  })}
                </Typography>
              )}
            </TableCell>
            <TableCell>{a.peers ? t(`citysoc.entities.verdict.${a.peers.verdict}`, { _: a.peers.verdict }) : ''}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function Baseline({ e }: { e: EntityDetail }) {
  const t = useTranslate();
  const text = useUebaText();
  if (e.baseline.length === 0) return <Empty />;
  return (
    <Table size="small">
      <TableHead>
        <TableRow>
          <TableCell>{t('citysoc.entities.feature')}</TableCell>
          <TableCell>{t('citysoc.entities.typical')}</TableCell>
          <TableCell>{t('citysoc.entities.mean_std')}</TableCell>
          <TableCell>{t('citysoc.entities.observations')}</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {e.baseline.map((b) => (
          <TableRow key={b.feature} data-testid="baseline">
            <TableCell>{text(b.label)}</TableCell>
            <TableCell>{b.typical.toFixed(2)}</TableCell>
            <TableCell>
              {b.mean.toFixed(2)} ± {b.std.toFixed(2)} ({b.scale})
            </TableCell>
            <TableCell>{b.observations}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function Peers({ e }: { e: EntityDetail }) {
  const t = useTranslate();
  if (!e.peers) return <Empty />;
  const p = e.peers;
  return (
    <Box>
      <Typography variant="body2" sx={{ mb: 1 }}>
        {t('citysoc.entities.peer_groups', { group: p.staticGroup, cluster: p.cluster })} · <When value={p.computedAt} />
      </Typography>
      {p.peers.length === 0 ? (
        <Empty />
      ) : (
        <Table size="small">
          <TableHead>
            <TableRow>
              <TableCell>{t('citysoc.entity.user')}</TableCell>
              <TableCell>{t('citysoc.entities.similarity')}</TableCell>
              <TableCell>{t('citysoc.entities.shared')}</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {p.peers.map((peer) => (
              <TableRow key={peer.user}>
                <TableCell>{peer.user}</TableCell>
                <TableCell>{peer.similarity.toFixed(2)}</TableCell>
                <TableCell>{peer.shared.join(', ')}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Box>
  );
}

function EntityPage() {
  const e = useRecordContext<EntityDetail>();
  const t = useTranslate();
  const [locale] = useLocaleState();
  // Until entity(id) answers, react-admin may hand over the list's row (no baseline, no history).
  if (!e?.riskHistory) return <Loading />;
  return (
    <Box sx={{ p: 2 }}>
      <Header e={e} />
      <Section title={t('citysoc.entities.history')} testId="risk-history">
        {e.riskHistory.length === 0 ? (
          <Empty />
        ) : (
          <LazyChart option={historyOption(e, t('citysoc.entities.score'), locale)} height={220} testId="risk-history-chart" />
        )}
      </Section>
      <Section title={t('citysoc.entities.contributions')} testId="contributions">
        <Contributions e={e} />
      </Section>
      <Section title={t('citysoc.entities.anomalies')} testId="anomalies">
        <Anomalies e={e} />
      </Section>
      <Section title={t('citysoc.entities.baseline')} testId="baseline">
        <Baseline e={e} />
      </Section>
      <Section title={t('citysoc.entities.peers')} testId="peers">
        <Peers e={e} />
      </Section>
    </Box>
  );
}

export function EntityShow() {
  return (
    <Show actions={false} component="div">
      <EntityPage />
    </Show>
  );
}
