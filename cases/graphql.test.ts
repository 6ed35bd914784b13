import { graphql, type GraphQLSchema, Kind, parse } from 'graphql';
import { createSchema } from 'graphql-yoga';
import { sampleAlert } from '../core/contracts/alert-store.contract';
import type { RequestContext } from '../core/module';
import { alertGraphQL } from '../alerts/graphql';
import { alertActions } from '../alerts/service';
import { bind } from '../core/door';
import { casesGraphQL, casesTypeDefs } from './graphql';
import { casesFixture, type CasesFixture } from './test-support';

/** What the server's base and the events module define that these contributions use. */
const BASE = /* GraphQL */ `
  scalar JSON
  enum SortOrder {
    asc
    desc
  }
  type Query
  type Mutation
`;

let f: CasesFixture;
let schema: GraphQLSchema;
beforeEach(async () => {
  f = await casesFixture();
  await f.alerts.upsert(sampleAlert('cg-1', { dedupKey: 'k1' }), 0);
  await f.alerts.upsert(sampleAlert('ga-1', { dedupKey: 'k2', department: '公安' }), 0);
  // the schema as the server composes it: the base, the alerts module's contribution, then this one
  const alerts = alertGraphQL(bind(f.door, alertActions({ store: f.alerts, authorizer: f.door.authorizer, users: f.deps.users, state: f.deps.state })));
  const cases = casesGraphQL(f.services);
  schema = createSchema({ typeDefs: [BASE, alerts.typeDefs, cases.typeDefs], resolvers: [alerts.resolvers as never, cases.resolvers as never] });
});
afterEach(() => f.close());

const run = async (who: string | null, source: string, variableValues: Record<string, unknown> = {}) => {
  const contextValue: RequestContext = { actor: who ? f.actor(who) : null, token: null, sourceIp: '10.0.0.9' };
  const r = await graphql({ schema, source, contextValue, variableValues });
  return { data: r.data as Record<string, never>, errors: r.errors?.map((e) => `${(e.originalError as { code?: string })?.code ?? ''}: ${e.message}`) };
};

