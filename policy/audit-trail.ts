/**
 * The audit trail as an application service: auditors and data owners read it (data owners only
 * the records about their department, through the PDP's row filter) and check its chain.
 */
import { defineAction } from '../core/door';
import { CitySocError } from '../core/errors';
import type { AuditLog, AuditQuery } from '../core/ports/audit-log';
import { and } from '../core/query/ast';

export interface AuditQueryInput {
  readonly actor?: string | null;
  readonly action?: string | null;
  readonly resource?: string | null;
  readonly decision?: AuditQuery['decision'] | null;
  readonly from?: string | null;
  readonly to?: string | null;
  readonly size?: number | null;
  readonly afterSeq?: number | null;
}

export function auditTrailActions(audit: AuditLog) {
  return {
    query: defineAction({
      name: 'audit.query',
      permission: 'audit:read',
      details: (i: AuditQueryInput) => Object.fromEntries(Object.entries(i).filter(([, v]) => v !== null && v !== undefined)),
      run: async (ctx, i: AuditQueryInput) => {
        const q = Object.fromEntries(Object.entries(i).filter(([, v]) => v !== null && v !== undefined)) as AuditQuery;
        for (const t of [q.from, q.to])
          if (t !== undefined && Number.isNaN(Date.parse(t))) throw new CitySocError('INPUT_INVALID', `'${t}' is not an ISO 8601 time`);
        if (q.size !== undefined && (!Number.isInteger(q.size) || q.size < 1 || q.size > 10_000))
          throw new CitySocError('INPUT_INVALID', 'size must be 1..10000');
        const scope = ctx.scope('audit');
        return scope.treat(await audit.query({ ...q, ...(scope.filters.length ? { filter: and(...scope.filters) } : {}) }));
      },
    }),
    verify: defineAction({
      name: 'audit.verify',
      permission: 'audit:read',
      run: async (ctx) => {
        // The whole chain: only for those who may read all of it.
        ctx.require({ type: 'audit' });
        const v = await audit.verify();
        ctx.note({ ok: v.ok, checked: v.checked });
        return { ok: v.ok, checked: v.checked, firstBadSeq: v.firstBad?.seq ?? null, problem: v.firstBad?.problem ?? null };
      },
    }),
  };
}

export type AuditTrailActions = ReturnType<typeof auditTrailActions>;
