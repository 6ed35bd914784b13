/**
 * The PlaybookHost over the platform's application services: isolation and release are the policy
 * module's own door actions, alerts the alerts module's, event search the events module's, so a
 * playbook's action is audited under the same name as a person's. What no module serves yet has
 * a small door action here, each audited once: blocking a source (kept in the StateStore; the
 * platform's server refuses every request from it until it expires; not a PDP deny line, since a
 * deny whose ip= condition is unknown applies to every call without an address, the playbooks' own
 * included), and enrichment from the identity store and the alert store. Cases are the cases
 * module's: a playbook opens and adds to the same cases analysts work in the console, through the
 * same door actions.
 */
import { createHash } from 'node:crypto';
import type { Actor } from '../core/actor';
import type { Alert, AlertEntity } from '../core/alert';
import { OBSERVABLE_TYPES, type ObservableType } from '../core/case';
import { type Bound, defineAction, type Door } from '../core/door';
import { CitySocError } from '../core/errors';
import type { AlertStore } from '../core/ports/alert-store';
import type { AuditLog } from '../core/ports/audit-log';
import { and } from '../core/query/ast';
import { cidrContains, parseCidr } from '../core/query/ip';
import type { StateStore } from '../core/ports/state-store';
import type { AlertActions } from '../alerts/service';
import type { CasesServices } from '../cases/service';
import type { EventActions } from '../events/service';
import type { IdentityStore } from '../identity/store';
import type { PolicyActions } from '../policy/actions';
import type { PolicyServices } from '../policy/services';
import type { Enrichment, PlaybookHost } from './host';

export interface PlatformHostDeps {
  readonly door: Door;
  readonly state: StateStore;
  readonly audit: AuditLog;
  readonly alertStore: AlertStore;
  readonly identity: IdentityStore;
  readonly policyServices: PolicyServices;
  readonly policy: Bound<PolicyActions>;
  readonly alerts: Bound<AlertActions>;
  readonly events?: Bound<EventActions>;
  readonly cases: CasesServices['cases'];
  readonly clock: () => Date;
}

const BLOCKS = 'playbook-source-blocks';
/** Alerts looked through for an entity's recent alerts: the newest ones only (bounded cost). */
const RECENT_WINDOW = 500;
const RECENT_PER_ENTITY = 10;

interface BlockDoc {
  readonly id: string;
  readonly cidr: string;
  readonly until: string;
  readonly by: string;
}

const isObservableType = (t: string): t is ObservableType => (OBSERVABLE_TYPES as readonly string[]).includes(t);
const shortHash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);
const isNotFound = (e: unknown) => e instanceof CitySocError && e.code === 'NOT_FOUND';

export interface PlatformHost extends PlaybookHost {
  /** Re-reads the blocks (placed on any replica) and lifts those whose time is up; returns how many were lifted. */
  expireBlocks(now: Date): Promise<number>;
  /** Whether requests from this address are refused now. */
  sourceBlocked(ip: string | undefined, now: Date): boolean;
}

