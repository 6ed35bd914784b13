import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import type { Alert, AlertStatus } from '../../core/alert';
import type { Aggregation, Interval, SearchRequest, SortKey } from '../../core/ports';
import { evaluate } from '../../core/query/evaluate';
import { and, type QueryNode } from '../../core/query/ast';
import type { Doc } from '../../core/doc';
import type { AuditQuery } from '../../core/ports/audit-log';
import { CitySocError } from '../../core/errors';
import type { Role } from '../../core/roles';
import { decisionAuditRecord } from '../../policy/audit/decision-audit';
import type { Decision, DecisionRequest } from '../../policy/decision';
import type { ResourceRef } from '../../policy/resource';
import type { Classification } from '../../core/event';
import { audit, type ApiContext, guarded, invalid } from './context';
import { policyResolvers } from './policy';

function literal(ast: ValueNode): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, literal(f.value)]));
    case Kind.LIST:
      return ast.values.map(literal);
    default:
      return null;
  }
}

const JSONScalar = new GraphQLScalarType({ name: 'JSON', serialize: (v) => v, parseValue: (v) => v, parseLiteral: literal });

function requestFor(ctx: ApiContext, resource: ResourceRef, action: string): DecisionRequest {
  const p = ctx.principal!;
  return {
    subject: { user: p.name, roles: p.roles, ...(p.department ? { department: p.department } : {}) },
    resource,
    action,
    // only called once decideFor() has checked the PDP is running
    context: { zone: ctx.policy!.zoneOf(ctx.sourceIp), ...(ctx.sourceIp ? { ip: ctx.sourceIp } : {}) },
  };
}

/** The PDP's answer for the caller on a resource; a search gets a row filter, a single item its own decision. */
function decideFor(ctx: ApiContext, resource: ResourceRef, action = 'read'): Decision {
  if (!ctx.policy) throw new GraphQLError('the policy decision point is not running', { extensions: { code: 'UNAVAILABLE' } });
  return ctx.policy.pdp.decide(requestFor(ctx, resource, action));
}

/** Notes an allow the call acts on, for its audit record: the reason, the grant used, the row filter applied. */
function noteAllow(ctx: ApiContext, resource: string, d: Decision): void {
  ctx.authz?.push({
    resource,
    reason: d.reason,
    ...(d.obligations.grantId ? { grantId: d.obligations.grantId } : {}),
    ...(d.obligations.rowFilter ? { rowFilter: d.obligations.rowFilter.query } : {}),
  });
}

/**
 * The decision on one stored item (an event, an alert): judged on its own department and
 * classification, and the caller's row filter must admit it as a search would (an item without
 * a department is judged by the filter alone). A refusal is audited with the item named, then thrown.
 */
async function itemDecision(ctx: ApiContext, item: { kind: string; id: string; doc: Doc; resource: ResourceRef }, action = 'read'): Promise<Decision> {
  let d = decideFor(ctx, item.resource, action);
  if (d.decision === 'allow' && d.obligations.rowFilter && !evaluate(d.obligations.rowFilter.node, item.doc))
    d = { ...d, decision: 'deny', reason: 'row-filter' };
  if (d.decision === 'allow') {
    noteAllow(ctx, `${item.kind}:${item.id}`, d);
    return d;
  }
  const p = ctx.principal!;
  await ctx.ports.audit.append({
    ...decisionAuditRecord(requestFor(ctx, item.resource, action), d, { name: p.name, type: p.kind, ...(ctx.sourceIp ? { sourceIp: ctx.sourceIp } : {}) }),
    resource: `${item.kind}:${item.id}`,
  });
  throw new GraphQLError(`no policy lets ${p.name} ${action} ${item.kind} ${item.id} (${d.reason})`, { extensions: { code: 'FORBIDDEN' } });
}

/** An alert as the PDP sees it: its department; alerts carry no classification. */
function alertItem(a: Alert) {
  return {
    kind: 'alert',
    id: a.id,
    doc: a as unknown as Doc,
    resource: { type: 'alerts', ...(a.department ? { department: a.department } : {}) } as ResourceRef,
  };
}

/**
 * One decision for a search: its row filter goes into the query and its field treatments onto
 * the results, so both come from the same answer; a refusal is thrown for the guard to audit.
 */
function searchDecision(ctx: ApiContext, type: ResourceRef['type'] = 'events'): { filters: QueryNode[]; treat: <T extends object>(docs: T[]) => T[] } {
  const d = decideFor(ctx, { type });
  if (d.decision === 'deny') throw new GraphQLError(`no policy lets ${ctx.principal!.name} read ${type} (${d.reason})`, { extensions: { code: 'FORBIDDEN' } });
  noteAllow(ctx, type, d);
  return {
    filters: d.obligations.rowFilter ? [d.obligations.rowFilter.node] : [],
    treat: (docs) => docs.map((doc) => ctx.policy!.pdp.treat(doc as Doc, d.obligations.fields) as typeof doc),
  };
}

