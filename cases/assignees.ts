/**
 * The people a case or an alert may be assigned to, for the console's picker: enabled accounts
 * whose roles let them work it and whom the PDP lets read it (its departments, row filters,
 * isolation), the same judgement assignment itself makes (core/may-work.ts). The caller must be
 * able to read the item; the answer carries usernames and display names only, bounded.
 */
import { z } from 'zod';
import { defineAction } from '../core/door';
import { CitySocError } from '../core/errors';
import type { StoredItem } from '../core/door';
import type { Permission } from '../core/roles';
import type { CasesDeps } from './deps';
import { Id, parseInput } from './input';
import { alertItem, caseItems, requireCase, userMayWork } from './items';

const MAX_ID = 256;
const MAX_TEXT = 128;

const AssignableInput = z
  .strictObject({
    caseId: Id.optional(),
    alertId: Id.optional(),
    /** Case-insensitive substring of the username or display name. */
    text: z.string().trim().max(MAX_TEXT).optional(),
    size: z.number().int().min(1).max(50).default(20),
  })
  .refine((i) => (i.caseId === undefined) !== (i.alertId === undefined), 'name exactly one of caseId and alertId');
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
      const id = String(i.caseId ?? i.alertId);
      return `${i.caseId ? 'case' : 'alert'}:${id.length <= MAX_ID ? id : `(${id.length} characters)`}`;
    },
    details: (i) => (typeof i.text === 'string' && i.text ? (i.text.length <= MAX_TEXT ? { text: i.text } : { textLength: i.text.length }) : {}),
    run: async (ctx, raw: AssignableInput): Promise<AssignableUser[]> => {
      const i = parseInput(AssignableInput, raw, 'cases.assignable_users');
      let items: StoredItem[];
      let permission: Permission;
      if (i.caseId) {
        const c = await deps.cases.get(i.caseId);
        if (!c) throw new CitySocError('NOT_FOUND', `no case ${i.caseId}`);
        requireCase(ctx, c, 'read');
        items = caseItems(c);
        permission = 'cases:write';
      } else {
        const a = await deps.alerts.get(i.alertId!);
        if (!a) throw new CitySocError('NOT_FOUND', `no alert ${i.alertId}`);
        ctx.item(alertItem(a), 'read');
        items = [alertItem(a)];
        // someone who works alerts: assignment itself (alerts/service.ts) takes any reader, an
        // auditor included, but the picker offers only those who can act on the alert
        permission = 'alerts:write';
      }
      const text = i.text?.toLowerCase();
      const out: AssignableUser[] = [];
      let scanned = 0;
      for (const u of deps.directory?.() ?? []) {
        if (++scanned > MAX_SCANNED || out.length >= i.size) break;
        const displayName = u.displayName ?? null;
        if (text && !u.username.toLowerCase().includes(text) && !displayName?.toLowerCase().includes(text)) continue;
        if (userMayWork(deps.door.authorizer, { name: u.username, roles: u.roles, department: u.department ?? null }, permission, items, ctx.now) === null)
          out.push({ username: u.username, displayName });
      }
      ctx.note({ listed: out.length });
      return out;
    },
  });
  return { assignableUsers };
}
