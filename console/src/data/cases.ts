/**
 * Cases: the list (with the API's case filters and sorts), one case, opening one (by hand or from
 * an alert), and every change the case page makes. Each change is its own GraphQL mutation, which
 * the server authorizes and audits once; each answers the case as it now stands.
 */
import { HttpError, type CreateParams, type GetListParams, type GetManyParams, type GetOneParams } from 'ra-core';
import { graphql } from './graphql';
import { pageOf, present, type ResourceAdapter } from './resource';
import { SEVERITIES } from './alerts';

export const CASE_STATUSES = ['open', 'in_progress', 'resolved', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
/** Where each status may move (the server's own rule; the page offers only these). */
export const CASE_MOVES: Readonly<Record<CaseStatus, readonly CaseStatus[]>> = {
  open: ['in_progress', 'resolved', 'closed'],
  in_progress: ['resolved', 'closed', 'open'],
  resolved: ['closed', 'in_progress'],
  closed: ['in_progress'],
};
/** The resolutions a person may give; `merged` is set only by a merge. */
export const CASE_RESOLUTIONS = ['true_positive', 'benign_positive', 'false_positive', 'duplicate'] as const;
export type CaseResolution = (typeof CASE_RESOLUTIONS)[number];
export const SLA_COLOURS = ['green', 'yellow', 'red'] as const;
export type SlaColour = (typeof SLA_COLOURS)[number];
export const OBSERVABLE_TYPES = ['ip', 'user', 'host', 'dataset', 'hash'] as const;
export type ObservableType = (typeof OBSERVABLE_TYPES)[number];
export const TLP_LEVELS = ['clear', 'green', 'amber', 'amber_strict', 'red'] as const;
export const CASE_SORT_FIELDS = ['createdAt', 'updatedAt', 'severity'] as const;
export const CASE_EXPORT_FORMATS = ['json', 'csv', 'html'] as const;
export type CaseExportFormat = (typeof CASE_EXPORT_FORMATS)[number];

export interface CaseTask {
  id: string;
  title: string;
  status: 'open' | 'done' | 'cancelled';
  owner: string | null;
  dueAt: string | null;
  createdAt: string;
  createdBy: string;
  doneAt: string | null;
  fromCase: string | null;
}

export interface CaseObservable {
  id: string;
  type: ObservableType;
  value: string;
  entity: string;
  source: string;
  addedAt: string;
  addedBy: string;
}

export interface TimelineEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  details: unknown;
  case: string | null;
}

export interface CaseRecord {
  id: string;
  version: number;
  title: string;
  description: string;
  severity: string;
  status: CaseStatus;
  resolution: string | null;
  resolutionNote: string | null;
  assignee: string | null;
  departments: string[];
  tags: string[];
  tlp: string;
  classification: string;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  sla: { acknowledgeBy: string; resolveBy: string; stage: string; warnAt: string | null; dueAt: string | null; met: boolean | null };
  slaColour: SlaColour;
  tasks: CaseTask[];
  observables: CaseObservable[];
  alertIds: string[];
  eventIds: string[];
  timeline: TimelineEntry[];
  mergedInto: string | null;
  mergedFrom: string[];
}

export interface CaseSuggestion {
  case: CaseRecord;
  shared: string[];
}

const FIELDS = /* GraphQL */ `
  fragment CaseFields on Case {
    id
    version
    title
    description
    severity
    status
    resolution
    resolutionNote
    assignee
    departments
    tags
    tlp
    classification
    createdAt
    createdBy
    updatedAt
    acknowledgedAt
    resolvedAt
    closedAt
    sla {
      acknowledgeBy
      resolveBy
      stage
      warnAt
      dueAt
      met
    }
    slaColour
    tasks {
      id
      title
      status
      owner
      dueAt
      createdAt
      createdBy
      doneAt
      fromCase
    }
    observables {
      id
      type
      value
      entity
      source
      addedAt
      addedBy
    }
    alertIds
    eventIds
    timeline {
      seq
      at
      actor
      action
      details
      case
    }
    mergedInto
    mergedFrom
  }
`;

/** What a list row needs: no timeline, tasks or observables. */
const ROW = 'id version title severity status resolution assignee departments tags createdAt updatedAt slaColour sla { stage dueAt } alertIds';

