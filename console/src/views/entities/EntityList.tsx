/** The most at-risk users, hosts and datasets, ranked by the server, filtered by type, level and department. */
import { Box, Typography } from '@mui/material';
import { DataTable, List, SelectInput, TextInput, useListContext, useLocaleState, useRecordContext, useTranslate } from 'react-admin';
import { formatWhen, WhenField } from '../../components/When';
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

export function EntityList() {
  const t = useTranslate();
  const filters = [
    <SelectInput key="type" source="type" alwaysOn choices={ENTITY_TYPES.map((e) => ({ id: e, name: t(`citysoc.entity.${e}`) }))} />,
    <SelectInput
      key="level"
      source="level"
      alwaysOn
      choices={RISK_LEVELS.map((l) => ({ id: l, name: t('citysoc.entities.level_at_least', { level: t(`citysoc.entities.level.${l}`) }) }))}
    />,
    <TextInput key="department" source="department" alwaysOn />,
  ];
  return (
    <List filters={filters} perPage={25} exporter={false} storeKey="entities.risky" title={t('citysoc.entities.title')}>
      <AsOf />
      <DataTable bulkActionButtons={false} rowClick="show">
        <DataTable.Col source="key" disableSort />
        <DataTable.Col source="type" disableSort>
          <TypeField />
        </DataTable.Col>
        <DataTable.Col source="department" disableSort />
        <DataTable.Col source="score" disableSort>
          <ScoreField />
        </DataTable.Col>
        <DataTable.Col source="level" disableSort>
          <LevelField />
        </DataTable.Col>
        <DataTable.NumberCol source="inputs" disableSort />
        <DataTable.Col source="reason" disableSort>
          <TopReasonField />
        </DataTable.Col>
        <DataTable.Col source="at" disableSort>
          <WhenField source="at" />
        </DataTable.Col>
      </DataTable>
    </List>
  );
}
