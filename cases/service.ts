/**
 * The cases application services: every action bound to the door, so GraphQL resolvers, HTTP
 * routes, CLI verbs and playbook nodes call the same thing with an actor. A bulk move is one
 * door call per alert: each alert gets its own authorization and its own audit record.
 */
import type { Actor } from '../core/actor';
import { bind, type CallInfo } from '../core/door';
import type { Alert } from '../core/alert';
import { assigneeActions } from './assignees';
import { caseActions } from './case-actions';
import type { CasesDeps } from './deps';
import { evidenceActions } from './evidence';
import { parseInput } from './input';
import { kpiActions } from './kpis';
import { mergeActions } from './merge';
import { alertActions } from '../alerts/service';
import { isSuppressed } from '../alerts/suppressions';
import { BulkMoveInput, refusalMessage, triageActions } from './triage';
import type { z } from 'zod';

export interface BulkMoveResult {
  readonly id: string;
  readonly ok: boolean;
  readonly alert?: Alert;
  readonly error?: { readonly code: string; readonly message: string };
}

/** Errors about one alert; any other stops a bulk move. */
const PER_ALERT = new Set(['NOT_FOUND', 'CONFLICT', 'INPUT_INVALID']);

export function casesActionSet(deps: CasesDeps) {
  return {
    // the one alert service (alerts/service.ts) and the triage built on it
    triage: {
      ...alertActions({ store: deps.alerts, authorizer: deps.door.authorizer, users: deps.users, state: deps.state }),
      ...triageActions(deps),
    },
    cases: { ...caseActions(deps), ...mergeActions(deps), ...kpiActions(deps), ...evidenceActions(deps), ...assigneeActions(deps) },
  };
}

export function createCasesServices(deps: CasesDeps) {
  const actions = casesActionSet(deps);
  const alerts = bind(deps.door, actions.triage);
  const cases = bind(deps.door, actions.cases);
  return {
    alerts: {
      ...alerts,
      /** Moves each alert in its own door call; one alert refused does not stop the others. */
      async bulkTransition(actor: Actor | null, raw: z.input<typeof BulkMoveInput>, info?: CallInfo): Promise<BulkMoveResult[]> {
        const i = parseInput(BulkMoveInput, raw, 'alerts.bulk_transition');
        const out: BulkMoveResult[] = [];
        for (const id of [...new Set(i.ids)]) {
          try {
            const alert = await alerts.transition(
              actor,
              { id, to: i.to, ...(i.resolution ? { resolution: i.resolution } : {}), ...(i.comment ? { comment: i.comment } : {}) },
              info,
            );
            out.push({ id, ok: true, alert });
          } catch (e) {
            // refusals of the caller (signed out, no permission, isolated, throttled) hold for every alert: stop at the first
            const r = refusalMessage(e);
            if (!PER_ALERT.has(r.code)) throw e;
            out.push({ id, ok: false, error: r });
          }
        }
        return out;
      },
      /** For the alert writer and playbook triggers: is this alert key suppressed now? */
      isSuppressed: (dedupKey: string, now: Date) => isSuppressed(deps.state, dedupKey, now),
    },
    cases,
  };
}

export type CasesServices = ReturnType<typeof createCasesServices>;
