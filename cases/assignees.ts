/**
 * The people a case or an alert may be assigned to, for the console's picker: enabled accounts
 * whose roles let them work it and whom the PDP lets read it (its departments, row filters,
 * isolation), by the one predicate assignment itself checks (core/may-work.ts assigneeRefusal).
 * The caller must be able to read the item; the answer carries usernames and display names only,
 * bounded.
 *
 * For a bulk assignment the picker names several alerts at once (alertIds) and is answered the
 * people who may work every one of them, in one call audited once rather than one per alert.
 */
import { z } from 'zod';
import { defineAction } from '../core/door';
import { CitySocError } from '../core/errors';
import type { ActionContext, StoredItem } from '../core/door';
import type { Assignable } from '../core/may-work';
import type { CasesDeps } from './deps';
import { Id, parseInput } from './input';
import { alertItem, assigneeRefusal, caseItems, requireCase } from './items';

const MAX_ID = 256;
const MAX_TEXT = 128;
/** Alerts one question may name: twice the queue's page, so a bulk selection fits. */
export const MAX_ALERT_IDS = 50;

const AssignableInput = z
  .strictObject({
    caseId: Id.optional(),
    alertId: Id.optional(),
    alertIds: z.array(Id).min(1, 'name at least one alert').max(MAX_ALERT_IDS, `at most ${MAX_ALERT_IDS} alerts may be named at once`).optional(),
    /** Case-insensitive substring of the username or display name. */
    text: z.string().trim().max(MAX_TEXT).optional(),
    size: z.number().int().min(1).max(50).default(20),
  })
  .refine((i) => [i.caseId, i.alertId, i.alertIds].filter((x) => x !== undefined).length === 1, 'name exactly one of caseId, alertId and alertIds');
export type AssignableInput = z.input<typeof AssignableInput>;

export interface AssignableUser {
  readonly username: string;
  readonly displayName: string | null;
}

/** Accounts looked at per call at most: the directory is read in memory, the judgement costs per user. */
const MAX_SCANNED = 5000;

export function assigneeActions(deps: CasesDeps) {
  const assignableUsers = defineAction({
    name: 'cases.assignable_users',
    permission: 'cases:read',
    // the input is recorded before it is checked: what is past its bounds is kept as its length only
    resource: (i: AssignableInput) => {
      if (i.alertIds !== undefined) return `alerts:${Array.isArray(i.alertIds) ? i.alertIds.length : '?'}`;
      const id = String(i.caseId ?? i.alertId);
      return `${i.caseId ? 'case' : 'alert'}:${id.length <= MAX_ID ? id : `(${id.length} characters)`}`;
    },
    details: (i) => ({
      ...(typeof i.text === 'string' && i.text ? (i.text.length <= MAX_TEXT ? { text: i.text } : { textLength: i.text.length }) : {}),
      ...auditedAlertIds(i.alertIds),
    }),
    run: async (ctx, raw: AssignableInput): Promise<AssignableUser[]> => {
      const i = parseInput(AssignableInput, raw, 'cases.assignable_users');
      let items: StoredItem[];
      let work: Assignable;
      if (i.caseId) {
        const c = await deps.cases.get(i.caseId);
        if (!c) throw new CitySocError('NOT_FOUND', `no case ${i.caseId}`);
        requireCase(ctx, c, 'read');
        items = caseItems(c);
        work = 'case';
      } else if (i.alertIds) {
        items = await visibleAlerts(ctx, deps, i.alertIds);
        work = 'alert';
      } else {
        const a = await deps.alerts.get(i.alertId!);
        if (!a) throw new CitySocError('NOT_FOUND', `no alert ${i.alertId}`);
        ctx.item(alertItem(a), 'read');
        items = [alertItem(a)];
        work = 'alert';
      }
      const text = i.text?.toLowerCase();
      const out: AssignableUser[] = [];
      let scanned = 0;
      for (const u of deps.directory?.() ?? []) {
        if (++scanned > MAX_SCANNED || out.length >= i.size) break;
        const displayName = u.displayName ?? null;
        if (text && !u.username.toLowerCase().includes(text) && !displayName?.toLowerCase().includes(text)) continue;
        if (assigneeRefusal(deps.door.authorizer, u.username, u, work, items, ctx.now) === null) out.push({ username: u.username, displayName });
      }
      ctx.note({ listed: out.length });
      return out;
    },
  });
  return { assignableUsers };
}

/** The listed ids as the audit record keeps them: the list when within bounds, its size otherwise (the input is refused). */
function auditedAlertIds(ids: unknown): Record<string, unknown> {
  if (ids === undefined) return {};
  if (Array.isArray(ids) && ids.length <= MAX_ALERT_IDS && ids.every((x) => typeof x === 'string' && x.length <= MAX_ID)) return { alertIds: ids };
  return { alertIdsCount: Array.isArray(ids) ? ids.length : null };
}

/**
 * Every named alert as the caller may read it. One the caller may not see is refused exactly as an
 * absent one (NOT_FOUND, "no alert <id>"), so a list cannot probe another department's ids.
 */
async function visibleAlerts(ctx: ActionContext, deps: CasesDeps, ids: readonly string[]): Promise<StoredItem[]> {
  const unique = [...new Set(ids)];
  const found = await Promise.all(unique.map((id) => deps.alerts.get(id)));
  return unique.map((id, n) => {
    const a = found[n];
    if (!a) throw new CitySocError('NOT_FOUND', `no alert ${id}`);
    const item = alertItem(a);
    ctx.item(item, 'read');
    return item;
  });
}