function rangeOf(a: { from?: string; to?: string }): { from?: string; to?: string } {
  return { ...(a.from ? { from: a.from } : {}), ...(a.to ? { to: a.to } : {}) };
}

interface EventsArgs {
  query?: string;
  from?: string;
  to?: string;
  sort?: SortKey[];
  size?: number;
  offset?: number;
  after?: string;
}

function searchRequest(a: EventsArgs, filters: QueryNode[]): SearchRequest {
  return {
    ...(a.query !== undefined && a.query !== null ? { query: a.query } : {}),
    filters,
    range: rangeOf(a),
    ...(a.sort ? { sort: a.sort } : {}),
    size: a.size ?? 100,
    ...(a.offset !== undefined && a.offset !== null ? { offset: a.offset } : {}),
    ...(a.after ? { after: a.after } : {}),
  };
}

interface AggArgs {
  query?: string;
  from?: string;
  to?: string;
  aggs: { name: string; type: 'terms' | 'date_histogram' | 'cardinality'; field?: string; size?: number; interval?: string }[];
}

function toAggregation(a: AggArgs['aggs'][number]): Aggregation {
  if (a.type === 'date_histogram') {
    if (!a.interval) throw invalid(`aggregation ${a.name}: date_histogram needs an interval such as 1h`);
    return { type: 'date_histogram', interval: a.interval as Interval, ...(a.field ? { field: a.field } : {}) };
  }
  if (!a.field) throw invalid(`aggregation ${a.name}: ${a.type} needs a field`);
  return a.type === 'terms' ? { type: 'terms', field: a.field, ...(a.size ? { size: a.size } : {}) } : { type: 'cardinality', field: a.field };
}

