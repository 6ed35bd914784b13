/**
 * Each node of the CitySOC palette on node-red-node-test-helper: what it does as the playbook,
 * what a dry run records instead, how it fails, and the run it leaves in the store.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deterministicId } from '../runs/envelope';
import { helper, paletteFixture, type PaletteFixture, until } from '../test-support/palette-fixture';
import { type Receiver, receiver } from '../test-support/receiver';
import { smtpSink, type SmtpSink } from '../test-support/smtp-sink';
import { testAlert } from '../test-support/test-host';
import { ScheduleTrigger } from './triggers';

const U = 'zhang.wei';
const alert = (over: Parameters<typeof testAlert>[0] = {}) =>
  testAlert({
    id: 'a-1',
    rule: { id: 'rule-x', name: 'Rule X' },
    entities: [
      { type: 'user', value: U },
      { type: 'ip', value: '203.0.113.9' },
    ],
    department: '城管',
    ...over,
  });
const inNode = (next: string) => ({ id: 'in', type: 'citysoc-alert-in', z: 'f1', rules: 'rule-x', wires: [[next]] });

async function runOf(f: PaletteFixture, alertId = 'a-1') {
  const id = deterministicId('run', 'in', alertId);
  return until(`run ${id} to finish`, async () => {
    const r = await f.store.getRun(id);
    return r && !['running', 'retrying', 'waiting'].includes(r.status) ? r : undefined;
  });
}

async function fire(f: PaletteFixture, a = alert()) {
  await f.t.alerts.upsert(a, 0);
  await f.bus.publish('citysoc.alerts', [{ key: a.id, value: a }]);
}

describe('palette actions', () => {
  let f: PaletteFixture;
  let hook: Receiver;
  let smtp: SmtpSink;
  beforeEach(async () => {
    hook = await receiver();
    smtp = await smtpSink();
    f = await paletteFixture({
      outboundAllow: [hook.origin],
      mail: { host: '127.0.0.1', port: smtp.port, secure: false, requireTls: false, from: 'soc@citysoc.local', timeoutMs: 2000 },
      firewall: { url: hook.url, token: 'fw-token' },
    });
  });
  afterEach(async () => {
    await f.close();
    await hook.down();
    await smtp.close();
  });

  it('isolate account: the PDP refuses the account until the period ends; the isolation names the playbook, the person and the step', async () => {
    await f.load([inNode('iso'), { id: 'iso', type: 'citysoc-isolate-account', z: 'f1', hours: 2, reason: 'test {{alert.rule.name}}', wires: [[]] }]);
    const before = Date.now();
    await fire(f);
    const run = await runOf(f);
    expect(run.status).toBe('succeeded');
    const iso = f.t.policy.authorizer.isolation(U, new Date());
    expect(iso).not.toBeNull();
    const until2h = Date.parse((await f.store.getStep(run.id, 'iso'))!.output!['until' as never] as string);
    expect(until2h - before).toBeGreaterThanOrEqual(2 * 3_600_000 - 1000);
    expect(f.t.policy.authorizer.isolation(U, new Date(Date.now() + 2 * 3_600_000 + 60_000))).toBeNull();
    const rec = (await f.t.audit.query({ action: 'isolation.isolate' }))[0]!;
    expect(rec).toMatchObject({
      actor: 'playbook:f1',
      actorType: 'playbook',
      resource: `user:${U}`,
      decision: 'allow',
      details: { person: 'lead', run: { playbookId: 'f1', runId: run.id, step: 'iso' } },
    });
  });

  it('release account lifts an isolation, and says so when there was none', async () => {
    await f.load([
      inNode('iso'),
      { id: 'iso', type: 'citysoc-isolate-account', z: 'f1', hours: 0, wires: [['rel']] },
      { id: 'rel', type: 'citysoc-release-account', z: 'f1', reason: 'cleared by {{citysoc.playbookName}}', wires: [['rel2']] },
      { id: 'rel2', type: 'citysoc-release-account', z: 'f1', wires: [[]] },
    ]);
    await fire(f);
    const run = await runOf(f);
    expect(run.status).toBe('succeeded');
    expect((await f.store.getStep(run.id, 'iso'))!.output).toMatchObject({ user: U });
    expect((await f.store.getStep(run.id, 'rel'))!.output).toEqual({ user: U, released: true });
    expect((await f.store.getStep(run.id, 'rel2'))!.output).toEqual({ user: U, released: false });
    expect(f.t.policy.authorizer.isolation(U, new Date())).toBeNull();
    // Both releases are audited (the second found nothing to lift), each with its own reason; newest first.
    expect((await f.t.audit.query({ action: 'isolation.release' })).map((r) => [r.actor, (r.details as { reason?: string }).reason])).toEqual([
      ['playbook:f1', 'playbook f1: Rule X'],
      ['playbook:f1', 'cleared by f1'],
    ]);
  });

  it('dry run: the actions after it change nothing and record what they would do', async () => {
    await f.load([
      inNode('dry'),
      { id: 'dry', type: 'citysoc-dry-run', z: 'f1', wires: [['iso']] },
      { id: 'iso', type: 'citysoc-isolate-account', z: 'f1', hours: 0, wires: [['blk']] },
      { id: 'blk', type: 'citysoc-block-source', z: 'f1', hours: 1, wires: [[]] },
    ]);
    await fire(f);
    const run = await runOf(f);
    const steps = await f.store.listSteps(run.id);
    expect(steps.map((s) => [s.nodeId, s.status, s.dryRun ?? false])).toEqual([
      ['in', 'succeeded', false],
      ['dry', 'succeeded', true],
      ['iso', 'succeeded', true],
      ['blk', 'succeeded', true],
    ]);
    expect(steps[2]!.output).toEqual({ dryRun: true, user: U, until: null });
    expect(steps[3]!.output).toMatchObject({ dryRun: true, cidr: '203.0.113.9/32', firewall: true });
    expect(f.t.calls).toEqual([]);
    expect(f.t.policy.authorizer.isolation(U, new Date())).toBeNull();
    expect(hook.received).toHaveLength(0);
  });

  it('block source: the address is refused at the edge, and the firewall told with its token', async () => {
    await f.load([inNode('blk'), { id: 'blk', type: 'citysoc-block-source', z: 'f1', hours: 24, wires: [[]] }]);
    await fire(f);
    const run = await runOf(f);
    expect(run.status).toBe('succeeded');
    expect([f.t.sourceBlocked('203.0.113.9'), f.t.sourceBlocked('203.0.113.10')]).toEqual([true, false]);
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0]!.headers.authorization).toBe('Bearer fw-token');
    expect(hook.received[0]!.body).toMatchObject({ action: 'block', cidr: '203.0.113.9/32', runId: run.id });
    expect((await f.t.audit.query({ action: 'playbooks.firewall_block' })).map((r) => [r.actor, r.decision, r.resource])).toEqual([
      ['playbook:f1', 'allow', 'source:203.0.113.9/32'],
    ]);
  });

  it('block source refuses the platform’s own networks: the step fails at once, without retry', async () => {
    await f.load([inNode('blk'), { id: 'blk', type: 'citysoc-block-source', z: 'f1', source: '127.0.0.1', wires: [[]] }]);
    await fire(f);
    const run = await runOf(f);
    expect(run).toMatchObject({ status: 'failed', failedSteps: ['blk'] });
    expect(await f.store.getStep(run.id, 'blk')).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: '127.0.0.1/32 overlaps the protected block 127.0.0.0/8; playbooks never block it',
    });
    expect(f.t.calls).toEqual([]);
  });

  it('notify by mail: one mail to the contacts from the enrichment, with a Message-ID of the run and step', async () => {
    f.t.directory.users.set(U, { name: U, privileged: false, securityContact: { name: 'sec', email: 'sec@city.gov.cn' } });
    await f.load([
      inNode('enrich'),
      { id: 'enrich', type: 'citysoc-enrich', z: 'f1', wires: [['tell']] },
      // Not called "mail": Node-RED takes a setting equal to a node id ("channel: mail") for a reference to that node.
      {
        id: 'tell',
        type: 'citysoc-notify',
        z: 'f1',
        channel: 'mail',
        to: 'msg.enrichment.summary.securityContacts, duty@city.gov.cn',
        subject: '告警 {{alert.rule.name}}',
        text: 'user {{alert.entities.0.value}}',
        wires: [[]],
      },
    ]);
    await fire(f);
    const run = await runOf(f);
    expect(run.status).toBe('succeeded');
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]!.to).toEqual(['sec@city.gov.cn', 'duty@city.gov.cn']);
    expect(smtp.mails[0]!.data).toContain(`Message-ID: <${run.id}.tell@citysoc>`);
    expect(smtp.mails[0]!.data).toContain(`user ${U}`);
  });

  it('notify fails with the reason when nobody is named, and an origin not allowed is refused without retry', async () => {
    await f.load([
      inNode('n1'),
      { id: 'n1', type: 'citysoc-notify', z: 'f1', to: 'msg.enrichment.summary.dataOwners', wires: [[]] },
      { id: 'in2', type: 'citysoc-alert-in', z: 'f1', rules: 'rule-y', wires: [['n2']] },
      { id: 'n2', type: 'citysoc-notify', z: 'f1', to: 'http://203.0.113.50/hook', wires: [[]] },
    ]);
    await fire(f);
    const run = await runOf(f);
    expect(await f.store.getStep(run.id, 'n1')).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: 'nobody to notify: msg.enrichment.summary.dataOwners names no webhook',
    });
    await fire(f, alert({ id: 'a-2', rule: { id: 'rule-y' } }));
    const id2 = deterministicId('run', 'in2', 'a-2');
    await until('run 2 to fail', async () => (await f.store.getRun(id2))?.status === 'failed');
    expect(await f.store.getStep(id2, 'n2')).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: 'outbound requests to http://203.0.113.50 are not allowed; add the origin to playbooks.outbound.allow',
    });
    expect((await f.t.audit.query({ action: 'playbooks.notify' })).map((r) => r.decision)).toEqual(['deny']);
  });

  it('http request: credentials from the credential store, the payload as JSON, the answer on msg.response', async () => {
    await f.load(
      [
        inNode('req'),
        { id: 'req', type: 'citysoc-http-request', z: 'f1', method: 'POST', url: `${hook.origin}/tickets/{{alert.id}}`, auth: 'bearer', wires: [['upd']] },
        { id: 'upd', type: 'citysoc-update-alert', z: 'f1', comment: 'ticket answered {{response.status}}', wires: [[]] },
      ],
      { req: { token: 's3cret' } },
    );
    await fire(f);
    const run = await runOf(f);
    expect(run.status).toBe('succeeded');
    expect(hook.received.map((r) => [r.path, r.headers.authorization, r.headers['idempotency-key']])).toEqual([
      ['/tickets/a-1', 'Bearer s3cret', `${run.id}:req`],
    ]);
    expect(hook.received[0]!.body).toBe('a-1');
    expect((await f.t.alerts.get('a-1'))!.history.at(-1)).toMatchObject({ actor: 'playbook:f1', comment: 'ticket answered 200' });
    const rec = (await f.t.audit.query({ action: 'playbooks.http_request' }))[0]!;
    expect(rec.resource).toBe(`http:POST ${hook.origin}/tickets/a-1`);
    expect(JSON.stringify(rec)).not.toContain('s3cret');
    expect(JSON.stringify(await f.store.listSteps(run.id))).not.toContain('s3cret');
  });

  it('open case once per run and node, then add to it; search events under the playbook actor', async () => {
    f.t.events.push({ 'user.name': U, message: 'exported 1,000,000 rows' }, { 'user.name': 'other', message: 'x' });
    await f.load([
      inNode('search'),
      { id: 'search', type: 'citysoc-search-events', z: 'f1', query: 'user.name:{{alert.entities.0.value}}', size: 10, wires: [['case']] },
      { id: 'case', type: 'citysoc-open-case', z: 'f1', title: 'Case for {{alert.entities.0.value}} ({{events.total}} events)', wires: [['add']] },
      { id: 'add', type: 'citysoc-add-to-case', z: 'f1', comment: 'evidence: {{events.events.0.message}}', wires: [[]] },
    ]);
    await fire(f);
    const run = await runOf(f);
    expect(run.status).toBe('succeeded');
    const cases = [...f.t.cases.values()];
    expect(cases.map((c) => [c.title, c.alertIds, c.comments, c.severity, c.department])).toEqual([
      [`Case for ${U} (1 events)`, ['a-1'], ['evidence: exported 1,000,000 rows'], 'high', '城管'],
    ]);
    expect(f.t.calls).toEqual([`search:user.name:${U}`, `case:open:Case for ${U} (1 events)`, `case:add:${cases[0]!.id}`]);
  });

  it('an action outside a run fails with the reason, and a node with bad settings fails every message with it', async () => {
    await f.load([
      { id: 'inj', type: 'helper', z: 'f1', wires: [['iso']] },
      { id: 'iso', type: 'citysoc-isolate-account', z: 'f1', wires: [[]] },
      { id: 'bad', type: 'citysoc-update-alert', z: 'f1', status: 'finished', wires: [[]] },
    ]);
    const errors: string[] = [];
    const iso = helper.getNode('iso')!;
    const bad = helper.getNode('bad')!;
    iso.on('call:error', (c: unknown) => errors.push(String((c as { args: unknown[] }).args[0])));
    bad.on('call:error', (c: unknown) => errors.push(String((c as { args: unknown[] }).args[0])));
    iso.receive({ payload: 1 });
    bad.receive({ payload: 1 });
    await until('both errors', () => errors.length >= 2);
    expect(errors).toContain(
      'Error: citysoc-isolate-account acts only inside a playbook run: start the flow with a CitySOC trigger (alert in, risk level, schedule, manual)',
    );
    expect(errors).toContain("Error: invalid settings: alert status 'finished' is not one of open, acknowledged, in_progress, closed");
    expect(f.t.calls).toEqual([]);
  });
});

describe('palette control and triggers', () => {
  let f: PaletteFixture;
  beforeEach(async () => {
    f = await paletteFixture();
  });
  afterEach(() => f.close());

  const approvalFlow = (timeoutHours = 24) => [
    inNode('ask'),
    {
      id: 'ask',
      type: 'citysoc-approval',
      z: 'f1',
      question: 'isolate {{alert.entities.0.value}}?',
      approverRole: 'security_lead',
      timeoutHours,
      wires: [['yes'], ['no'], ['late']],
    },
    { id: 'yes', type: 'citysoc-update-alert', z: 'f1', comment: 'approved by {{approval.by}}', wires: [[]] },
    { id: 'no', type: 'citysoc-update-alert', z: 'f1', comment: 'rejected by {{approval.by}}: {{approval.comment}}', wires: [[]] },
    { id: 'late', type: 'citysoc-update-alert', z: 'f1', comment: 'no answer', wires: [[]] },
  ];

  it.each([
    ['approved', 'yes', 'approved by li'],
    ['rejected', 'no', 'rejected by li: not now'],
  ] as const)('an approval %s sends the run down its branch', async (status, branch, comment) => {
    await f.load(approvalFlow());
    await fire(f);
    const a = await until('the approval', async () => (await f.store.listApprovals({ status: ['pending'], limit: 5 }))[0]);
    expect(a).toMatchObject({ question: `isolate ${U}?`, approverRole: 'security_lead', excluded: [U], department: '城管', context: { alert: { id: 'a-1' } } });
    await until('the run to wait', async () => (await f.store.getRun(a.runId))!.status === 'waiting');
    await f.engine.answer(a.id, { status, by: 'li', at: new Date().toISOString(), comment: 'not now' });
    const run = await runOf(f);
    expect(run.status).toBe('succeeded');
    expect((await f.store.listSteps(run.id)).map((s) => s.nodeId)).toEqual(['in', 'ask', branch]);
    expect((await f.t.alerts.get('a-1'))!.history.at(-1)!.comment).toBe(comment);
    await expect(f.engine.answer(a.id, { status: 'approved', by: 'wu', at: new Date().toISOString() })).rejects.toThrow(
      `approval ${a.id} is ${status} (by li at`,
    );
  });

  it('an approval that nobody answers times out down the third branch', async () => {
    await f.load(approvalFlow(0.0003));
    await fire(f);
    const run = await runOf(f);
    expect((await f.store.listSteps(run.id)).map((s) => s.nodeId)).toEqual(['in', 'ask', 'late']);
    const a = (await f.store.listApprovals({ runId: run.id, limit: 1 }))[0]!;
    expect(a).toMatchObject({ status: 'timed_out', answeredBy: 'system' });
  });

  it('retries a step that fails transiently and performs it once it passes', async () => {
    f.t.failNext('enrich', 2);
    await f.load([inNode('enrich'), { id: 'enrich', type: 'citysoc-enrich', z: 'f1', wires: [[]] }]);
    await fire(f);
    const run = await runOf(f);
    expect(run.status).toBe('succeeded');
    expect(await f.store.getStep(run.id, 'enrich')).toMatchObject({ status: 'succeeded', attempts: 3 });
    expect(f.t.calls).toEqual([`enrich:${U},203.0.113.9`, `enrich:${U},203.0.113.9`, `enrich:${U},203.0.113.9`]);
    expect((await f.t.audit.query({ action: 'entities.enrich' })).map((r) => r.decision).sort()).toEqual(['allow', 'failure', 'failure']);
  });

  it('keeps a step per item when a split fans a run out, each performed once', async () => {
    await f.load([
      inNode('fan'),
      // Ids differ from type names: Node-RED reads a setting equal to a node id as a reference to it.
      {
        id: 'fan',
        type: 'split',
        z: 'f1',
        splt: '\\n',
        spltType: 'str',
        arraySplt: 1,
        arraySpltType: 'len',
        stream: false,
        addname: '',
        property: 'alert.entities',
        wires: [['tag']],
      },
      { id: 'tag', type: 'change', z: 'f1', rules: [{ t: 'set', p: 'target', pt: 'msg', to: 'alert.entities.value', tot: 'msg' }], wires: [['iso']] },
      { id: 'iso', type: 'citysoc-isolate-account', z: 'f1', user: 'msg.target', hours: 1, wires: [[]] },
    ]);
    await fire(
      f,
      alert({
        entities: [
          { type: 'user', value: 'u1' },
          { type: 'user', value: 'u2' },
        ],
      }),
    );
    const run = await runOf(f);
    expect(run.status).toBe('succeeded');
    expect((await f.store.listSteps(run.id)).map((s) => [s.key, s.status])).toEqual([
      ['in', 'succeeded'],
      ['iso#0', 'succeeded'],
      ['iso#1', 'succeeded'],
    ]);
    expect(f.t.calls.sort()).toEqual(['isolate:u1', 'isolate:u2']);
  });

  it('follows a run through a switch (which never reports done): on along the branch taken, and finished when it drops the message', async () => {
    await f.load([
      inNode('sw'),
      {
        id: 'sw',
        type: 'switch',
        z: 'f1',
        property: 'alert.rule.severity',
        propertyType: 'msg',
        rules: [{ t: 'eq', v: 'high', vt: 'str' }],
        checkall: 'true',
        repair: false,
        outputs: 1,
        wires: [['enrich']],
      },
      { id: 'enrich', type: 'citysoc-enrich', z: 'f1', wires: [[]] },
    ]);
    await fire(f);
    const high = await runOf(f);
    expect(high.status).toBe('succeeded');
    expect((await f.store.listSteps(high.id)).map((s) => s.nodeId)).toEqual(['in', 'enrich']);
    await fire(f, alert({ id: 'a-low', rule: { id: 'rule-x', severity: 'low' } }));
    const low = await runOf(f, 'a-low');
    expect(low.status).toBe('succeeded');
    expect((await f.store.listSteps(low.id)).map((s) => s.nodeId)).toEqual(['in']);
  });

  it('records the failure of a core node in the step log and fails the run', async () => {
    await f.load([inNode('parse'), { id: 'parse', type: 'json', z: 'f1', property: 'alert.rule.name', action: 'obj', wires: [[]] }]);
    await fire(f);
    const run = await runOf(f);
    expect(run).toMatchObject({ status: 'failed', failedSteps: ['parse'] });
    expect(await f.store.getStep(run.id, 'parse')).toMatchObject({ nodeType: 'json', status: 'failed', error: expect.stringContaining('JSON') });
  });

  it('risk level starts a run when a score crosses the level upwards, once per crossing', async () => {
    await f.load([
      { id: 'risk', type: 'citysoc-risk-level', z: 'f1', level: 80, entityType: 'user', wires: [['enrich']] },
      { id: 'enrich', type: 'citysoc-enrich', z: 'f1', wires: [[]] },
    ]);
    const at = new Date().toISOString();
    f.t.emitRisk({ entity: { type: 'user', value: 'wu' }, from: 50, to: 85, at, department: '城管' });
    f.t.emitRisk({ entity: { type: 'user', value: 'wu' }, from: 50, to: 85, at, department: '城管' });
    f.t.emitRisk({ entity: { type: 'user', value: 'wu' }, from: 85, to: 90, at: new Date(Date.now() + 1).toISOString() });
    f.t.emitRisk({ entity: { type: 'host', value: 'web-1' }, from: 0, to: 100, at });
    await until('one run', async () => (await f.store.listRuns({ limit: 5 })).some((r) => r.status === 'succeeded'));
    await f.engine.idle();
    const runs = await f.store.listRuns({ limit: 5 });
    expect(runs.map((r) => [r.trigger.kind, r.trigger.entity, r.department])).toEqual([['risk', 'user:wu', '城管']]);
    expect(f.t.calls).toEqual(['enrich:wu']);
  });

  it('manual runs a playbook on an alert, accountable to the caller, and refuses a playbook without a manual trigger', async () => {
    await f.load([
      { id: 'man', type: 'citysoc-manual', z: 'f1', wires: [['enrich']] },
      { id: 'enrich', type: 'citysoc-enrich', z: 'f1', wires: [[]] },
    ]);
    const a = alert();
    const ids = await f.palette.runManual({ kind: 'user', name: 'wu', person: 'wu', roles: ['analyst'] }, 'f1', a, false);
    expect(ids).toHaveLength(1);
    const run = await until('the manual run', async () => {
      const r = await f.store.getRun(ids[0]!);
      return r?.status === 'succeeded' ? r : undefined;
    });
    expect([run.person, run.trigger.kind, run.trigger.alertId]).toEqual(['wu', 'manual', 'a-1']);
    await expect(f.palette.runManual({ kind: 'user', name: 'wu', person: 'wu', roles: ['analyst'] }, 'f2', a, false)).rejects.toThrow(
      'playbook f2 has no manual trigger deployed; add a "manual" node to run it by hand',
    );
  });

  it('schedule refuses a time that is not one, and slots are minutes apart on the clock', async () => {
    expect(() => ScheduleTrigger.parse({ at: '25:00' })).toThrow("'25:00' is not a time of day such as 02:30");
    expect(() => ScheduleTrigger.parse({ every: 0 })).toThrow('give a daily time (HH:MM) or an interval of 1 to 10080 minutes');
    expect(ScheduleTrigger.next({ everyMinutes: 15 }, new Date('2026-11-20T02:07:00Z')).toISOString()).toBe('2026-11-20T02:15:00.000Z');
    const daily = ScheduleTrigger.next({ at: '02:30' }, new Date(2026, 10, 20, 3, 0));
    expect([daily.getDate(), daily.getHours(), daily.getMinutes()]).toEqual([21, 2, 30]);
  });
});

describe('a flow cannot rewrite the run it belongs to', () => {
  let f: PaletteFixture;
  beforeEach(async () => {
    f = await paletteFixture();
  });
  afterEach(() => f.close());
  const set = (id: string, path: string, to: unknown, next: string) => ({
    id,
    type: 'change',
    z: 'f1',
    rules: [{ t: 'set', p: path, pt: 'msg', to: typeof to === 'string' ? to : JSON.stringify(to), tot: typeof to === 'string' ? 'str' : 'bool' }],
    wires: [[next]],
  });

  it('acts for the person accountable for the run, whoever the message names', async () => {
    await f.load([
      inNode('forge'),
      set('forge', 'citysoc.person', 'admin', 'iso'),
      { id: 'iso', type: 'citysoc-isolate-account', z: 'f1', hours: 1, wires: [[]] },
    ]);
    await fire(f);
    const run = await runOf(f);
    expect(run.status).toBe('succeeded');
    expect((await f.t.audit.query({ action: 'isolation.isolate' }))[0]!.details).toMatchObject({ person: 'lead' });
  });

  it('stays a dry run after the dry-run node, even when the message says otherwise', async () => {
    await f.load([
      inNode('dry'),
      { id: 'dry', type: 'citysoc-dry-run', z: 'f1', wires: [['undo']] },
      set('undo', 'citysoc.dryRun', false, 'iso'),
      { id: 'iso', type: 'citysoc-isolate-account', z: 'f1', hours: 1, wires: [[]] },
    ]);
    await fire(f);
    const run = await runOf(f);
    expect(run.dryRun).toBe(true);
    expect(await f.store.getStep(run.id, 'iso')).toMatchObject({ status: 'succeeded', dryRun: true });
    expect(f.t.calls).toEqual([]);
    expect(f.t.policy.authorizer.isolation(U, new Date())).toBeNull();
  });

  it('refuses a message that names a run of another playbook', async () => {
    await f.load([
      inNode('enrich'),
      { id: 'enrich', type: 'citysoc-enrich', z: 'f1', wires: [[]] },
      { id: 'in2', type: 'citysoc-alert-in', z: 'f2', rules: 'rule-y', wires: [['steal']] },
      set('steal', 'citysoc.runId', deterministicId('run', 'in', 'a-1'), 'iso2'),
      { id: 'iso2', type: 'citysoc-isolate-account', z: 'f2', wires: [[]] },
    ]);
    await f.catalog.setEnabled('f2', true, 'mallory', new Date());
    await fire(f);
    await runOf(f);
    await fire(f, alert({ id: 'a-2', rule: { id: 'rule-y' } }));
    const other = deterministicId('run', 'in2', 'a-2');
    const failed = await until('the second run to fail', async () => {
      const r = await f.store.getRun(other);
      return r?.status === 'failed' ? r : undefined;
    });
    expect(failed.failedSteps).toEqual(['iso2']);
    expect((await f.store.getStep(other, 'iso2'))!.error).toBe(
      `citysoc-isolate-account: a message of run ${deterministicId('run', 'in', 'a-1')} (playbook f1) reached playbook f2; a run stays on its playbook`,
    );
    expect(f.t.calls.filter((c) => c.startsWith('isolate'))).toEqual([]);
    expect((await f.store.listSteps(deterministicId('run', 'in', 'a-1'))).map((s) => s.nodeId)).toEqual(['in', 'enrich']);
  });
});

describe('a http request node without the credential it needs', () => {
  let f: PaletteFixture;
  let server: Server;
  let origin: string;
  beforeAll(async () => {
    server = createServer((_q, s) => s.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(async () => {
    f = await paletteFixture({ outboundAllow: [origin] });
  });
  afterEach(() => f.close());

  it('fails the step naming the missing credential', async () => {
    await f.load([inNode('req'), { id: 'req', type: 'citysoc-http-request', z: 'f1', method: 'GET', url: `${origin}/x`, auth: 'basic', wires: [[]] }]);
    await fire(f);
    const run = await runOf(f);
    expect(await f.store.getStep(run.id, 'req')).toMatchObject({ status: 'failed', attempts: 1, error: 'the user is missing from the node credentials' });
  });
});
