/** The case list: filtered by status, severity, SLA colour, assignee, department and text; sorted by time or severity; the SLA colour of each case. */
import { CreateButton, FilterButton, TopToolbar } from 'react-admin';
import { SEVERITIES } from '../../data/alerts';
import { CASE_STATUSES, SLA_COLOURS } from '../../data/cases';
import { type ColumnSpec, type FilterSpec, ResourceList } from '../../components/ResourceList';
import { CaseSeverityField, CaseStatusField, DepartmentsField } from './CaseChips';
import { SlaField } from './SlaChip';
import { useLiveCases } from '../live/useLiveRefresh';

const CASE_FILTERS: readonly FilterSpec[] = [
  { kind: 'choices', source: 'status', values: CASE_STATUSES, messages: 'citysoc.cases.status', many: true, alwaysOn: true },
  { kind: 'choices', source: 'severity', values: SEVERITIES, messages: 'citysoc.severity', many: true, alwaysOn: true },
  { kind: 'choices', source: 'slaColour', values: SLA_COLOURS, messages: 'citysoc.cases.sla_colour', alwaysOn: true },
  { kind: 'text', source: 'text', alwaysOn: true, resettable: true },
  { kind: 'text', source: 'assignee' },
  { kind: 'flag', source: 'unassigned' },
  { kind: 'text', source: 'department' },
  { kind: 'text', source: 'tag' },
];

const caseColumns = (): readonly ColumnSpec[] => [
  { source: 'id' },
  { source: 'severity', field: <CaseSeverityField />, sortable: true },
  { source: 'title' },
  { source: 'status', field: <CaseStatusField /> },
  { source: 'slaColour', field: <SlaField /> },
  { source: 'assignee', show: 'dash' },
  { source: 'departments', field: <DepartmentsField /> },
  { source: 'createdAt', show: 'when', sortable: true },
  { source: 'updatedAt', show: 'when', sortable: true },
];

function CaseListActions() {
  return (
    <TopToolbar>
      <FilterButton />
      <CreateButton />
    </TopToolbar>
  );
}

export function CaseList() {
  // Another analyst's case opened, moved or merged shows without a reload.
  useLiveCases();
  return (
    <ResourceList
      filters={CASE_FILTERS}
      filterDefaultValues={{ status: ['open', 'in_progress'] }}
      sort={{ field: 'updatedAt', order: 'DESC' }}
      storeKey="cases.list"
      actions={<CaseListActions />}
      columns={caseColumns()}
    />
  );
}
