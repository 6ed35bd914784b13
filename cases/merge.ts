/**
 * Merging cases (同一事件进行工单合并) and finding what to merge: a new alert, or a case, that
 * shares an entity with an open case updated within the window. Only cases the caller may see
 * are suggested; a merge needs write access to both cases and to the departments of the result.
 */
import { z } from 'zod';
import { absorbCase, type Case, markMerged, type ObservableType } from '../core/case';
import { CitySocError } from '../core/errors';
import { defineAction } from '../core/door';
import { and } from '../core/query/ast';
import { caseHash, type CaseView, shownCase, viewOf } from './case-actions';
import type { CasesDeps } from './deps';
import { Id, parseInput } from './input';
import { alertItem, requireCase } from './items';

export interface MergeSuggestion {
  readonly case: CaseView;
  /** The entities it shares (`ip:10.1.1.1`). */
  readonly shared: string[];
}

const ENTITY_TYPES: Readonly<Record<string, ObservableType>> = { ip: 'ip', user: 'user', host: 'host', dataset: 'dataset', hash: 'hash' };

export function mergeActions(deps: CasesDeps) {
  const windowMs = deps.config.mergeWindowHours * 3_600_000;

  const merge = defineAction({
    name: 'cases.merge',
    permission: 'cases:write',
    resource: (i: { survivorId: string; mergedId: string }) => `case:${i.survivorId}`,
    details: (i) => ({ cases: [i.survivorId, i.mergedId] }),
    run: async (ctx, raw: { survivorId: string; mergedId: string }) => {
      const i = parseInput(z.strictObject({ survivorId: Id, mergedId: Id }), raw, 'cases.merge');
      const by = { actor: ctx.actor.name, at: ctx.now };
      const { survivor, merged } = await deps.cases.merge(i.survivorId, i.mergedId, {
        mark: (m) => {
          requireCase(ctx, m, 'write');
          return markMerged(m, i.survivorId, by);
        },
        absorb: (s, m) => {
          requireCase(ctx, s, 'write');
          const out = absorbCase(s, m, by);
          if (out.departments.length !== s.departments.length) requireCase(ctx, out, 'write');
          return out;
        },
      });
      ctx.note({ caseVersion: survivor.version, caseHash: caseHash(survivor), mergedVersion: merged.version, mergedHash: caseHash(merged) });
      return { survivor: shownCase(deps, ctx, survivor), merged: shownCase(deps, ctx, merged) };
    },
  });

  /** Open cases the caller may see, updated within the window, holding any of these entities. */
  const candidates = async (
    ctx: Parameters<(typeof merge)['run']>[0],
    entities: readonly { type: string; value: string }[],
    exclude: string[],
  ): Promise<MergeSuggestion[]> => {
    const observables = entities.flatMap((e) => (ENTITY_TYPES[e.type] ? [{ type: ENTITY_TYPES[e.type]!, value: e.value }] : [])).slice(0, 1000);
    if (observables.length === 0) return [];
    const scope = ctx.scope('cases');
    const page = await deps.cases.list({
      status: ['open', 'in_progress'],
      observables,
      updated: { from: new Date(ctx.now.getTime() - windowMs).toISOString() },
      ...(exclude.length ? { excludeIds: exclude } : {}),
      ...(scope.filters.length ? { visibleTo: and(...scope.filters) } : {}),
      sort: { field: 'updatedAt', order: 'desc' },
      size: 20,
    });
    const keys = new Set(observables.map((o) => `${o.type}:${o.value}`));
    return scope
      .treat(page.cases)
      .map((c: Case) => ({ case: viewOf(c, ctx.now), shared: c.observables.filter((o) => keys.has(o.entity)).map((o) => o.entity) }));
  };

  const suggestForAlert = defineAction({
    name: 'cases.suggest_for_alert',
    permission: 'cases:read',
    resource: (i: { alertId: string }) => `alert:${i.alertId}`,
    run: async (ctx, raw: { alertId: string }) => {
      const { alertId } = parseInput(z.strictObject({ alertId: Id }), raw, 'cases.suggest_for_alert');
      const alert = await deps.alerts.get(alertId);
      if (!alert) throw new CitySocError('NOT_FOUND', `no alert ${alertId}`);
      ctx.item(alertItem(alert), 'read');
      const linked = (await deps.cases.list({ alertId, size: 100 })).cases.map((c) => c.id);
      return candidates(ctx, alert.entities, linked);
    },
  });

  const suggestForCase = defineAction({
    name: 'cases.suggest_merges',
    permission: 'cases:read',
    resource: (i: { id: string }) => `case:${i.id}`,
    run: async (ctx, raw: { id: string }) => {
      const { id } = parseInput(z.strictObject({ id: Id }), raw, 'cases.suggest_merges');
      const c = await deps.cases.get(id);
      if (!c) throw new CitySocError('NOT_FOUND', `no case ${id}`);
      requireCase(ctx, c, 'read');
      return candidates(ctx, c.observables, [c.id]);
    },
  });

  return { merge, suggestForAlert, suggestForCase };
}
