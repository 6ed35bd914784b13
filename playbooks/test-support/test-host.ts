/**
 * A PlaybookHost for tests, made of real CitySOC pieces where they exist: the policy services
 * (isolation and policy lines in the real PDP), a SQLite audit trail written through the real
 * Door, the SQLite alert store. Cases, the identity directory and events are small in-memory
 * stand-ins (their services are being built elsewhere); every call is still a door action, so
 * the audit trail shows each step as it will in the platform.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { SqliteAlertStore } from '../../adapters/sqlite/alert-store';
import { SqliteAuditLog } from '../../adapters/sqlite/audit-log';
import { SqliteStateStore } from '../../adapters/sqlite/state-store';
import type { Alert, AlertEntity } from '../../core/alert';
import { bind, defineAction, Door } from '../../core/door';
import { policyActions } from '../../policy/actions';
import { cidrContains } from '../../core/query/ip';
import { CitySocError } from '../../core/errors';
import type { Bus } from '../../core/ports/bus';
import { openPolicyServices, type PolicyServices } from '../../policy/services';
import type { Enrichment, PlaybookHost, RiskChange, UserProfile, DatasetProfile } from '../host';

export interface TestCase {
  readonly id: string;
  readonly title: string;
  readonly severity: string;
  readonly department?: string;
  readonly alertIds: string[];
  readonly observables: AlertEntity[];
  readonly comments: string[];
  readonly openedBy: string;
  readonly person: string;
}

export interface TestHost {
  readonly host: PlaybookHost;
  readonly door: Door;
  readonly audit: SqliteAuditLog;
  readonly policy: PolicyServices;
  readonly alerts: SqliteAlertStore;
  readonly state: SqliteStateStore;
  readonly cases: Map<string, TestCase>;
  readonly blocks: Map<string, { cidr: string; until: string }>;
  /** Users and datasets the enrich call knows. */
  readonly directory: { users: Map<string, UserProfile>; datasets: Map<string, DatasetProfile> };
  readonly events: Record<string, unknown>[];
  /** Every host call, in order: "isolate:U", "case:open:..." */
  readonly calls: string[];
  /** Makes the next n calls of a kind fail with a transient error. */
  failNext(kind: string, n: number): void;
  emitRisk(c: RiskChange): void;
  /** Whether the platform's edge would refuse a request from this address now (as platform-host.ts). */
  sourceBlocked(ip: string): boolean;
  close(): Promise<void>;
}

