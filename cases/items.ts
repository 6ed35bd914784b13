/**
 * Alerts, cases and events as the PDP judges them (core/door.ts StoredItem), and the judgement of
 * someone other than the caller (an assignee): may that user see the item at all?
 */
import type { Case } from '../core/case';
import type { Doc } from '../core/doc';
import { getField } from '../core/doc';
import type { ActionContext, StoredItem } from '../core/door';
import type { EcsEvent } from '../core/event';
import type { Decision } from '../core/authz';

export { alertItem } from '../alerts/service';

/**
 * A case is judged once per department it involves (each as the document {department}), or once
 * without a department when it has none: seeing a case of two departments needs both.
 */
export function caseItems(c: Pick<Case, 'id' | 'departments'>): StoredItem[] {
  if (c.departments.length === 0) return [{ kind: 'case', id: c.id, doc: {}, resource: { type: 'cases' } }];
  return c.departments.map((d) => ({ kind: 'case', id: c.id, doc: { department: d }, resource: { type: 'cases', department: d } }));
}

export function eventItem(e: EcsEvent): StoredItem {
  const department = getField(e as Doc, 'organization.name');
  const classification = getField(e as Doc, 'citysoc.data.classification');
  return {
    kind: 'event',
    id: String(getField(e as Doc, 'event.id') ?? ''),
    doc: e as Doc,
    resource: {
      type: 'events',
      ...(typeof department === 'string' ? { department } : {}),
      ...(typeof classification === 'string' ? { classification: classification as never } : {}),
    },
  };
}

/** The case as the caller may see it: every department judged; NOT_FOUND (like an absent case) otherwise. */
export function requireCase(ctx: ActionContext, c: Case, action: 'read' | 'write'): Decision[] {
  return caseItems(c).map((i) => ctx.item(i, action));
}

export function caseVisible(ctx: ActionContext, c: Case, action: 'read' | 'write' = 'read'): boolean {
  return caseItems(c).every((i) => ctx.visible(i, action) !== null);
}

export { assigneeRefusal, refuseAssignee } from '../core/may-work';
