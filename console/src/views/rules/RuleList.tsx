/** Every rule of the loaded folders: filtered by kind, on/off and text; turned on or off in place; a row opens its source and the test panel. */
import { DataTable, List, SelectInput, TextInput, useRecordContext, useTranslate } from 'react-admin';
import { RULE_KINDS, type RuleRecord } from '../../data/rules';
import { RuleEnabledChip, RuleToggle } from './RuleToggle';

function useRuleFilters() {
  const t = useTranslate();
  return [
    <TextInput key="q" source="q" alwaysOn resettable />,
    <SelectInput key="kind" source="kind" alwaysOn choices={RULE_KINDS.map((k) => ({ id: k, name: t(`citysoc.rules.kind.${k}`) }))} />,
    <SelectInput
      key="enabled"
      source="enabled"
      alwaysOn
      choices={[
        { id: 'on', name: t('citysoc.rules.on') },
        { id: 'off', name: t('citysoc.rules.off') },
      ]}
    />,
  ];
}

export function KindField(_: { label?: string }) {
  const r = useRecordContext<RuleRecord>();
  const t = useTranslate();
  return r ? <>{t(`citysoc.rules.kind.${r.kind}`, { _: r.kind })}</> : null;
}

/** The file's name; the path the server read it from is in the tooltip. */
export function FileField(_: { label?: string }) {
  const r = useRecordContext<RuleRecord>();
  if (!r?.file) return null;
  return <span title={r.file}>{r.file.split(/[\\/]/).pop()}</span>;
}

export function RuleList() {
  return (
    <List exporter={false} filters={useRuleFilters()} perPage={50} sort={{ field: 'title', order: 'ASC' }}>
      <DataTable bulkActionButtons={false} rowClick="show">
        <DataTable.Col source="title" />
        <DataTable.Col source="kind">
          <KindField />
        </DataTable.Col>
        <DataTable.Col source="enabled">
          <RuleEnabledChip />
        </DataTable.Col>
        <DataTable.Col source="file">
          <FileField />
        </DataTable.Col>
        <DataTable.Col source="id" disableSort />
        <DataTable.Col disableSort>
          <RuleToggle />
        </DataTable.Col>
      </DataTable>
    </List>
  );
}
