import type { Severity } from '../alert';
import { type Case, CASE_ROW_FIELDS, type CaseStatus, type NewCase, type ObservableType, type SlaColour } from '../case';
import { CitySocError } from '../errors';
import type { QueryNode } from '../query/ast';
import { evaluate } from '../query/evaluate';

export const CASE_SORT_FIELDS = ['createdAt', 'updatedAt', 'severity'] as const;
export type CaseSortField = (typeof CASE_SORT_FIELDS)[number];

/**
 * A question about cases. Every criterion narrows (AND); a list inside one is any-of. Text is a
 * case-insensitive substring of the id, title, description or a tag. Time ranges include their
 * start and exclude their end.
 */
export interface CaseQuery {
  readonly status?: readonly CaseStatus[];
  readonly severity?: readonly Severity[];
  readonly assignee?: string;
  readonly unassigned?: boolean;
  /** Cases that involve this department (among others, perhaps). */
  readonly department?: string;
  readonly tag?: string;
  readonly text?: string;
  readonly alertId?: string;
  readonly eventId?: string;
  /** Cases holding any of these observables. */
  readonly observables?: readonly { readonly type: ObservableType; readonly value: string }[];
  readonly created?: { readonly from?: string; readonly to?: string };
  readonly updated?: { readonly from?: string; readonly to?: string };
  /** The SLA colour the case shows at `at` (see slaColour). */
  readonly sla?: { readonly colour: SlaColour; readonly at: string };
  readonly ids?: readonly string[];
  readonly excludeIds?: readonly string[];
  /**
   * A row filter (the PDP's, on the field `department`). A case is selected when the filter
   * admits each of its departments, judged as the document {department}; a case without any
   * department is judged as the empty document. So a case of two departments needs both.
   */
  readonly visibleTo?: QueryNode;
  /** Default: createdAt, descending; ties by id in the same direction. */
  readonly sort?: { readonly field: CaseSortField; readonly order: 'asc' | 'desc' };
  /** 1..1000, default 50. */
  readonly size?: number;
  /** offset + size ≤ 10,000; past that, page with `after`. */
  readonly offset?: number;
  /** The nextCursor of the previous page (same query and sort). */
  readonly after?: string;
}

export interface CasePage {
  readonly total: number;
  readonly cases: Case[];
  /** Present when a page was full: where the next page starts. */
  readonly nextCursor?: string;
}

export interface CaseUpdateOptions {
  /** Refuse with CONFLICT unless the stored case still has this version (a person's edit of what they saw). */
  readonly expectedVersion?: number;
}

/**
 * Contract (core/contracts/case-store.contract.ts): create assigns a readable id unique across
 * every replica sharing the store (CASE-<year>-<5+ digits>, the year of createdAt in China
 * Standard Time) and version 1; update applies a pure change to the stored case and writes it
 * only if nobody wrote in between, trying again on a lost race so that concurrent changes from
 * several replicas are all kept (or refusing with CONFLICT when the caller pinned a version);
 * merge marks the merged case first and then absorbs it into the survivor, so a merge cut short
 * is completed by running it again.
 */
export interface CaseStore {
  create(c: NewCase): Promise<Case>;
  get(id: string): Promise<Case | null>;
  update(id: string, change: (cur: Case) => Case, opts?: CaseUpdateOptions): Promise<Case>;
  merge(
    survivorId: string,
    mergedId: string,
    steps: { readonly mark: (merged: Case) => Case; readonly absorb: (survivor: Case, merged: Case) => Case },
  ): Promise<{ survivor: Case; merged: Case }>;
  list(q: CaseQuery): Promise<CasePage>;
  close(): Promise<void>;
}

export const MAX_CASE_PAGE = 1000;
export const MAX_CASE_WINDOW = 10_000;
const MAX_LIST = 10_000;