const LIST = /* GraphQL */ `
  query Cases($filter: CaseFilter, $sort: CaseSortInput, $size: Int, $offset: Int) {
    cases(filter: $filter, sort: $sort, size: $size, offset: $offset) {
      total
      cases { ${ROW} }
    }
  }
`;
const ONE = /* GraphQL */ `
  query Case($id: ID!) {
    case(id: $id) {
      ...CaseFields
    }
  }
  ${FIELDS}
`;
const OPEN = /* GraphQL */ `
  mutation OpenCase($input: NewCaseInput!) {
    openCase(input: $input) {
      ...CaseFields
    }
  }
  ${FIELDS}
`;
const OPEN_FROM_ALERT = /* GraphQL */ `
  mutation OpenCaseFromAlert($alertId: ID!, $title: String, $severity: Severity) {
    openCaseFromAlert(alertId: $alertId, title: $title, severity: $severity) {
      ...CaseFields
    }
  }
  ${FIELDS}
`;
const MERGE_SUGGESTIONS = /* GraphQL */ `
  query CaseMergeSuggestions($id: ID!) {
    caseMergeSuggestions(id: $id) {
      shared
      case { ${ROW} }
    }
  }
`;
const ALERT_SUGGESTIONS = /* GraphQL */ `
  query AlertCaseSuggestions($alertId: ID!) {
    alertCaseSuggestions(alertId: $alertId) {
      shared
      case { ${ROW} }
    }
  }
`;
const MERGE = /* GraphQL */ `
  mutation MergeCases($survivorId: ID!, $mergedId: ID!) {
    mergeCases(survivorId: $survivorId, mergedId: $mergedId) {
      survivor {
        id
      }
      merged {
        id
      }
    }
  }
`;
const EXPORT = /* GraphQL */ `
  query CaseExport($id: ID!, $format: CaseExportFormat) {
    caseExport(id: $id, format: $format) {
      fileName
      contentType
      content
    }
  }
`;

/** One mutation per change the case page makes; each answers the whole case. */
const CHANGES = {
  moveCase: [
    '$to: CaseStatus!, $resolution: Resolution, $note: String, $expectedVersion: Int',
    'to: $to, resolution: $resolution, note: $note, expectedVersion: $expectedVersion',
  ],
  assignCase: ['$assignee: String, $expectedVersion: Int', 'assignee: $assignee, expectedVersion: $expectedVersion'],
  editCase: ['$edit: CaseEditInput!, $expectedVersion: Int', 'edit: $edit, expectedVersion: $expectedVersion'],
  commentCase: ['$text: String!', 'text: $text'],
  addCaseTask: ['$title: String!, $owner: String, $dueAt: String', 'title: $title, owner: $owner, dueAt: $dueAt'],
  updateCaseTask: ['$taskId: ID!, $update: TaskUpdateInput!', 'taskId: $taskId, update: $update'],
  addCaseObservable: ['$type: ObservableType!, $value: String!', 'type: $type, value: $value'],
  removeCaseObservable: ['$observableId: ID!', 'observableId: $observableId'],
  linkCaseAlerts: ['$alertIds: [ID!]!', 'alertIds: $alertIds'],
  unlinkCaseAlert: ['$alertId: ID!', 'alertId: $alertId'],
} as const;
export type CaseChange = keyof typeof CHANGES;

function changeDocument(name: CaseChange): string {
  const [params, args] = CHANGES[name];
  return `mutation Change($id: ID!, ${params}) { ${name}(id: $id, ${args}) { ...CaseFields } } ${FIELDS}`;
}

/** Applies one change to a case; absent optional values are left out so the server sees "not given". */
export async function changeCase(name: CaseChange, id: string, vars: Record<string, unknown>): Promise<CaseRecord> {
  const given = Object.fromEntries(Object.entries(vars).filter(([, v]) => v !== undefined && v !== ''));
  const r = await graphql<Record<string, CaseRecord>>(changeDocument(name), { id, ...given });
  return r[name]!;
}

function oneOf<T extends string>(v: unknown, known: readonly T[]): T[] | undefined {
  const list = (Array.isArray(v) ? v : v ? [v] : []).filter((x): x is T => (known as readonly string[]).includes(String(x)));
  return list.length ? list : undefined;
}

/** The list's filter form as the API's CaseFilter: only values the API knows, empty fields left out. */
export function caseFilter(f: Record<string, unknown>): Record<string, unknown> {
  const status = oneOf(f.status, CASE_STATUSES);
  const severity = oneOf(f.severity, SEVERITIES);
  const colour = oneOf(f.slaColour, SLA_COLOURS)?.[0];
  return {
    ...(status ? { status } : {}),
    ...(severity ? { severity } : {}),
    ...(colour ? { slaColour: colour } : {}),
    ...(f.unassigned === true ? { unassigned: true } : present(f.assignee) ? { assignee: f.assignee.trim() } : {}),
    ...(present(f.department) ? { department: f.department.trim() } : {}),
    ...(present(f.tag) ? { tag: f.tag.trim() } : {}),
    ...(present(f.text) ? { text: f.text.trim() } : {}),
    ...(present(f.alertId) ? { alertId: f.alertId.trim() } : {}),
  };
}

