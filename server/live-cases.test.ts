/**
 * The live feed of cases against a real embedded platform: analysts of 城管 and 公安 and the admin
 * listen over SSE while cases of both departments are opened, worked and merged. Each subscriber is
 * told exactly the changes of the cases its case list shows, in the order they were stored; a write
 * that failed tells nobody; the subscription is refused like any other call and audited once.
 */
import { subscribeSse, type SseStream, until } from './test-support/sse';
import { adminSession, type Running, signInAs, startTestPlatform } from './test-support/harness';

jest.setTimeout(120_000);

interface Change {
  id: string;
  version: number;
  status: string;
  kind: string;
  actions: string[];
  mergedInto: string | null;
}
type Payload = { data?: { caseChanged: Change }; errors?: { extensions?: { code?: string } }[] };

const SUBSCRIPTION = 'subscription { caseChanged { id version status kind actions mergedInto } }';
const subscribe = (url: string, token: string | null) => subscribeSse<Payload>(url, token, SUBSCRIPTION);
type Stream = SseStream<Payload>;

/** What a stream told, one line per change: `<kind> <case name> v<version> <status>: <actions>`. */
function told(s: Stream, names: Map<string, string>): string[] {
  return s.events.flatMap((e) => {
    const c = e.data?.data?.caseChanged;
    return c ? [`${c.kind} ${names.get(c.id) ?? c.id} v${c.version} ${c.status}: ${c.actions.join(',')}`] : [];
  });
}