export function platformHost(d: PlatformHostDeps): PlatformHost {
  const blocks = new Map<string, BlockDoc>();
  const actions = {
    block: defineAction({
      name: 'sources.block',
      permission: 'sources:block',
      resource: (i: { cidr: string }) => `source:${i.cidr}`,
      details: (i: { cidr: string; reason: string; until: string }) => ({ reason: i.reason, until: i.until }),
      run: async (ctx, i: { cidr: string; reason: string; until: string }) => {
        if (Number.isNaN(Date.parse(i.until))) throw new CitySocError('INPUT_INVALID', `until '${i.until}' is not an ISO 8601 date`);
        if (!parseCidr(i.cidr)) throw new CitySocError('INPUT_INVALID', `'${i.cidr.slice(0, 100)}' is not a CIDR block`);
        const id = `block-${shortHash(i.cidr)}`;
        const existing = (await d.state.get(BLOCKS, id)) as BlockDoc | null;
        // A later block of the same source keeps the later end.
        const until = existing && Date.parse(existing.until) > Date.parse(i.until) ? existing.until : i.until;
        const doc: BlockDoc = { id, cidr: i.cidr, until, by: ctx.actor.name };
        await d.state.put(BLOCKS, id, doc as unknown as Record<string, unknown>);
        blocks.set(id, doc);
        ctx.note({ blockId: id });
        return { blockId: id, until };
      },
    }),
    enrich: defineAction({
      name: 'entities.enrich',
      permission: 'entities:read',
      details: (i: { entities: readonly AlertEntity[] }) => ({ entities: i.entities.length }),
      run: async (ctx, i: { entities: readonly AlertEntity[] }): Promise<Enrichment> => {
        const users = i.entities
          .filter((e) => e.type === 'user')
          .map((e) => {
            const u = d.identity.user(e.value);
            return {
              name: e.value,
              ...(u?.department ? { department: u.department } : {}),
              privileged: u?.roles.includes('admin') ?? false,
            };
          });
        const datasets = i.entities.filter((e) => e.type === 'dataset').map((e) => ({ id: e.value }));
        // Recent alerts through the caller's own scope: what it may not read it does not learn.
        const scope = ctx.scope('alerts');
        const { alerts } = await d.alertStore.list({ size: RECENT_WINDOW, offset: 0, ...(scope.filters.length ? { filter: and(...scope.filters) } : {}) });
        const visible: Alert[] = scope.treat(alerts);
        const wanted = new Set(i.entities.map((e) => `${e.type}\u0000${e.value}`));
        const recentAlerts = visible
          .filter((a) => a.entities.some((e) => wanted.has(`${e.type}\u0000${e.value}`)))
          .slice(0, RECENT_PER_ENTITY * Math.max(1, i.entities.length))
          .map((a) => ({ id: a.id, ruleName: a.rule.name, severity: a.rule.severity, lastSeen: a.lastSeen }));
        const risk = i.entities.map((e) => ({
          entity: e.value,
          score: Math.max(0, ...visible.filter((a) => a.entities.some((x) => x.type === e.type && x.value === e.value)).map((a) => a.risk)),
        }));
        return { users, hosts: [], datasets, recentAlerts, risk };
      },
    }),
  };

  /**
   * A step's case carries a tag derived from its idempotency key (run, node, item): a step retried or
   * replayed finds the case it opened instead of opening another.
   */
  const openCase: PlaybookHost['openCase'] = async (actor, i) => {
    const tag = `playbook-step:${shortHash(i.idempotencyKey)}`;
    const found = await d.cases.list(actor, { tag, size: 1 });
    if (found.cases[0]) return { caseId: found.cases[0].id };
    const c = await d.cases.create(actor, {
      title: i.title,
      description: i.description,
      severity: i.severity,
      ...(i.department ? { departments: [i.department] } : {}),
      tags: [tag],
      alertIds: [...i.alertIds],
    });
    await addObservables(actor, c.id, i.observables, c.observables);
    return { caseId: c.id };
  };

  /** Observables a case does not hold yet (linked alerts bring their entities); entity kinds a case does not keep are left out. */
  const addObservables = async (actor: Actor, caseId: string, wanted: readonly AlertEntity[], held: readonly { type: string; value: string }[]) => {
    const have = new Set(held.map((o) => `${o.type}\u0000${o.value}`));
    for (const o of wanted) {
      if (!isObservableType(o.type) || have.has(`${o.type}\u0000${o.value}`)) continue;
      const c = await d.cases.update(actor, { id: caseId, change: { kind: 'add_observable', type: o.type, value: o.value } });
      for (const x of c.observables) have.add(`${x.type}\u0000${x.value}`);
    }
  };

  const addToCase: PlaybookHost['addToCase'] = async (actor, i) => {
    let c = await d.cases.get(actor, { id: i.caseId });
    if (i.alertIds?.length) {
      const fresh = i.alertIds.filter((id) => !c.alertIds.includes(id));
      if (fresh.length) c = await d.cases.linkAlerts(actor, { id: c.id, alertIds: fresh });
    }
    if (i.observables?.length) await addObservables(actor, c.id, i.observables, c.observables);
    if (i.comment) await d.cases.update(actor, { id: c.id, change: { kind: 'comment', text: i.comment } });
    return { caseId: c.id };
  };

  const updateAlert = async (actor: Actor, i: Parameters<PlaybookHost['updateAlert']>[1]) => {
    if (i.status === undefined && i.assignee === undefined) {
      if (!i.comment) throw new CitySocError('INPUT_INVALID', 'update alert: give a status, an assignee or a comment');
      const a = await d.alerts.comment(actor, { id: i.alertId, comment: i.comment });
      return { alertId: a.id, status: a.status };
    }
    const to = i.status ?? (await d.alerts.get(actor, { id: i.alertId })).status;
    const a = await d.alerts.transition(actor, {
      id: i.alertId,
      to,
      ...(i.comment ? { comment: i.comment } : {}),
      ...(i.assignee ? { assignee: i.assignee } : {}),
    });
    return { alertId: a.id, status: a.status };
  };

  return {
    getAlert: (actor, alertId) => d.alerts.get(actor, { id: alertId }).catch((e: unknown) => (isNotFound(e) ? null : Promise.reject(e))),
    async isolateAccount(actor, i) {
      const iso = await d.policy.isolate(actor, { user: i.user, reason: i.reason, ...(i.until ? { until: i.until } : {}) });
      return { isolationId: iso.id, ...(iso.until ? { until: iso.until } : {}) };
    },
    async releaseAccount(actor, i) {
      return { released: await d.policy.release(actor, { user: i.user, reason: i.reason }) };
    },
    blockSource: (actor, i) => d.door.perform(actor, actions.block, i),
    enrich: (actor, i) => d.door.perform(actor, actions.enrich, i),
    async searchEvents(actor, i) {
      if (!d.events) throw new CitySocError('NOT_IMPLEMENTED', 'event search is not served by this platform (the events module is not started)');
      const r = await d.events.search(actor, { query: i.query, size: i.size, ...(i.from ? { from: i.from } : {}), ...(i.to ? { to: i.to } : {}) });
      return { total: r.total, events: r.events as Record<string, unknown>[] };
    },
    updateAlert,
    openCase,
    addToCase,
    async expireBlocks(now) {
      let lifted = 0;
      const current = new Map<string, BlockDoc>();
      for (const { id, doc } of await d.state.all(BLOCKS)) {
        const b = doc as unknown as BlockDoc;
        if (Date.parse(b.until) > now.getTime()) {
          current.set(id, b);
          continue;
        }
        await d.state.remove(BLOCKS, id);
        await d.audit.append({
          actor: 'system',
          actorType: 'system',
          action: 'sources.unblock',
          resource: `source:${b.cidr}`,
          decision: 'success',
          reason: `the block placed by ${b.by} expired at ${b.until}`,
        });
        lifted++;
      }
      blocks.clear();
      for (const [id, b] of current) blocks.set(id, b);
      return lifted;
    },
    sourceBlocked(ip, now) {
      if (!ip) return false;
      const addr = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
      for (const b of blocks.values()) if (Date.parse(b.until) > now.getTime() && cidrContains(b.cidr, addr)) return true;
      return false;
    },
  };
}