/** Validates a case query the same way in every adapter. */
export function checkCaseQuery(q: CaseQuery): void {
  const bad = (m: string): never => {
    throw new CitySocError('INPUT_INVALID', m);
  };
  const size = q.size ?? 50;
  const offset = q.offset ?? 0;
  if (!Number.isInteger(size) || size < 1 || size > MAX_CASE_PAGE) bad(`case query size ${size} is out of range: expected 1..${MAX_CASE_PAGE}`);
  if (!Number.isInteger(offset) || offset < 0) bad(`case query offset ${offset} is invalid: expected an integer ≥ 0`);
  if (offset + size > MAX_CASE_WINDOW) bad(`case query offset + size = ${offset + size} exceeds ${MAX_CASE_WINDOW}: page with the cursor (after)`);
  if (q.after !== undefined && offset > 0) bad('case query: offset and after cannot be combined');
  for (const t of [q.created?.from, q.created?.to, q.updated?.from, q.updated?.to, q.sla?.at])
    if (t !== undefined && Number.isNaN(Date.parse(t))) bad(`case query time '${t}' is not an ISO 8601 time`);
  if (q.text !== undefined && (q.text.length === 0 || q.text.length > 256)) bad('case query text must be 1..256 characters');
  // eslint-disable-next-line no-control-regex
  if (q.text !== undefined && /[\u0000-\u001f]/.test(q.text)) bad('case query text may not contain control characters');
  if ((q.ids?.length ?? 0) > MAX_LIST || (q.excludeIds?.length ?? 0) > MAX_LIST) bad(`case query ids: at most ${MAX_LIST}`);
  if ((q.observables?.length ?? 0) > 1000) bad('case query observables: at most 1000');
  if (q.assignee !== undefined && q.unassigned) bad('case query: assignee and unassigned exclude each other');
  if (q.visibleTo) checkRowFilterFields(q.visibleTo);
}

function checkRowFilterFields(node: QueryNode): void {
  switch (node.type) {
    case 'all':
    case 'none':
      return;
    case 'and':
    case 'or':
      node.children.forEach(checkRowFilterFields);
      return;
    case 'not':
      checkRowFilterFields(node.child);
      return;
    default:
      if (!(CASE_ROW_FIELDS as readonly string[]).includes(node.field))
        throw new CitySocError('INPUT_INVALID', `a case row filter may test ${CASE_ROW_FIELDS.join(', ')} only, not ${node.field}`);
  }
}

/**
 * Which departments a row filter admits, of those cases in the store name (every department
 * judged as the document {department}), and whether it admits a case without any department.
 */
export function admittedDepartments(filter: QueryNode, known: readonly string[]): { allowed: string[]; denied: string[]; noDepartment: boolean } {
  const allowed: string[] = [];
  const denied: string[] = [];
  for (const d of known) (evaluate(filter, { department: d }) ? allowed : denied).push(d);
  return { allowed, denied, noDepartment: evaluate(filter, {}) };
}

/** The year a readable id carries: of createdAt in China Standard Time (UTC+8, no daylight saving). */
export function caseYear(createdAt: string): number {
  return new Date(Date.parse(createdAt) + 8 * 3_600_000).getUTCFullYear();
}

export function caseId(year: number, n: number): string {
  return `CASE-${year}-${String(n).padStart(5, '0')}`;
}

/** A cursor: the sort value and id of the last case of a page. */
export function encodeCaseCursor(sortValue: number, id: string): string {
  return Buffer.from(JSON.stringify([sortValue, id])).toString('base64url');
}

export function decodeCaseCursor(cursor: string): [number, string] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'string') return [v[0], v[1]];
  } catch {
    // reported below
  }
  throw new CitySocError('INPUT_INVALID', 'case cursor is not valid: pass back nextCursor from the previous page unchanged');
}

/** The numeric sort value of a case for a sort field (times as epoch ms). */
export function caseSortValue(c: Case, field: CaseSortField): number {
  return field === 'severity' ? c.severityRank : Date.parse(field === 'createdAt' ? c.createdAt : c.updatedAt);
}