describe('the cases GraphQL contribution', () => {
  it('describes every type, field and root field it adds', () => {
    const missing: string[] = [];
    for (const d of parse(casesTypeDefs).definitions) {
      if (!('name' in d) || !d.name) continue;
      const extension = d.kind === Kind.OBJECT_TYPE_EXTENSION;
      if (!extension && !('description' in d && d.description)) missing.push(d.name.value);
      if ('fields' in d) for (const fd of d.fields ?? []) if (!fd.description) missing.push(`${d.name.value}.${fd.name.value}`);
    }
    expect(missing).toEqual([]);
  });

  it('an analyst works an alert into a case and through its life, each resolver one audited action', async () => {
    const before = (await f.policy.audit.query({ size: 1 }))[0]!.seq;
    const q = await run('wu', '{ alerts(filter: {severity: [high]}) { total alerts { id department } } }');
    expect(q).toEqual({ data: { alerts: { total: 1, alerts: [{ id: 'cg-1', department: '城管' }] } }, errors: undefined });
    const opened = await run('wu', 'mutation { openCaseFromAlert(alertId: "cg-1") { id status slaColour tlp observables { entity } sla { stage } } }');
    expect(opened.data.openCaseFromAlert).toEqual({
      id: 'CASE-2026-00001',
      status: 'open',
      slaColour: 'green',
      tlp: 'amber',
      observables: [{ entity: 'ip:10.1.1.1' }],
      sla: { stage: 'acknowledge' },
    });
    const steps = [
      'mutation { addCaseTask(id: "CASE-2026-00001", title: "封禁源地址", owner: "chen") { version } }',
      'mutation { addCaseObservable(id: "CASE-2026-00001", type: user, value: "root") { version } }',
      'mutation { editCase(id: "CASE-2026-00001", edit: {tlp: amber_strict, tags: ["ssh"]}, expectedVersion: 3) { version tlp tags } }',
      'mutation { updateCaseTask(id: "CASE-2026-00001", taskId: "T1", update: {status: done, owner: ""}) { tasks { status owner } } }',
      'mutation { moveCase(id: "CASE-2026-00001", to: resolved, resolution: true_positive) { status resolvedAt } }',
    ];
    const out = [];
    for (const s of steps) out.push(await run('wu', s));
    expect(out.map((o) => o.errors)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(out[2]!.data).toEqual({ editCase: { version: 4, tlp: 'amber_strict', tags: ['ssh'] } });
    expect(out[3]!.data).toEqual({ updateCaseTask: { tasks: [{ status: 'done', owner: null }] } });
    const list = await run(
      'wu',
      '{ cases(filter: {status: [resolved], observableType: user, observableValue: "root"}) { total cases { id timeline { action } } } }',
    );
    expect(list.data.cases).toEqual({
      total: 1,
      cases: [
        {
          id: 'CASE-2026-00001',
          timeline: ['created', 'alerts_linked', 'task_added', 'observable_added', 'edited', 'task_updated', 'status'].map((action) => ({ action })),
        },
      ],
    });
    const records = await f.policy.audit.query({ afterSeq: before, size: 100 });
    expect(records.map((r) => [r.action, r.actor, r.sourceIp])).toEqual([
      ['alerts.list', 'wu', '10.0.0.5'],
      ['cases.open_from_alert', 'wu', '10.0.0.5'],
      ['cases.change', 'wu', '10.0.0.5'],
      ['cases.change', 'wu', '10.0.0.5'],
      ['cases.change', 'wu', '10.0.0.5'],
      ['cases.change', 'wu', '10.0.0.5'],
      ['cases.change', 'wu', '10.0.0.5'],
      ['cases.list', 'wu', '10.0.0.5'],
    ]);
  });

  it('answers errors with their code: signed out, not yours, stale, invalid', async () => {
    expect((await run(null, '{ alerts { total } }')).errors).toEqual(['UNAUTHENTICATED: sign in first: send Authorization: Bearer <token>']);
    expect((await run('wu', 'mutation { commentAlert(id: "ga-1", comment: "x") { id } }')).errors).toEqual(['NOT_FOUND: no alert ga-1']);
    await run('wu', 'mutation { openCase(input: {title: "x", severity: high, departments: ["城管"]}) { id } }');
    await run('wu', 'mutation { commentCase(id: "CASE-2026-00001", text: "x") { id } }');
    expect((await run('wu', 'mutation { assignCase(id: "CASE-2026-00001", assignee: "chen", expectedVersion: 1) { id } }')).errors).toEqual([
      'CONFLICT: case CASE-2026-00001 changed since version 1 (it is at version 2): reload it and try again',
    ]);
    expect((await run('li', '{ case(id: "CASE-2026-00001") { id } }')).errors).toEqual(['NOT_FOUND: no case CASE-2026-00001']);
    expect((await run('wu', '{ caseKpis(from: "x", to: "y") { alertTotal } }')).errors).toEqual([
      'INPUT_INVALID: cases.kpis: from: expected an ISO 8601 time; to: expected an ISO 8601 time',
    ]);
  });

  it('moves alerts in bulk and reports each one; KPIs and CSV come from the same figures', async () => {
    const r = await run('wu', 'mutation { moveAlerts(ids: ["cg-1", "ga-1"], to: acknowledged) { id ok errorCode } }');
    expect(r.data.moveAlerts).toEqual([
      { id: 'cg-1', ok: true, errorCode: null },
      { id: 'ga-1', ok: false, errorCode: 'NOT_FOUND' },
    ]);
    const k = await run(
      'zhao',
      '{ caseKpis(from: "2026-10-01T00:00:00Z", to: "2026-12-01T00:00:00Z") { alertTotal alertOutcomes { status count } cases { opened } } }',
    );
    expect(k.data.caseKpis).toEqual({
      alertTotal: 2,
      alertOutcomes: [
        { status: 'acknowledged', count: 1 },
        { status: 'open', count: 1 },
      ],
      cases: { opened: 0 },
    });
    const csv = await run('zhao', '{ caseKpisCsv(from: "2026-10-01T00:00:00Z", to: "2026-12-01T00:00:00Z") }');
    expect((csv.data.caseKpisCsv as unknown as string).split('\r\n')[1]).toBe('alerts.total,,2026-10-01T00:00:00.000Z,2026-12-01T00:00:00.000Z,,2');
  });
});

describe('assignableUsers over GraphQL', () => {
  it('takes a list of alerts and answers display names; 51 alerts are refused with the limit named', async () => {
    f.users.set('zhao', { ...f.users.get('zhao')!, displayName: '赵敏' });
    const q = 'query($ids:[ID!]){ assignableUsers(alertIds: $ids) { username displayName } }';
    expect(await run('zhao', q, { ids: ['cg-1', 'ga-1'] })).toEqual({
      data: {
        assignableUsers: [
          { username: 'zhao', displayName: '赵敏' },
          { username: 'admin', displayName: null },
        ],
      },
      errors: undefined,
    });
    const refused = await run('zhao', q, { ids: Array.from({ length: 51 }, () => 'cg-1') });
    expect(refused.errors).toEqual([expect.stringMatching(/^INPUT_INVALID: .*at most 50 alerts may be named at once/)]);
    // an alert of another department reads as absent
    expect((await run('wu', q, { ids: ['cg-1', 'ga-1'] })).errors).toEqual(['NOT_FOUND: no alert ga-1']);
  });
});