export async function openTestHost(dir: string, opts: { bus?: Bus } = {}): Promise<TestHost> {
  mkdirSync(dir, { recursive: true });
  const audit = new SqliteAuditLog(path.join(dir, 'audit.db'));
  const state = new SqliteStateStore(path.join(dir, 'state.db'));
  const policy = await openPolicyServices({
    dataDir: dir,
    audit,
    state,
    ...(opts.bus ? { bus: opts.bus } : {}),
    revoker: { revokeAll: () => ({ sessions: 0, tokens: 0 }) },
  });
  const door = new Door({ authorizer: policy.authorizer, audit });
  const alerts = new SqliteAlertStore(path.join(dir, 'alerts.db'));
  const cases = new Map<string, TestCase>();
  const byKey = new Map<string, string>();
  const blocks = new Map<string, { cidr: string; until: string }>();
  const directory = { users: new Map<string, UserProfile>(), datasets: new Map<string, DatasetProfile>() };
  const events: Record<string, unknown>[] = [];
  const calls: string[] = [];
  const failures = new Map<string, number>();
  const riskListeners = new Set<(c: RiskChange) => void>();
  const maybeFail = (kind: string) => {
    const n = failures.get(kind) ?? 0;
    if (n > 0) {
      failures.set(kind, n - 1);
      throw new CitySocError('UNAVAILABLE', `${kind} is unavailable (test)`);
    }
  };

  // Isolation and release are the policy module's own door actions, as in the platform.
  const accounts = bind(
    door,
    policyActions({
      policy,
      resolveDepartment: (d) => d,
      account: (user) => (directory.users.has(user) ? { roles: [], department: directory.users.get(user)!.department ?? null } : null),
    }),
  );
  const actions = {
    getAlert: defineAction({
      name: 'alerts.get',
      permission: 'alerts:read',
      resource: (i: { id: string }) => `alert:${i.id}`,
      run: async (ctx, i: { id: string }) => {
        const a = await alerts.get(i.id);
        if (!a) throw new CitySocError('NOT_FOUND', `no alert ${i.id}`);
        ctx.item({ kind: 'alert', id: a.id, doc: a as never, resource: { type: 'alerts', ...(a.department ? { department: a.department } : {}) } });
        return a;
      },
    }),
    block: defineAction({
      name: 'sources.block',
      permission: 'sources:block',
      resource: (i: { cidr: string }) => `source:${i.cidr}`,
      run: async (_ctx, i: { cidr: string; reason: string; until: string }) => {
        calls.push(`block:${i.cidr}`);
        maybeFail('block');
        const id = `block-${createHash('sha256').update(i.cidr).digest('hex').slice(0, 12)}`;
        blocks.set(id, { cidr: i.cidr, until: i.until });
        return { blockId: id, until: i.until };
      },
    }),
    enrich: defineAction({
      name: 'entities.enrich',
      permission: 'entities:read',
      run: async (_ctx, i: { entities: readonly AlertEntity[] }): Promise<Enrichment> => {
        calls.push(`enrich:${i.entities.map((e) => e.value).join(',')}`);
        maybeFail('enrich');
        const users = i.entities.filter((e) => e.type === 'user').map((e) => directory.users.get(e.value) ?? { name: e.value, privileged: false });
        const datasets = i.entities.filter((e) => e.type === 'dataset').map((e) => directory.datasets.get(e.value) ?? { id: e.value });
        return { users, hosts: [], datasets, recentAlerts: [], risk: [] };
      },
    }),
    search: defineAction({
      name: 'events.search',
      permission: 'events:read',
      run: async (_ctx, i: { query: string; size: number }) => {
        calls.push(`search:${i.query}`);
        const [field, value] = i.query.split(':') as [string, string];
        const hits = events.filter((e) => String((e as Record<string, unknown>)[field]) === value);
        return { total: hits.length, events: hits.slice(0, i.size) };
      },
    }),
    updateAlert: defineAction({
      name: 'alerts.update',
      permission: 'alerts:write',
      resource: (i: { alertId: string }) => `alert:${i.alertId}`,
      run: async (ctx, i: { alertId: string; status?: Alert['status']; assignee?: string; comment?: string }) => {
        calls.push(`alert:${i.alertId}:${i.status ?? ''}`);
        maybeFail('updateAlert');
        const cur = await alerts.get(i.alertId);
        if (!cur) throw new CitySocError('NOT_FOUND', `no alert ${i.alertId}`);
        const a = await alerts.transition(i.alertId, i.status ?? cur.status, ctx.actor.name, {
          ...(i.comment ? { comment: i.comment } : {}),
          ...(i.assignee ? { assignee: i.assignee } : {}),
        });
        return { alertId: a.id, status: a.status };
      },
    }),
    openCase: defineAction({
      name: 'cases.create',
      permission: 'cases:write',
      run: async (ctx, i: Parameters<PlaybookHost['openCase']>[1]) => {
        calls.push(`case:open:${i.title}`);
        maybeFail('openCase');
        const existing = byKey.get(i.idempotencyKey);
        if (existing) return { caseId: existing };
        const id = `CASE-TEST-${String(cases.size + 1).padStart(5, '0')}`;
        cases.set(id, {
          id,
          title: i.title,
          severity: i.severity,
          ...(i.department ? { department: i.department } : {}),
          alertIds: [...i.alertIds],
          observables: [...i.observables],
          comments: [],
          openedBy: ctx.actor.name,
          person: ctx.actor.person,
        });
        byKey.set(i.idempotencyKey, id);
        ctx.setResource(`case:${id}`);
        return { caseId: id };
      },
    }),
    addToCase: defineAction({
      name: 'cases.update',
      permission: 'cases:write',
      resource: (i: { caseId: string }) => `case:${i.caseId}`,
      run: async (_ctx, i: Parameters<PlaybookHost['addToCase']>[1]) => {
        calls.push(`case:add:${i.caseId}`);
        const c = cases.get(i.caseId);
        if (!c) throw new CitySocError('NOT_FOUND', `no case ${i.caseId}`);
        c.alertIds.push(...(i.alertIds ?? []).filter((x) => !c.alertIds.includes(x)));
        if (i.comment) c.comments.push(i.comment);
        return { caseId: c.id };
      },
    }),
  };

  const host: PlaybookHost = {
    getAlert: (actor, id) =>
      door.perform(actor, actions.getAlert, { id }).catch((e: unknown) => (e instanceof CitySocError && e.code === 'NOT_FOUND' ? null : Promise.reject(e))),
    async isolateAccount(actor, i) {
      calls.push(`isolate:${i.user}`);
      maybeFail('isolate');
      const iso = await accounts.isolate(actor, i);
      return { isolationId: iso.id, ...(iso.until ? { until: iso.until } : {}) };
    },
    async releaseAccount(actor, i) {
      calls.push(`release:${i.user}`);
      return { released: await accounts.release(actor, i) };
    },
    blockSource: (actor, i) => door.perform(actor, actions.block, i),
    enrich: (actor, i) => door.perform(actor, actions.enrich, i),
    searchEvents: (actor, i) => door.perform(actor, actions.search, i),
    updateAlert: (actor, i) => door.perform(actor, actions.updateAlert, i),
    openCase: (actor, i) => door.perform(actor, actions.openCase, i),
    addToCase: (actor, i) => door.perform(actor, actions.addToCase, i),
    watchRisk: (l) => {
      riskListeners.add(l);
      return () => riskListeners.delete(l);
    },
  };

  return {
    host,
    door,
    audit,
    policy,
    alerts,
    state,
    cases,
    blocks,
    directory,
    events,
    calls,
    failNext: (kind, n) => void failures.set(kind, n),
    emitRisk: (c) => riskListeners.forEach((l) => l(c)),
    sourceBlocked: (ip) => [...blocks.values()].some((b) => Date.parse(b.until) > Date.now() && cidrContains(b.cidr, ip)),
    async close() {
      await policy.close();
      await alerts.close();
      await audit.close();
      await state.close();
    },
  };
}

/** An alert as the alert writer publishes it on citysoc.alerts. */
export function testAlert(over: Partial<Omit<Alert, 'rule'>> & { rule?: Partial<Alert['rule']> } = {}): Alert {
  const now = new Date().toISOString();
  const { rule, ...rest } = over;
  return {
    id: 'alert-1',
    dedupKey: 'k-1',
    rule: { id: 'rule-1', name: 'Test rule', type: 'sigma', severity: 'high', tags: [], ...rule },
    entities: [],
    eventIds: [],
    firstSeen: now,
    lastSeen: now,
    count: 1,
    risk: 50,
    status: 'open',
    history: [],
    ...rest,
  };
}
