/**
 * The shipped playbooks on the real Node-RED runtime, embedded and served on loopback: an alert
 * published on the bus, an approval answered through GraphQL, a webhook receiver that counts,
 * the real policy services (isolation in the PDP) and the SQLite audit trail through the Door.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AuditRecord } from '../core/audit';
import { ACTORS, DEPT, grantPlaybookPolicy, SESSIONS, U } from './test-support/actors';
import { type Harness, startHarness } from './test-support/harness';
import { until } from './test-support/palette-fixture';
import { type Receiver, receiver } from './test-support/receiver';
import { testAlert } from './test-support/test-host';

const MASS_EXPORT_RULE = '6f013f64-f8b2-4e8e-88c3-34580d58aad3';
const EXPORT_TAB = 'citysoc-pb-mass-export';

describe('playbooks on the real Node-RED runtime', () => {
  let h: Harness;
  let owner: Receiver;
  let flaky: Receiver;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'citysoc-playbooks-'));
    owner = await receiver();
    flaky = await receiver({ up: false });
    h = await startHarness({
      dir,
      sessions: SESSIONS,
      config: { outbound: { allow: [owner.origin, flaky.origin], timeoutMs: 2000 }, retry: { attempts: 3, baseMs: 50, maxMs: 200, jitter: 0 } },
      directory: {
        users: [
          { name: U, department: DEPT, privileged: false, securityContact: { name: '城管安全员', webhook: owner.url } },
          { name: 'liu.v', department: DEPT, privileged: false },
        ],
        datasets: [
          { id: 'ds-population', classification: '敏感', ownerDepartment: DEPT, owner: { name: '人口库数据所有者', webhook: owner.url } },
          { id: 'ds-vehicles', classification: '内部', ownerDepartment: DEPT, owner: { name: '车辆库数据所有者', webhook: flaky.url } },
        ],
      },
    });
    await grantPlaybookPolicy(h.t.policy);
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
    await owner?.down();
    await flaky?.down();
    rmSync(dir, { recursive: true, force: true });
  });

  const audit = async (): Promise<AuditRecord[]> => (await h.t.audit.query({ size: 10_000 })).sort((a, b) => a.seq - b.seq);
  const pending = async (token: string) =>
    (
      await h.gql<{
        playbookApprovals: { id: string; runId: string; question: string; approverRole: string; excluded: string[]; context: { alert: { id: string } } }[];
      }>('{ playbookApprovals { id runId question approverRole excluded context } }', {}, token)
    ).data?.playbookApprovals ?? [];
  const runDetail = async (id: string) =>
    (
      await h.gql<{
        playbookRun: {
          run: { status: string; person: string; failedSteps: string[] };
          steps: { nodeId: string; status: string; attempts: number; output: unknown; error: string | null }[];
        };
      }>('query($id:ID!){ playbookRun(id:$id) { run { status person failedSteps } steps { nodeId status attempts output error } } }', { id }, 'tok-admin')
    ).data!.playbookRun;

  it('loads the shipped playbooks on a fresh start, as version 1, each disabled until someone turns it on', async () => {
    const r = await h.gql<{
      playbooks: { id: string; shippedName: string; shippedVersion: number; enabled: boolean; triggers: string[] }[];
      playbookVersions: { current: number; versions: { version: number; action: string; by: string }[] };
    }>('{ playbooks { id shippedName shippedVersion enabled triggers } playbookVersions { current versions { version action by } } }', {}, 'tok-analyst');
    expect(r.errors).toBeUndefined();
    expect(r.data!.playbooks.map((p) => [p.shippedName, p.shippedVersion, p.enabled, p.triggers])).toEqual([
      ['mass-export', 1, false, ['alert-in']],
      ['risky-account', 1, false, ['alert-in']],
      ['ssh-brute-force', 1, false, ['alert-in']],
    ]);
    expect(r.data!.playbookVersions).toEqual({ current: 1, versions: [{ version: 1, action: 'shipped', by: 'system' }] });
  });

  it('a mass-export alert for U waits for approval; U cannot approve it; the lead approves and U is isolated, the data owner notified once, a case opened, every step logged and audited', async () => {
    const enabled = await h.gql('mutation($id:ID!){ enablePlaybook(id:$id) { enabled enabledBy } }', { id: EXPORT_TAB }, 'tok-admin');
    expect(enabled).toEqual({ data: { enablePlaybook: { enabled: true, enabledBy: 'admin' } } });

    const alert = testAlert({
      id: 'alert-export-1',
      rule: { id: MASS_EXPORT_RULE, name: 'Data-Sharing API Scraping By Volume', type: 'correlation', severity: 'high' },
      entities: [
        { type: 'user', value: U },
        { type: 'dataset', value: 'ds-population' },
      ],
      department: DEPT,
    });
    await h.publish(alert);
    const [approval] = await until('the approval to be pending', async () => {
      const p = await pending('tok-lead');
      return p.length ? p : undefined;
    });
    expect(approval).toMatchObject({ approverRole: 'security_lead', excluded: [U], context: { alert: { id: 'alert-export-1' } } });
    expect(approval!.question).toContain(`Suspend ${U}`);
    // An analyst of another department does not see it; the run waits.
    expect(await pending('tok-otherAnalyst')).toEqual([]);
    expect((await runDetail(approval!.runId)).run.status).toBe('waiting');
    expect(owner.received).toHaveLength(0);

    const byU = await h.gql('mutation($id:ID!){ approvePlaybookStep(id:$id) { status } }', { id: approval!.id }, 'tok-subject');
    expect(byU.errors?.[0]?.message).toBe(`${U} is an account this run acts against and cannot answer its approval`);
    const byAnalyst = await h.gql('mutation($id:ID!){ approvePlaybookStep(id:$id) { status } }', { id: approval!.id }, 'tok-analyst');
    expect(byAnalyst.errors?.[0]?.message).toBe('playbooks.approve needs the permission playbooks:approve, which roles analyst do not grant');

    const approvedAt = Date.now();
    const ok = await h.gql<{ approvePlaybookStep: { status: string; answeredBy: string } }>(
      'mutation($id:ID!,$c:String){ approvePlaybookStep(id:$id, comment:$c) { status answeredBy } }',
      { id: approval!.id, c: '核实为异常导出' },
      'tok-lead',
    );
    expect(ok).toEqual({ data: { approvePlaybookStep: { status: 'approved', answeredBy: 'li.lead' } } });

    const deniedAfterMs = await until('the PDP to deny U', () => (h.t.policy.authorizer.isolation(U, new Date()) ? Date.now() - approvedAt : undefined));
    process.stdout.write(`PDP denies ${U} ${deniedAfterMs} ms after the approval\n`);
    const d = h.t.policy.authorizer.decide({
      subject: { user: U, roles: ['analyst'], department: DEPT },
      resource: { type: 'alerts' },
      action: 'read',
      context: {},
    });
    expect(d).toMatchObject({ decision: 'deny', reason: `isolation:${h.t.policy.authorizer.isolation(U, new Date())!.id}` });
    await expect(h.t.door.perform(ACTORS.subject, { name: 'x.read', permission: null, run: async () => 1 }, {})).rejects.toThrow(`account ${U} is isolated`);

    const detail = await until('the run to succeed', async () => {
      const r = await runDetail(approval!.runId);
      return r.run.status === 'succeeded' ? r : undefined;
    });
    expect(detail.run.person).toBe('admin');
    expect(detail.steps.map((s) => [s.nodeId, s.status, s.attempts])).toEqual([
      ['exp-in', 'succeeded', 1],
      ['exp-enrich', 'succeeded', 1],
      ['exp-approval', 'succeeded', 1],
      ['exp-suspend', 'succeeded', 1],
      ['exp-notify', 'succeeded', 1],
      ['exp-case', 'succeeded', 1],
    ]);
    expect(detail.steps[2]!.output).toMatchObject({ status: 'approved', by: 'li.lead', comment: '核实为异常导出' });
    expect(detail.steps[3]!.output).toMatchObject({ user: U });

    expect(owner.received).toHaveLength(1);
    expect(owner.received[0]!.headers['idempotency-key']).toBe(`${approval!.runId}:exp-notify`);
    expect(owner.received[0]!.body).toMatchObject({ alert: { id: 'alert-export-1' }, runId: approval!.runId });

    const cases = [...h.t.cases.values()];
    expect(cases.map((c) => [c.title, c.alertIds, c.openedBy, c.person, c.department])).toEqual([
      [`批量数据导出 Mass data export: ${U}`, ['alert-export-1'], `playbook:${EXPORT_TAB}`, 'admin', DEPT],
    ]);

    // Reads (the polling above) are audited too; the actions, in order:
    const READS = new Set(['playbooks.list', 'playbooks.versions', 'playbooks.approvals', 'playbooks.run']);
    const all = await audit();
    expect(all.filter((r) => r.action === 'playbooks.approvals').map((r) => r.actor)).toContain('zhao.analyst');
    const trail = all.filter(
      (r) => !READS.has(r.action) && (r.action.startsWith('playbooks.') || r.actorType === 'playbook' || r.action.startsWith('isolation.')),
    );
    expect(trail.map((r) => [r.action, r.actor, r.decision])).toEqual([
      ['playbooks.install_shipped', 'system', 'allow'],
      ['playbooks.enable', 'admin', 'allow'],
      ['entities.enrich', `playbook:${EXPORT_TAB}`, 'allow'],
      ['playbooks.approve', U, 'deny'],
      ['playbooks.approve', 'chen.analyst', 'deny'],
      ['playbooks.approve', 'li.lead', 'allow'],
      ['isolation.isolate', `playbook:${EXPORT_TAB}`, 'allow'],
      ['playbooks.notify', `playbook:${EXPORT_TAB}`, 'allow'],
      ['cases.create', `playbook:${EXPORT_TAB}`, 'allow'],
    ]);
    const approve = trail.find((r) => r.action === 'playbooks.approve' && r.decision === 'allow')!;
    expect(approve.details).toMatchObject({ runId: approval!.runId, comment: '核实为异常导出' });
    const isolate = trail.find((r) => r.action === 'isolation.isolate')!;
    expect(isolate.details).toMatchObject({ person: 'admin', run: { playbookId: EXPORT_TAB, runId: approval!.runId, step: 'exp-suspend' } });
  });

  it('a notification to a receiver that is down is retried, fails the run, and once replayed after the receiver is back is delivered exactly once', async () => {
    const alert = testAlert({
      id: 'alert-export-2',
      rule: { id: MASS_EXPORT_RULE, name: 'Data-Sharing API Scraping By Volume', type: 'correlation', severity: 'high' },
      entities: [
        { type: 'user', value: 'liu.v' },
        { type: 'dataset', value: 'ds-vehicles' },
      ],
      department: DEPT,
    });
    await h.publish(alert);
    const approval = await until('the approval', async () => (await pending('tok-lead')).find((a) => a.context.alert.id === 'alert-export-2'));
    await h.gql('mutation($id:ID!){ approvePlaybookStep(id:$id) { status } }', { id: approval.id }, 'tok-lead');
    const failed = await until('the run to fail', async () => {
      const r = await runDetail(approval.runId);
      return r.run.status === 'failed' ? r : undefined;
    });
    expect(failed.run.failedSteps).toEqual(['exp-notify']);
    const notify = failed.steps.find((s) => s.nodeId === 'exp-notify')!;
    expect(notify).toMatchObject({ status: 'failed', attempts: 3 });
    expect(notify.error).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/hook: no answer \(ECONNREFUSED\)$/);
    expect(failed.steps.map((s) => s.nodeId)).not.toContain('exp-case');
    expect(flaky.received).toHaveLength(0);

    await flaky.up();
    const replay = await h.gql('mutation($id:ID!){ replayPlaybookRun(runId:$id) { runId steps } }', { id: approval.runId }, 'tok-lead');
    expect(replay).toEqual({ data: { replayPlaybookRun: { runId: approval.runId, steps: ['exp-notify'] } } });
    const done = await until('the replayed run to succeed', async () => {
      const r = await runDetail(approval.runId);
      return r.run.status === 'succeeded' ? r : undefined;
    });
    expect(done.run.failedSteps).toEqual([]);
    expect(done.steps.map((s) => [s.nodeId, s.status])).toEqual([
      ['exp-in', 'succeeded'],
      ['exp-enrich', 'succeeded'],
      ['exp-approval', 'succeeded'],
      ['exp-suspend', 'succeeded'],
      ['exp-notify', 'succeeded'],
      ['exp-case', 'succeeded'],
    ]);
    await h.pb.engine.idle();
    expect(flaky.received).toHaveLength(1);
    expect(h.t.calls.filter((c) => c === 'isolate:liu.v')).toHaveLength(1);
    expect([...h.t.cases.values()].filter((c) => c.alertIds.includes('alert-export-2'))).toHaveLength(1);
    const notices = (await audit()).filter((r) => r.action === 'playbooks.notify' && r.resource.includes(`${flaky.port}`));
    expect(notices.map((r) => r.decision)).toEqual(['failure', 'failure', 'failure', 'allow']);
    expect((await audit()).filter((r) => r.action === 'playbooks.replay').map((r) => [r.actor, r.decision])).toEqual([['li.lead', 'allow']]);
  });

  const editor = (p: string, init: RequestInit & { token?: string } = {}) =>
    fetch(`${h.url}/playbooks/editor${p}`, {
      ...init,
      headers: {
        'node-red-api-version': 'v2',
        ...(init.body ? { 'content-type': 'application/json' } : {}),
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.headers as Record<string, string>),
      },
    });
  type Flows = { rev: string; flows: { id: string; type: string; hours?: number }[] };

  it('serves the editor under /playbooks/editor with its own CSP, and the admin API only to signed-in readers', async () => {
    const redirect = await fetch(`${h.url}/playbooks/editor`, { redirect: 'manual' });
    expect([redirect.status, redirect.headers.get('location')]).toEqual([301, '/playbooks/editor/']);
    const page = await editor('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self' 'unsafe-inline' 'unsafe-eval'");
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await page.text()).toContain('<title>CitySOC playbooks</title>');
    expect((await editor('/flows')).status).toBe(401);
    expect((await editor('/flows', { token: 'tok-nobody' })).status).toBe(401);
    const asAnalyst = await editor('/flows', { token: 'tok-analyst' });
    expect(asAnalyst.status).toBe(200);
    expect(((await asAnalyst.json()) as Flows).flows.filter((f) => f.type === 'tab').map((f) => f.id)).toEqual([
      'citysoc-pb-mass-export',
      'citysoc-pb-risky-account',
      'citysoc-pb-ssh-brute-force',
    ]);
    const settings = (await (await editor('/settings', { token: 'tok-analyst' })).json()) as {
      user: { username: string; permissions: string };
      telemetryEnabled?: boolean;
    };
    expect(settings.user).toEqual({ username: 'chen.analyst', permissions: 'read' });
    expect(settings.telemetryEnabled).toBe(false);
    const telemetry = await editor('/settings/user', { method: 'POST', token: 'tok-author', body: JSON.stringify({ telemetryEnabled: true }) });
    expect([telemetry.status, ((await telemetry.json()) as { message: string }).message]).toEqual([403, 'telemetry stays off in CitySOC']);
  });

  it('needs a signed-in caller allowed to run playbooks for the HTTP-in hooks, and audits each call', async () => {
    expect((await fetch(`${h.url}/playbooks/hooks/anything`)).status).toBe(401);
    const r = await fetch(`${h.url}/playbooks/hooks/anything`, { headers: { authorization: 'Bearer tok-analyst' } });
    expect(r.status).toBe(404);
    expect(r.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    // The door writes the record once the answer is sent.
    const hooks = await until('both hook calls in the trail', async () => {
      const x = (await audit()).filter((a) => a.action === 'playbooks.hook');
      return x.length === 2 ? x : undefined;
    });
    expect(hooks.map((a) => [a.actor, a.decision, a.resource])).toEqual([
      ['anonymous', 'deny', 'hook:GET /anything'],
      ['chen.analyst', 'allow', 'hook:GET /anything'],
    ]);
  });

  it('versions and audits a deploy made through the admin API as the editor makes it, refuses it to a read-only analyst, and rolls it back as a new version', async () => {
    const before = (await (await editor('/flows', { token: 'tok-author' })).json()) as Flows;
    const edited = before.flows.map((f) => (f.id === 'ssh-block' ? { ...f, hours: 12 } : f));

    const refused = await editor('/flows', { method: 'POST', token: 'tok-analyst', body: JSON.stringify({ flows: edited, rev: before.rev }) });
    expect(refused.status).toBe(403);
    const anonymous = await editor('/flows', { method: 'POST', body: JSON.stringify({ flows: edited, rev: before.rev }) });
    expect(anonymous.status).toBe(401);

    const deployed = await editor('/flows', {
      method: 'POST',
      token: 'tok-author',
      headers: { 'node-red-deployment-type': 'nodes' },
      body: JSON.stringify({ flows: edited, rev: before.rev }),
    });
    expect(deployed.status).toBe(200);
    const stale = await editor('/flows', { method: 'POST', token: 'tok-author', body: JSON.stringify({ flows: before.flows, rev: before.rev }) });
    expect(stale.status).toBe(409);

    const v = await h.gql<{
      playbookVersions: {
        current: number;
        versions: {
          version: number;
          action: string;
          by: string;
          person: string;
          basedOn: number;
          diff: { changed: { id: string }[]; added: unknown[]; removed: unknown[] };
        }[];
      };
    }>('{ playbookVersions { current versions { version action by person basedOn diff { added { id } changed { id } removed { id } } } } }', {}, 'tok-author');
    expect(v.data!.playbookVersions.current).toBe(2);
    expect(v.data!.playbookVersions.versions[0]).toEqual({
      version: 2,
      action: 'deploy',
      by: 'wang.author',
      person: 'wang.author',
      basedOn: 1,
      diff: { added: [], changed: [{ id: 'ssh-block' }], removed: [] },
    });
    const deploys = (await audit()).filter((a) => a.action === 'playbooks.deploy');
    expect(deploys.map((a) => [a.actor, a.decision])).toEqual([
      ['chen.analyst', 'deny'],
      ['anonymous', 'deny'],
      ['wang.author', 'allow'],
    ]);
    expect(deploys[2]!.details).toMatchObject({ version: 2, basedOn: 1, diff: { changed: ['ssh-block'], added: [], removed: [] } });
    const now = (await (await editor('/flows', { token: 'tok-author' })).json()) as Flows;
    expect(now.flows.find((f) => f.id === 'ssh-block')!.hours).toBe(12);

    const rolled = await h.gql<{ rollbackPlaybooks: { version: number; action: string; by: string; diff: { changed: { id: string }[] } } }>(
      'mutation { rollbackPlaybooks(version: 1) { version action by diff { changed { id } } } }',
      {},
      'tok-author',
    );
    expect(rolled).toEqual({ data: { rollbackPlaybooks: { version: 3, action: 'rollback', by: 'wang.author', diff: { changed: [{ id: 'ssh-block' }] } } } });
    const after = (await (await editor('/flows', { token: 'tok-author' })).json()) as Flows;
    expect(after.flows.find((f) => f.id === 'ssh-block')!.hours).toBe(24);
    expect(after.rev).toBe(before.rev);
    expect((await audit()).filter((a) => a.action === 'playbooks.rollback').map((a) => [a.actor, a.decision, a.resource])).toEqual([
      ['wang.author', 'allow', 'playbooks:v1'],
    ]);
    const analystRollback = await h.gql('mutation { rollbackPlaybooks(version: 2) { version } }', {}, 'tok-analyst');
    expect(analystRollback.errors?.[0]?.message).toBe('playbooks.rollback needs the permission playbooks:author, which roles analyst do not grant');
  });

  it('refuses a deploy of node types it does not run, installing modules, and paths beside the editor', async () => {
    const before = (await (await editor('/flows', { token: 'tok-author' })).json()) as Flows;
    const withFunction = [...before.flows, { id: 'fn1', type: 'function', z: 'citysoc-pb-ssh-brute-force', func: 'return global.process', wires: [[]] }];
    const r = await editor('/flows', { method: 'POST', token: 'tok-author', body: JSON.stringify({ flows: withFunction, rev: before.rev }) });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { message: string }).message).toBe(
      'the flows use node types this platform does not run: function (code-running and host-reaching core nodes are left out on purpose); nothing was deployed',
    );
    const after = (await (await editor('/flows', { token: 'tok-author' })).json()) as Flows;
    expect(after.rev).toBe(before.rev);
    const last = (await audit()).filter((a) => a.action === 'playbooks.deploy').at(-1)!;
    expect([last.actor, last.decision]).toEqual(['wang.author', 'failure']);
    const install = await editor('/nodes', { method: 'POST', token: 'tok-author', body: JSON.stringify({ module: 'node-red-contrib-anything' }) });
    // With installs off Node-RED has no such route at all.
    expect([install.status, ((await install.json()) as { message: string }).message]).toEqual([404, 'no route POST /nodes']);
    expect((await fetch(`${h.url}/playbooks/editorx/flows`, { headers: { authorization: 'Bearer tok-author' } })).status).toBe(404);
  });

  it('runs a deploy made on another replica once it syncs', async () => {
    const head = await h.pb.versions.head();
    const cur = (await h.pb.versions.get(head))!;
    const flows = cur.flows.map((f) => (f.id === 'ssh-block' ? { ...f, hours: 6 } : f));
    await h.pb.versions.commit({
      flows,
      credentials: cur.credentials,
      basedOn: head,
      by: 'other.replica',
      person: 'other.replica',
      action: 'deploy',
      message: 'elsewhere',
    });
    await h.pb.sync();
    const now = (await (await editor('/flows', { token: 'tok-author' })).json()) as Flows;
    expect(now.flows.find((f) => f.id === 'ssh-block')!.hours).toBe(6);
    const v = await h.gql<{ playbookVersions: { current: number } }>('{ playbookVersions { current } }', {}, 'tok-author');
    expect(v.data!.playbookVersions.current).toBe(head + 1);
    // Put the shipped settings back for the tests that follow.
    await h.pb.versions.commit({
      flows: cur.flows,
      credentials: cur.credentials,
      basedOn: head + 1,
      by: 'other.replica',
      person: 'other.replica',
      action: 'deploy',
      message: 'back',
    });
    await h.pb.sync();
  });

  it('ssh brute force: blocks the source for 24 h and annotates the alert', async () => {
    await h.gql('mutation($id:ID!){ enablePlaybook(id:$id) { enabled } }', { id: 'citysoc-pb-ssh-brute-force' }, 'tok-admin');
    await h.publish(
      testAlert({
        id: 'alert-ssh-1',
        rule: { id: 'ad814613-1f7e-4fdb-880b-033b3f69c4b8', name: 'SSH Brute Force From One Address', type: 'correlation', severity: 'medium' },
        entities: [{ type: 'ip', value: '198.51.100.23' }],
        department: DEPT,
      }),
    );
    const runs = await until('the ssh run', async () => {
      const r = await h.gql<{ playbookRuns: { id: string; status: string }[] }>(
        '{ playbookRuns(playbookId:"citysoc-pb-ssh-brute-force") { id status } }',
        {},
        'tok-admin',
      );
      const x = r.data!.playbookRuns;
      return x.length && x[0]!.status === 'succeeded' ? x : undefined;
    });
    const detail = await runDetail(runs[0]!.id);
    expect(detail.steps.map((s) => [s.nodeId, s.status])).toEqual([
      ['ssh-in', 'succeeded'],
      ['ssh-block', 'succeeded'],
      ['ssh-annotate', 'succeeded'],
    ]);
    const block = detail.steps[1]!.output as { cidr: string; until: string };
    expect(block.cidr).toBe('198.51.100.23/32');
    expect(Date.parse(block.until) - Date.now()).toBeGreaterThan(23.9 * 3_600_000);
    expect([h.t.sourceBlocked('198.51.100.23'), h.t.sourceBlocked('198.51.100.24')]).toEqual([true, false]);
    const a = (await h.t.alerts.get('alert-ssh-1'))!;
    expect([a.status, a.history.at(-1)!.comment]).toEqual([
      'acknowledged',
      `source 198.51.100.23/32 blocked until ${block.until} by playbook SSH 暴力破解 SSH brute force`,
    ]);
  });

  it('risky account: asks for approval only when the account is privileged or 涉密 data is involved; isolates, notifies the security contact and opens a case', async () => {
    h.t.directory.users.set('wu.dba', { name: 'wu.dba', department: DEPT, privileged: true, securityContact: { webhook: owner.url } });
    h.t.directory.users.set('ma.clerk', { name: 'ma.clerk', department: DEPT, privileged: false, securityContact: { webhook: owner.url } });
    await h.gql('mutation($id:ID!){ enablePlaybook(id:$id) { enabled } }', { id: 'citysoc-pb-risky-account' }, 'tok-admin');
    const ueba = (id: string, user: string) =>
      testAlert({
        id,
        rule: { id: 'ueba-offhours', name: 'UEBA off-hours access', type: 'ueba', severity: 'high' },
        entities: [{ type: 'user', value: user }],
        department: DEPT,
      });
    const before = owner.received.length;
    await h.publish(ueba('alert-ueba-clerk', 'ma.clerk'));
    await h.publish(ueba('alert-ueba-dba', 'wu.dba'));
    const approval = await until('the approval for the privileged account', async () =>
      (await pending('tok-lead')).find((a) => a.context.alert.id === 'alert-ueba-dba'),
    );
    expect(approval.excluded).toEqual(['wu.dba']);
    await until('the clerk isolated without approval', () => h.t.policy.authorizer.isolation('ma.clerk', new Date()) !== null);
    expect(h.t.policy.authorizer.isolation('wu.dba', new Date())).toBeNull();
    await h.gql('mutation($id:ID!){ approvePlaybookStep(id:$id) { status } }', { id: approval.id }, 'tok-lead');
    await until('the dba isolated', () => h.t.policy.authorizer.isolation('wu.dba', new Date()) !== null);
    await until('both runs to succeed', async () => {
      const r = await h.gql<{ playbookRuns: { status: string }[] }>('{ playbookRuns(playbookId:"citysoc-pb-risky-account") { status } }', {}, 'tok-admin');
      return r.data!.playbookRuns.length === 2 && r.data!.playbookRuns.every((x) => x.status === 'succeeded');
    });
    expect(owner.received.length - before).toBe(2);
    expect(
      [...h.t.cases.values()]
        .filter((c) => c.title.startsWith('风险账号'))
        .map((c) => c.title)
        .sort(),
    ).toEqual(['风险账号 Risky account: ma.clerk', '风险账号 Risky account: wu.dba']);
  });

  it('signs the editor’s live connection on with the CitySOC session, and refuses an unknown token', async () => {
    expect(await comms(h.url, 'tok-author')).toBe('{"auth":"ok"}');
    expect(await comms(h.url, 'tok-nobody')).toBe('{"auth":"fail"}');
  });
});

/** Opens the editor's WebSocket (/playbooks/editor/comms) through the platform's server and sends the auth packet the editor sends. */
function comms(base: string, token: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/playbooks/editor/comms`, {
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': randomBytes(16).toString('base64') },
    });
    req.on('upgrade', (_res, socket) => {
      socket.write(maskedTextFrame(JSON.stringify({ auth: token })));
      socket.once('data', (b: Buffer) => {
        // A short unmasked text frame from the server: opcode, length, payload.
        resolve(b.subarray(2, 2 + (b[1]! & 0x7f)).toString('utf8'));
        socket.destroy();
      });
    });
    req.on('response', (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
    req.on('error', reject);
    req.end();
  });
}

/** A client's WebSocket text frame (clients must mask), for payloads under 126 bytes. */
function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = randomBytes(4);
  const out = Buffer.alloc(6 + payload.length);
  out[0] = 0x81;
  out[1] = 0x80 | payload.length;
  mask.copy(out, 2);
  for (let i = 0; i < payload.length; i++) out[6 + i] = payload[i]! ^ mask[i % 4]!;
  return out;
}
