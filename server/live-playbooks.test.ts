/**
 * The live feed of playbook runs and approvals against a real embedded platform with playbooks on:
 * a playbook that waits for a security lead's approval runs on alerts of two departments while
 * subscribers listen over SSE. Each subscriber gets exactly the runs and approvals its lists show,
 * as they are stored; the subscription is refused like any other call, audited once, and ended
 * when the subscriber's session ends.
 */
import { PLAYBOOK_POLICY_LINES } from '../playbooks/test-support/actors';
import { APPROVAL_PLAYBOOK, deployApprovalPlaybook, storeAlert } from './test-support/approval-playbook';
import { subscribeSse, type SseStream, until } from './test-support/sse';
import { adminSession, type Running, signInAs, startTestPlatform } from './test-support/harness';

jest.setTimeout(120_000);

interface Change {
  run: { id: string; status: string; department: string | null; trigger: { alertId: string | null } } | null;
  approval: { id: string; runId: string; status: string; department: string | null; answeredBy: string | null } | null;
}
type Payload = { data?: { playbookChanged: Change }; errors?: { extensions?: { code?: string } }[] };

const SUBSCRIPTION = `subscription { playbookChanged {
  run { id status department trigger { alertId } }
  approval { id runId status department answeredBy }
} }`;

const subscribe = (url: string, token: string | null) => subscribeSse<Payload>(url, token, SUBSCRIPTION);
type Stream = SseStream<Payload>;

/** What a stream told, one line per change: `run <alert> <status>` or `approval <alert> <status>`. */
function told(s: Stream, alertOfRun: Map<string, string>): string[] {
  return s.events.flatMap((e) => {
    const c = e.data?.data?.playbookChanged;
    if (!c) return [];
    if (c.run) {
      alertOfRun.set(c.run.id, c.run.trigger.alertId ?? '?');
      return [`run ${c.run.trigger.alertId} ${c.run.status}`];
    }
    return [`approval ${alertOfRun.get(c.approval!.runId) ?? c.approval!.runId} ${c.approval!.status}`];
  });
}

describe('the live feed of playbook runs and approvals', () => {
  let r: Running;
  let admin: string;
  const streams = () => r.platform.service<{ streams: { size: number; sweep(): void } }>('live-playbooks').streams;
  beforeAll(async () => {
    r = await startTestPlatform(undefined, false, { 'playbooks.enabled': true, 'live.recheckSeconds': 3600 });
    admin = await adminSession(r);
    await deployApprovalPlaybook(r, admin);
  });
  afterAll(async () => r?.stop());

  it('refuses a subscriber the door refuses: no session, a collector, an analyst no policy line lets read runs', async () => {
    const collector = (await r.platform.identity.issueApiToken('fluent-bit-live', ['collector'], 'test')).token;
    const analyst = await signInAs(r, admin, 'no_runs', 'analyst', '城管');
    const codes: (string | undefined)[] = [];
    for (const token of [null, collector, analyst]) {
      const s = await subscribe(r.platform.url, token);
      await s.ended;
      codes.push(s.events.find((e) => e.data?.errors)?.data?.errors?.[0]?.extensions?.code);
    }
    expect(codes).toEqual(['UNAUTHENTICATED', 'FORBIDDEN', 'FORBIDDEN']);
    expect(streams().size).toBe(0);
  });

  it('pushes each subscriber exactly the runs and approvals its lists show, as they are stored, and audits each subscription once', async () => {
    for (const values of PLAYBOOK_POLICY_LINES)
      expect(
        (await r.gql('mutation($c:PolicyChangeInput!){applyPolicyChange(change:$c){version}}', { c: { op: 'add', line: { ptype: 'p', values } } }, admin))
          .errors,
      ).toBeUndefined();
    const cg = await signInAs(r, admin, 'cg_runs', 'analyst', '城管');
    const all = await subscribe(r.platform.url, admin);
    const mine = await subscribe(r.platform.url, cg);
    expect(all.status).toBe(200);
    await until('both streams registered', () => streams().size === 2).catch((e) => {
      throw new Error(`${(e as Error).message}: ${JSON.stringify([all.events, mine.events])}`);
    });
    await storeAlert(r, 'cg-1', '城管');
    await storeAlert(r, 'ga-1', '公安');
    for (const alertId of ['cg-1', 'ga-1'])
      expect(
        (await r.gql('mutation($a:ID!){runPlaybook(playbookId:"' + APPROVAL_PLAYBOOK + '",alertId:$a){runIds}}', { a: alertId }, admin)).errors,
      ).toBeUndefined();
    const runs = new Map<string, string>();
    await until('both runs waiting, as the admin is told', () => told(all, runs).filter((t) => /^run .* waiting$/.test(t)).length === 2);
    const pending = await r.gql<{ playbookApprovals: { id: string; department: string }[] }>('{playbookApprovals{id department}}', {}, admin);
    const cgApproval = pending.data!.playbookApprovals.find((a) => a.department === '城管')!;
    expect((await r.gql('mutation($id:ID!){approvePlaybookStep(id:$id,comment:"ok"){status}}', { id: cgApproval.id }, admin)).errors).toBeUndefined();
    await until('the approved run finished, as the analyst is told', () => told(mine, runs).includes('run cg-1 succeeded'));
    await until('the approved run finished, as the admin is told', () => told(all, runs).includes('run cg-1 succeeded'));
    const byAlert = (s: Stream, alertId: string) => told(s, runs).filter((t) => t.split(' ')[1] === alertId);
    // The engine stores the approval before the run's wait, and the answer before the run goes on.
    const story = ['run cg-1 running', 'approval cg-1 pending', 'run cg-1 waiting', 'approval cg-1 approved', 'run cg-1 succeeded'];
    expect(byAlert(all, 'cg-1')).toEqual(story);
    expect(byAlert(mine, 'cg-1')).toEqual(story);
    expect(byAlert(all, 'ga-1')).toEqual(['run ga-1 running', 'approval ga-1 pending', 'run ga-1 waiting']);
    // The analyst of 城管 is told nothing of 公安's run: its lists do not show it either.
    expect(byAlert(mine, 'ga-1')).toEqual([]);
    const listed = await r.gql<{ playbookRuns: { department: string }[] }>('{playbookRuns{department}}', {}, cg);
    expect(listed.data!.playbookRuns.map((x) => x.department)).toEqual(['城管']);
    const audit = await r.gql<{ auditRecords: { actor: string; decision: string }[] }>('{auditRecords(action:"playbooks.live"){actor decision}}', {}, admin);
    expect(
      audit
        .data!.auditRecords.filter((a) => a.decision === 'allow')
        .map((a) => a.actor)
        .sort(),
    ).toEqual(['admin', 'cg_runs']);
    all.close();
    mine.close();
    await until('the closed streams let go', () => streams().size === 0);
  });

  it('ends a stream when its session ends', async () => {
    const s = await signInAs(r, admin, 'leaving_runs', 'analyst', '城管');
    const stream = await subscribe(r.platform.url, s);
    await until('registered', () => streams().size === 1);
    await r.gql('mutation{logout}', {}, s);
    streams().sweep();
    await stream.ended;
    expect(stream.events.map((e) => e.event)).toEqual(['complete']);
    expect(streams().size).toBe(0);
  });
});