/** react-admin's sort as the API's: only the fields it sorts by; anything else is the API's default order. */
export function caseSort(sort: GetListParams['sort'] | undefined): { field: string; order: 'asc' | 'desc' } | undefined {
  if (!sort || !(CASE_SORT_FIELDS as readonly string[]).includes(sort.field)) return undefined;
  return { field: sort.field, order: sort.order === 'ASC' ? 'asc' : 'desc' };
}

async function getOne(id: string): Promise<CaseRecord> {
  const r = await graphql<{ case: CaseRecord | null }>(ONE, { id });
  if (!r.case) throw new HttpError(`case ${id} does not exist`, 404);
  return r.case;
}

/** What the create form sends: a new case by hand. */
export interface NewCase {
  title: string;
  description?: string;
  severity: string;
  departments?: string[];
  tags?: string[];
  tlp?: string;
  classification?: string;
  assignee?: string;
  alertIds?: string[];
}

function list(v: unknown): string[] | undefined {
  const items = (Array.isArray(v) ? v : typeof v === 'string' ? v.split(/[,，\n]/) : []).map((x) => String(x).trim()).filter((x) => x !== '');
  return items.length ? items : undefined;
}

export async function openCase(d: NewCase): Promise<CaseRecord> {
  const departments = list(d.departments);
  const tags = list(d.tags);
  const alertIds = list(d.alertIds);
  const input = {
    title: d.title,
    severity: d.severity,
    ...(present(d.description) ? { description: d.description } : {}),
    ...(departments ? { departments } : {}),
    ...(tags ? { tags } : {}),
    ...(present(d.tlp) ? { tlp: d.tlp } : {}),
    ...(present(d.classification) ? { classification: d.classification } : {}),
    ...(present(d.assignee) ? { assignee: d.assignee.trim() } : {}),
    ...(alertIds ? { alertIds } : {}),
  };
  return (await graphql<{ openCase: CaseRecord }>(OPEN, { input })).openCase;
}

export async function openCaseFromAlert(alertId: string, title?: string, severity?: string): Promise<CaseRecord> {
  const vars = { alertId, ...(present(title) ? { title } : {}), ...(present(severity) ? { severity } : {}) };
  return (await graphql<{ openCaseFromAlert: CaseRecord }>(OPEN_FROM_ALERT, vars)).openCaseFromAlert;
}

export async function caseMergeSuggestions(id: string): Promise<CaseSuggestion[]> {
  return (await graphql<{ caseMergeSuggestions: CaseSuggestion[] }>(MERGE_SUGGESTIONS, { id })).caseMergeSuggestions;
}

export async function alertCaseSuggestions(alertId: string): Promise<CaseSuggestion[]> {
  return (await graphql<{ alertCaseSuggestions: CaseSuggestion[] }>(ALERT_SUGGESTIONS, { alertId })).alertCaseSuggestions;
}

export async function mergeCases(survivorId: string, mergedId: string): Promise<{ survivor: string; merged: string }> {
  const r = (await graphql<{ mergeCases: { survivor: { id: string }; merged: { id: string } } }>(MERGE, { survivorId, mergedId })).mergeCases;
  return { survivor: r.survivor.id, merged: r.merged.id };
}

export interface ExportFile {
  fileName: string;
  contentType: string;
  content: string;
}

export async function exportCase(id: string, format: CaseExportFormat): Promise<ExportFile> {
  return (await graphql<{ caseExport: ExportFile }>(EXPORT, { id, format })).caseExport;
}

export const cases: ResourceAdapter = {
  async getList(params: GetListParams) {
    const filter = caseFilter(params.filter ?? {});
    const sort = caseSort(params.sort);
    const r = await graphql<{ cases: { total: number; cases: CaseRecord[] } }>(LIST, { ...pageOf(params.pagination), filter, ...(sort ? { sort } : {}) });
    return { data: r.cases.cases, total: r.cases.total };
  },
  async getOne(params: GetOneParams) {
    return { data: await getOne(String(params.id)) };
  },
  async getMany(params: GetManyParams) {
    return { data: await Promise.all(params.ids.map((id) => getOne(String(id)))) };
  },
  async create(params: CreateParams) {
    return { data: await openCase(params.data as NewCase) };
  },
};
