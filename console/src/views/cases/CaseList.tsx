/** The case list: filtered by status, severity, SLA colour, assignee, department and text; sorted by time or severity; the SLA colour of each case. */
import {
  BooleanInput,
  CreateButton,
  DataTable,
  List,
  SelectArrayInput,
  SelectInput,
  TextField,
  TextInput,
  TopToolbar,
  FilterButton,
  useTranslate,
} from 'react-admin';
import { SEVERITIES } from '../../data/alerts';
import { CASE_STATUSES, SLA_COLOURS } from '../../data/cases';
import { WhenField } from '../../components/When';
import { CaseSeverityField, CaseStatusField, DepartmentsField } from './CaseChips';
import { SlaField } from './SlaChip';

function useCaseFilters() {
  const t = useTranslate();
  const choices = (values: readonly string[], group: string) => values.map((v) => ({ id: v, name: t(`${group}.${v}`) }));
  return [
    <SelectArrayInput key="status" source="status" choices={choices(CASE_STATUSES, 'citysoc.cases.status')} alwaysOn />,
    <SelectArrayInput key="severity" source="severity" choices={choices(SEVERITIES, 'citysoc.severity')} alwaysOn />,
    <SelectInput key="slaColour" source="slaColour" choices={choices(SLA_COLOURS, 'citysoc.cases.sla_colour')} alwaysOn />,
    <TextInput key="text" source="text" alwaysOn resettable />,
    <TextInput key="assignee" source="assignee" />,
    <BooleanInput key="unassigned" source="unassigned" />,
    <TextInput key="department" source="department" />,
    <TextInput key="tag" source="tag" />,
  ];
}

function CaseListActions() {
  return (
    <TopToolbar>
      <FilterButton />
      <CreateButton />
    </TopToolbar>
  );
}

export function CaseList() {
  const filters = useCaseFilters();
  return (
    <List
      filters={filters}
      filterDefaultValues={{ status: ['open', 'in_progress'] }}
      perPage={25}
      exporter={false}
      sort={{ field: 'updatedAt', order: 'DESC' }}
      storeKey="cases.list"
      actions={<CaseListActions />}
    >
      <DataTable rowClick="show" bulkActionButtons={false}>
        <DataTable.Col source="id" disableSort />
        <DataTable.Col source="severity">
          <CaseSeverityField />
        </DataTable.Col>
        <DataTable.Col source="title" disableSort />
        <DataTable.Col source="status" disableSort>
          <CaseStatusField />
        </DataTable.Col>
        <DataTable.Col source="slaColour" disableSort>
          <SlaField />
        </DataTable.Col>
        <DataTable.Col source="assignee" disableSort>
          <TextField source="assignee" emptyText="—" />
        </DataTable.Col>
        <DataTable.Col source="departments" disableSort>
          <DepartmentsField />
        </DataTable.Col>
        <DataTable.Col source="createdAt">
          <WhenField source="createdAt" />
        </DataTable.Col>
        <DataTable.Col source="updatedAt">
          <WhenField source="updatedAt" />
        </DataTable.Col>
      </DataTable>
    </List>
  );
}