export function createResolvers() {
  return {
    JSON: JSONScalar,
    Query: {
      ...policyResolvers.Query,
      me: guarded('auth.me', null, async (_a: object, ctx) => ({ ...ctx.principal! })),
      events: guarded(
        'events.search',
        'events:read',
        async (a: EventsArgs, ctx) => {
          const d = searchDecision(ctx);
          const r = await ctx.ports.events.search(searchRequest(a, d.filters));
          return { ...r, events: d.treat(r.events) };
        },
        (a) => ({ details: { query: a.query ?? '', from: a.from, to: a.to } }),
      ),
      event: guarded(
        'events.get',
        'events:read',
        async (a: { id: string }, ctx) => {
          const r = await ctx.ports.events.search({ filters: [{ type: 'keyword', field: 'event.id', value: a.id }], size: 1 });
          const ev = r.events[0];
          if (!ev) return null;
          const org = (ev.organization as { name?: string } | undefined)?.name;
          const cls = (ev.citysoc as { data?: { classification?: Classification } } | undefined)?.data?.classification;
          const resource: ResourceRef = { type: 'events', ...(org ? { department: org } : {}), ...(cls ? { classification: cls } : {}) };
          const d = await itemDecision(ctx, { kind: 'event', id: a.id, doc: ev, resource });
          return ctx.policy!.pdp.treat(ev, d.obligations.fields);
        },
        (a) => ({ resource: `event:${a.id}` }),
      ),
      eventAggregations: guarded(
        'events.aggregate',
        'events:read',
        async (a: AggArgs, ctx) => {
          if (a.aggs.length === 0 || a.aggs.length > 20) throw invalid('aggs: give 1 to 20 aggregations');
          const names = new Set(a.aggs.map((x) => x.name));
          if (names.size !== a.aggs.length) throw invalid('aggs: names must be unique');
          const r = await ctx.ports.events.aggregate({
            ...(a.query ? { query: a.query } : {}),
            filters: searchDecision(ctx).filters,
            range: rangeOf(a),
            aggs: Object.fromEntries(a.aggs.map((x) => [x.name, toAggregation(x)])),
          });
          return {
            total: r.total,
            aggs: Object.entries(r.aggs).map(([name, v]) => ({
              name,
              type: v.type,
              ...(v.type === 'cardinality' ? { value: v.value } : { buckets: v.buckets }),
            })),
          };
        },
        (a) => ({ details: { query: a.query ?? '', aggs: a.aggs.map((x) => x.name) } }),
      ),
      alerts: guarded('alerts.list', 'alerts:read', async (a: { status?: AlertStatus[]; size?: number; offset?: number }, ctx) => {
        if ((a.size ?? 50) < 1 || (a.size ?? 50) > 1000) throw invalid('size must be 1..1000');
        const d = searchDecision(ctx, 'alerts');
        const r = await ctx.ports.alerts.list({
          ...(a.status ? { status: a.status } : {}),
          size: a.size ?? 50,
          offset: a.offset ?? 0,
          ...(d.filters.length ? { filter: and(...d.filters) } : {}),
        });
        return { ...r, alerts: d.treat(r.alerts) };
      }),
      alert: guarded(
        'alerts.get',
        'alerts:read',
        async (a: { id: string }, ctx) => {
          const alert = await ctx.ports.alerts.get(a.id);
          if (!alert) return null;
          const d = await itemDecision(ctx, alertItem(alert));
          return ctx.policy!.pdp.treat(alert as unknown as Doc, d.obligations.fields) as unknown as Alert;
        },
        (a) => ({ resource: `alert:${a.id}` }),
      ),
      auditRecords: guarded(
        'audit.query',
        'audit:read',
        async (a: AuditQuery, ctx) => {
          const clean = Object.fromEntries(Object.entries(a).filter(([, v]) => v !== null && v !== undefined)) as AuditQuery;
          for (const t of [clean.from, clean.to]) if (t !== undefined && Number.isNaN(Date.parse(t))) throw invalid(`'${t}' is not an ISO 8601 time`);
          if (clean.size !== undefined && (clean.size < 1 || clean.size > 10_000)) throw invalid('size must be 1..10000');
          const d = searchDecision(ctx, 'audit');
          return d.treat(await ctx.ports.audit.query({ ...clean, ...(d.filters.length ? { filter: and(...d.filters) } : {}) }));
        },
        (a) => ({ details: Object.fromEntries(Object.entries(a).filter(([, v]) => v !== null && v !== undefined)) }),
      ),
      auditVerify: guarded('audit.verify', 'audit:read', async (_a: object, ctx) => {
        const v = await ctx.ports.audit.verify();
        return { ok: v.ok, checked: v.checked, firstBadSeq: v.firstBad?.seq ?? null, problem: v.firstBad?.problem ?? null };
      }),
      users: guarded('users.list', 'users:manage', async (_a: object, ctx) => ctx.identity.listUsers()),
      apiTokens: guarded('tokens.list', 'tokens:manage', async (_a: object, ctx) => ctx.identity.listApiTokens()),
    },
    Mutation: {
      ...policyResolvers.Mutation,
      login: async (_p: unknown, a: { username: string; password: string }, ctx: ApiContext) => {
        if (a.username.length > 64 || a.password.length > 256)
          throw new GraphQLError('user name or password too long', { extensions: { code: 'INPUT_INVALID' } });
        const r = await ctx.identity.login(a.username, a.password, ctx.sourceIp);
        if (!r.ok) {
          await audit(ctx, { actor: a.username, action: 'auth.login', decision: 'failure', reason: r.reason, resource: `user:${a.username}` });
          const message = r.reason === 'locked' ? 'too many failed sign-ins: the account is locked for a while' : 'wrong user name or password';
          throw new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED' } });
        }
        await audit(
          { ...ctx, principal: r.principal },
          { action: 'auth.login', decision: 'success', reason: 'password verified', resource: `user:${a.username}` },
        );
        return { token: r.token, expiresAt: r.expiresAt, mustChangePassword: r.principal.mustChangePassword, me: r.principal };
      },
      logout: guarded('auth.logout', null, async (_a: object, ctx) => (ctx.token ? ctx.identity.logout(ctx.token) : false)),
      changePassword: guarded('auth.change_password', null, async (a: { current: string; next: string }, ctx) => {
        if (ctx.principal!.kind !== 'user') throw invalid('API tokens have no password');
        await ctx.identity.changePassword(ctx.principal!.name, a.current, a.next);
        await ctx.identity.revokeSessions(ctx.principal!.name);
        return true;
      }),
      createUser: guarded(
        'users.create',
        'users:manage',
        async (a: { username: string; roles: Role[]; department?: string }, ctx) => {
          const { password } = await ctx.identity.createUser(a.username, a.roles, a.department ?? null);
          const user = ctx.identity.listUsers().find((u) => u.username === a.username)!;
          return { user, oneTimePassword: password };
        },
        (a) => ({ resource: `user:${a.username}`, details: { roles: a.roles, department: a.department } }),
      ),
      createApiToken: guarded(
        'tokens.create',
        'tokens:manage',
        async (a: { name: string; roles: Role[] }, ctx) => ctx.identity.issueApiToken(a.name, a.roles, ctx.principal!.name),
        (a) => ({ resource: `token:${a.name}`, details: { roles: a.roles } }),
      ),
      revokeApiToken: guarded(
        'tokens.revoke',
        'tokens:manage',
        async (a: { id: string }, ctx) => ctx.identity.revokeApiToken(a.id),
        (a) => ({ resource: `token:${a.id}` }),
      ),
      transitionAlert: guarded(
        'alerts.transition',
        'alerts:write',
        async (a: { id: string; to: AlertStatus; comment?: string; resolution?: Alert['resolution']; assignee?: string }, ctx) => {
          const alert = await ctx.ports.alerts.get(a.id);
          if (!alert) throw new CitySocError('NOT_FOUND', `alert ${a.id} does not exist`);
          await itemDecision(ctx, alertItem(alert), 'write');
          return ctx.ports.alerts.transition(a.id, a.to, ctx.principal!.name, {
            ...(a.comment ? { comment: a.comment } : {}),
            ...(a.resolution ? { resolution: a.resolution } : {}),
            ...(a.assignee ? { assignee: a.assignee } : {}),
          });
        },
        (a) => ({ resource: `alert:${a.id}`, details: { to: a.to } }),
      ),
    },
  };
}
