/** Opening a case by hand: title, severity (which sets the SLA targets), departments, tags, sharing level and assignee. */
import { Create, required, SelectInput, SimpleForm, TextInput, useTranslate } from 'react-admin';
import { SEVERITIES } from '../../data/alerts';
import { TLP_LEVELS } from '../../data/cases';

export function CaseCreate() {
  const t = useTranslate();
  const choices = (values: readonly string[], group: string) => values.map((v) => ({ id: v, name: t(`${group}.${v}`) }));
  return (
    <Create redirect="show">
      <SimpleForm defaultValues={{ severity: 'medium', tlp: 'amber' }}>
        <TextInput source="title" validate={required()} fullWidth />
        <TextInput source="description" multiline minRows={3} fullWidth />
        <SelectInput source="severity" choices={choices(SEVERITIES, 'citysoc.severity')} validate={required()} />
        <TextInput source="departments" helperText="citysoc.cases.list_help" />
        <TextInput source="tags" helperText="citysoc.cases.list_help" />
        <SelectInput source="tlp" choices={choices(TLP_LEVELS, 'citysoc.cases.tlp')} />
        <TextInput source="assignee" helperText="citysoc.cases.assignee_help" />
        <TextInput source="alertIds" helperText="citysoc.cases.list_help" />
      </SimpleForm>
    </Create>
  );
}