describe('the live feed of cases', () => {
  let r: Running;
  let admin: string;
  const streams = () => r.platform.service<{ streams: { size: number; sweep(): void } }>('live-cases').streams;
  beforeAll(async () => {
    r = await startTestPlatform(undefined, false, { 'live.recheckSeconds': 3600 });
    admin = await adminSession(r);
  });
  afterAll(async () => r?.stop());

  /** Runs a mutation as `token`; its errors fail the test. */
  const ok = async <T>(token: string, query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const res = await r.gql<T>(query, variables, token);
    if (res.errors) throw new Error(`${query}: ${JSON.stringify(res.errors)}`);
    return res.data!;
  };
  const open = async (token: string, title: string, departments: string[]) =>
    (
      await ok<{ openCase: { id: string } }>(token, 'mutation($i:NewCaseInput!){openCase(input:$i){id}}', {
        i: { title, severity: 'high', departments },
      })
    ).openCase.id;
  const comment = (token: string, id: string, text: string) => ok(token, 'mutation($id:ID!,$t:String!){commentCase(id:$id,text:$t){id}}', { id, t: text });

  it('refuses a subscriber the door refuses: no session, a collector', async () => {
    const collector = (await r.platform.identity.issueApiToken('fluent-bit-cases', ['collector'], 'test')).token;
    const codes: (string | undefined)[] = [];
    for (const token of [null, collector]) {
      const s = await subscribe(r.platform.url, token);
      await s.ended;
      codes.push(s.events.find((e) => e.data?.errors)?.data?.errors?.[0]?.extensions?.code);
    }
    expect(codes).toEqual(['UNAUTHENTICATED', 'FORBIDDEN']);
    expect(streams().size).toBe(0);
  });

  it('tells each subscriber exactly the changes of the cases it may read, as they are stored, never a failed write, and audits each subscription once', async () => {
    const cg = await signInAs(r, admin, 'cg_cases_live', 'analyst', '城管');
    const cg2 = await signInAs(r, admin, 'cg_cases_peer', 'analyst', '城管');
    const ga = await signInAs(r, admin, 'ga_cases_live', 'analyst', '公安');
    const all = await subscribe(r.platform.url, admin);
    const cgs = await subscribe(r.platform.url, cg);
    const gas = await subscribe(r.platform.url, ga);
    expect([all.status, cgs.status, gas.status]).toEqual([200, 200, 200]);
    await until('the three streams registered', () => streams().size === 3);

    const names = new Map<string, string>();
    const cgCase = await open(cg2, '暴力破解 web-01', ['城管']);
    names.set(cgCase, 'cg');
    // Two analysts of 城管 work the case: one adds a task and comments, the other moves it on.
    const task = await ok<{ addCaseTask: { tasks: { id: string }[] } }>(cg2, 'mutation($id:ID!){addCaseTask(id:$id,title:"封禁来源地址"){tasks{id}}}', {
      id: cgCase,
    });
    await comment(cg2, cgCase, '已联系运维');
    // A stale edit is refused by the store: nobody is told of it.
    const stale = await r.gql('mutation($id:ID!){moveCase(id:$id,to:in_progress,expectedVersion:1){id}}', { id: cgCase }, cg);
    expect(stale.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT' });
    await ok(cg, 'mutation($id:ID!){moveCase(id:$id,to:in_progress,expectedVersion:3){id}}', { id: cgCase });
    await ok(cg, 'mutation($id:ID!,$t:ID!){updateCaseTask(id:$id,taskId:$t,update:{status:done}){id}}', { id: cgCase, t: task.addCaseTask.tasks[0]!.id });
    await ok(cg, 'mutation($id:ID!){addCaseObservable(id:$id,type:ip,value:"10.1.1.1"){id}}', { id: cgCase });

    // 公安's case, and a case of both departments that only the admin may read.
    const gaCase = await open(admin, '越权查询', ['公安']);
    names.set(gaCase, 'ga');
    await comment(ga, gaCase, '已核实');
    const both = await open(admin, '跨部门', ['公安', '城管']);
    names.set(both, 'both');
    // A second 城管 case merged into the first: told of both.
    const dup = await open(cg2, 'same source', ['城管']);
    names.set(dup, 'dup');
    await ok(cg2, 'mutation($s:ID!,$m:ID!){mergeCases(survivorId:$s,mergedId:$m){survivor{id}}}', { s: cgCase, m: dup });
    // The last change of each department: once a stream has it, it has everything stored before it.
    await comment(ga, gaCase, '结案');

    const cgStory = [
      'created cg v1 open: created',
      'updated cg v2 open: task_added',
      'updated cg v3 open: comment',
      'updated cg v4 in_progress: status',
      'updated cg v5 in_progress: task_updated',
      'updated cg v6 in_progress: observable_added',
    ];
    const mergeStory = ['created dup v1 open: created', 'merged dup v2 closed: merged_into', 'merged cg v7 in_progress: merged_from'];
    const gaStory = ['created ga v1 open: created', 'updated ga v2 open: comment'];
    await until('the 公安 analyst told of the last 公安 comment', () => told(gas, names).includes('updated ga v3 open: comment'));
    await until('the 城管 analyst told of the merge', () => told(cgs, names).includes('merged cg v7 in_progress: merged_from'));
    await until('the admin told of the last 公安 comment', () => told(all, names).includes('updated ga v3 open: comment'));
    expect(told(cgs, names)).toEqual([...cgStory, ...mergeStory]);
    expect(told(gas, names)).toEqual([...gaStory, 'updated ga v3 open: comment']);
    expect(told(all, names)).toEqual([...cgStory, ...gaStory, 'created both v1 open: created', ...mergeStory, 'updated ga v3 open: comment']);
    expect(all.events.find((e) => e.data?.data?.caseChanged.kind === 'merged')?.data?.data?.caseChanged.mergedInto).toBe(cgCase);
    // Their case lists agree with what they were told.
    const listed = async (token: string) =>
      (await ok<{ cases: { cases: { id: string }[] } }>(token, '{cases(filter:{status:[open,in_progress,resolved,closed]}){cases{id}}}')).cases.cases
        .map((c) => names.get(c.id))
        .sort();
    expect(await listed(cg)).toEqual(['cg', 'dup']);
    expect(await listed(ga)).toEqual(['ga']);

    const audit = await ok<{ auditRecords: { actor: string; decision: string; resource: string }[] }>(
      admin,
      '{auditRecords(action:"cases.live"){actor decision resource}}',
    );
    expect(audit.auditRecords.map((a) => `${a.actor} ${a.decision} ${a.resource}`).sort()).toEqual([
      'admin allow cases:live',
      // the refusals of the first test, audited as any refused call
      'anonymous deny cases:live',
      'cg_cases_live allow cases:live',
      'ga_cases_live allow cases:live',
      'token:fluent-bit-cases deny cases:live',
    ]);
    for (const s of [all, cgs, gas]) s.close();
    await until('the closed streams let go', () => streams().size === 0);
  });

  it('ends a stream when its session ends', async () => {
    const s = await signInAs(r, admin, 'leaving_cases', 'analyst', '城管');
    const stream = await subscribe(r.platform.url, s);
    await until('registered', () => streams().size === 1);
    await r.gql('mutation{logout}', {}, s);
    streams().sweep();
    await stream.ended;
    expect(stream.events.map((e) => e.event)).toEqual(['complete']);
    expect(streams().size).toBe(0);
  });
});
