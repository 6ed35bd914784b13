/** The most at-risk users, hosts and datasets, ranked by the server, filtered by type, level and department. */
import { Box, Typography } from '@mui/material';
import { useListContext, useLocaleState, useRecordContext, useTranslate } from 'react-admin';
import { type ColumnSpec, type FilterSpec, ResourceList } from '../../components/ResourceList';
import { formatWhen } from '../../components/When';
import { type EntityRisk, ENTITY_TYPES, RISK_LEVELS } from '../../data/entities';
import { LevelField, useUebaText } from './RiskLevel';

function TypeField(_: { label?: string }) {
  const r = useRecordContext<EntityRisk>();
  const t = useTranslate();
  return r ? <>{t(`citysoc.entity.${r.type}`, { _: r.type })}</> : null;
}

function ScoreField(_: { label?: string }) {
  const r = useRecordContext<EntityRisk>();
  return r ? <span data-testid="entity-score">{r.score.toFixed(1)}</span> : null;
}

/** The largest contribution: why the entity is where it is in the ranking. */
function TopReasonField(_: { label?: string }) {
  const r = useRecordContext<EntityRisk>();
  const text = useUebaText();
  const top = r?.contributions[0];
  return top ? <>{text(top.summary)}</> : null;
}

function AsOf() {
  const { meta } = useListContext() as { meta?: { asOf?: string } };
  const t = useTranslate();
  const [locale] = useLocaleState();
  if (!meta?.asOf) return null;
  return (
    <Box sx={{ px: 2, pt: 1 }}>
      <Typography variant="caption" color="text.secondary">
        {t('citysoc.entities.as_of', { at: formatWhen(meta.asOf, locale) })}
      </Typography>
    </Box>
  );
}

const ENTITY_FILTERS: readonly FilterSpec[] = [
  { kind: 'choices', source: 'type', values: ENTITY_TYPES, messages: 'citysoc.entity', alwaysOn: true },
  {
    kind: 'choices',
    source: 'level',
    values: RISK_LEVELS,
    messages: (l, t) => t('citysoc.entities.level_at_least', { level: t(`citysoc.entities.level.${l}`) }),
    alwaysOn: true,
  },
  { kind: 'text', source: 'department', alwaysOn: true },
];

const entityColumns = (): readonly ColumnSpec[] => [
  { source: 'key' },
  { source: 'type', field: <TypeField /> },
  { source: 'department' },
  { source: 'score', field: <ScoreField /> },
  { source: 'level', field: <LevelField /> },
  { source: 'inputs', show: 'number' },
  { source: 'reason', field: <TopReasonField /> },
  { source: 'at', show: 'when' },
];

export function EntityList() {
  const t = useTranslate();
  return <ResourceList filters={ENTITY_FILTERS} storeKey="entities.risky" title={t('citysoc.entities.title')} above={<AsOf />} columns={entityColumns()} />;
}
