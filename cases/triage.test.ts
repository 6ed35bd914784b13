import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadContent } from '../analytics/engine/content';
import { getPipeline } from '../analytics/sigma/pipelines';
import type { Alert } from '../core/alert';
import type { AuditRecord } from '../core/audit';
import { sampleAlert } from '../core/contracts/alert-store.contract';
import { casesFixture, type CasesFixture } from './test-support';

let f: CasesFixture;
/** The last record before the test: the policy's first start writes some. */
let before = 0;
beforeEach(async () => {
  f = await casesFixture();
  before = (await f.policy.audit.query({ size: 1 }))[0]?.seq ?? 0;
  for (const a of [
    sampleAlert('cg-1', { dedupKey: 'k1', lastSeen: '2026-11-20T01:00:00.000Z' }),
    sampleAlert('cg-2', {
      dedupKey: 'k2',
      lastSeen: '2026-11-20T01:10:00.000Z',
      rule: { id: 'r-low', name: 'Odd hour', type: 'ueba', severity: 'low', tags: [] },
    }),
    sampleAlert('ga-1', { dedupKey: 'k3', department: '公安', lastSeen: '2026-11-20T01:20:00.000Z' }),
  ])
    await f.alerts.upsert(a, 0);
});
afterEach(() => f.close());

/** The records the door wrote, oldest first. */
const trail = async (): Promise<AuditRecord[]> => f.policy.audit.query({ afterSeq: before, size: 1000 });
const ids = (alerts: readonly Alert[]) => alerts.map((a) => a.id);

describe('the alert queue', () => {
  it("an analyst of 城管 sees 城管's alerts only, filtered and counted, in one audited call", async () => {
    const wu = f.actor('wu');
    const all = await f.services.alerts.list(wu, {});
    expect([all.total, ids(all.alerts)]).toEqual([2, ['cg-2', 'cg-1']]);
    const high = await f.services.alerts.list(wu, { severity: ['high'], text: 'SSH' });
    expect([high.total, ids(high.alerts)]).toEqual([1, ['cg-1']]);
    const records = await trail();
    expect(records.map((r) => [r.action, r.decision, r.actor])).toEqual([
      ['alerts.list', 'allow', 'wu'],
      ['alerts.list', 'allow', 'wu'],
    ]);
    expect(records[1]!.details).toMatchObject({ total: 1, authz: [{ resource: 'alerts', rowFilter: 'department:"城管"' }] });
  });

  it('a central analyst sees every department; an explicit department narrows it', async () => {
    expect(ids((await f.services.alerts.list(f.actor('zhao'), {})).alerts)).toEqual(['ga-1', 'cg-2', 'cg-1']);
    expect(ids((await f.services.alerts.list(f.actor('zhao'), { department: '公安' })).alerts)).toEqual(['ga-1']);
  });

  it('refuses a bad query with what and where', async () => {
    await expect(f.services.alerts.list(f.actor('wu'), { size: 5000 })).rejects.toThrow(/alerts.list: size: /);
    await expect(f.services.alerts.list(f.actor('wu'), { from: 'yesterday' })).rejects.toThrow('alerts.list: from: expected an ISO 8601 time');
    await expect(f.services.alerts.list(f.actor('wu'), { bogus: 1 } as never)).rejects.toMatchObject({ code: 'INPUT_INVALID' });
  });

  it("another department's alert is answered exactly as an absent one, and the refusal is audited", async () => {
    const wu = f.actor('wu');
    const notYours = await f.services.alerts.get(wu, { id: 'ga-1' }).catch((e: Error & { code: string }) => [e.code, e.message]);
    const absent = await f.services.alerts.get(wu, { id: 'nope' }).catch((e: Error & { code: string }) => [e.code, e.message]);
    expect(notYours).toEqual(['NOT_FOUND', 'no alert ga-1']);
    expect(absent).toEqual(['NOT_FOUND', 'no alert nope']);
    await expect(f.services.alerts.comment(wu, { id: 'ga-1', comment: 'x' })).rejects.toThrow('no alert ga-1');
    expect((await trail()).map((r) => [r.action, r.decision, r.resource])).toEqual([
      ['alerts.get', 'deny', 'alert:ga-1'],
      ['alerts.get', 'failure', 'alert:nope'],
      ['alerts.comment', 'deny', 'alert:ga-1'],
    ]);
    expect((await f.alerts.get('ga-1'))!.history).toEqual([]);
  });
});

describe('working an alert', () => {
  it('a comment changes no status and is one audited action', async () => {
    const a = await f.services.alerts.comment(f.actor('wu'), { id: 'cg-1', comment: '源地址在封禁名单上' });
    expect([a.status, a.history]).toEqual(['open', [{ at: '2026-11-20T02:00:00.000Z', actor: 'wu', action: 'comment', comment: '源地址在封禁名单上' }]]);
    expect((await trail()).map((r) => [r.action, r.decision, r.resource, r.details?.department])).toEqual([['alerts.comment', 'allow', 'alert:cg-1', '城管']]);
  });

  it('assigns only to an existing user who may work the alert and see it', async () => {
    const wu = f.actor('wu');
    await expect(f.services.alerts.assign(wu, { id: 'cg-1', assignee: 'alice' })).rejects.toThrow(
      'alert cg-1 cannot be assigned to alice: not a user who may work this alert',
    );
    await expect(f.services.alerts.assign(wu, { id: 'cg-1', assignee: 'li' })).rejects.toThrow(
      'alert cg-1 cannot be assigned to li: not a user who may work this alert',
    );
    await expect(f.services.alerts.assign(wu, { id: 'cg-1', assignee: 'fb' })).rejects.toThrow(
      'alert cg-1 cannot be assigned to fb: not a user who may work this alert',
    );
    expect((await trail()).map((r) => [r.action, r.decision, r.details?.assigneeRefused])).toEqual([
      ['alerts.assign', 'failure', 'there is no user alice'],
      ['alerts.assign', 'failure', 'user li may not see alert cg-1'],
      ['alerts.assign', 'failure', 'user fb has no role that grants alerts:write'],
    ]);
    const a = await f.services.alerts.assign(wu, { id: 'cg-1', assignee: 'chen', comment: '请跟进' });
    expect([a.assignee, a.history.map((h) => h.action)]).toEqual(['chen', ['assign', 'comment']]);
    expect(ids((await f.services.alerts.list(wu, { assignee: 'chen' })).alerts)).toEqual(['cg-1']);
    const b = await f.services.alerts.assign(f.actor('chen'), { id: 'cg-1', assignee: null });
    expect(b.assignee).toBeUndefined();
    expect(ids((await f.services.alerts.list(wu, { unassigned: true })).alerts)).toEqual(['cg-2', 'cg-1']);
  });

  it("an auditor of the alert's own department is refused as assignee, by assignment and by a status move: reading an alert is not working it", async () => {
    f.users.set('sun', { roles: ['auditor'], department: '城管' });
    // sun may read the alert: only the permission to work it is missing
    expect((await f.services.alerts.get(f.actor('sun'), { id: 'cg-1' })).id).toBe('cg-1');
    const refused = { code: 'INPUT_INVALID', message: 'alert cg-1 cannot be assigned to sun: not a user who may work this alert' };
    await expect(f.services.alerts.assign(f.actor('wu'), { id: 'cg-1', assignee: 'sun' })).rejects.toMatchObject(refused);
    await expect(f.services.alerts.transition(f.actor('wu'), { id: 'cg-1', to: 'acknowledged', assignee: 'sun' })).rejects.toMatchObject(refused);
    const a = (await f.alerts.get('cg-1'))!;
    expect([a.status, a.assignee, a.history]).toEqual(['open', undefined, []]);
    expect((await trail()).slice(1).map((r) => [r.action, r.decision, r.reason, r.details?.assigneeRefused])).toEqual([
      ['alerts.assign', 'failure', refused.message, 'user sun has no role that grants alerts:write'],
      ['alerts.transition', 'failure', refused.message, 'user sun has no role that grants alerts:write'],
    ]);
  });

  it("an absent user and another department's user are refused with the same code and words; only the audit record says which", async () => {
    const refusal = (assignee: string) =>
      f.services.alerts.assign(f.actor('wu'), { id: 'cg-1', assignee }).then(
        () => null,
        (e: Error & { code?: string }) => [e.code, e.message.replace(assignee, '<name>')],
      );
    const absent = await refusal('nobody');
    const elsewhere = await refusal('li');
    expect(absent).toEqual(['INPUT_INVALID', 'alert cg-1 cannot be assigned to <name>: not a user who may work this alert']);
    expect(elsewhere).toEqual(absent);
    // an administrator, who lists users anyway, is answered the same words
    expect(await f.services.alerts.assign(f.actor('admin'), { id: 'cg-1', assignee: 'nobody' }).catch((e: Error) => e.message)).toBe(
      'alert cg-1 cannot be assigned to nobody: not a user who may work this alert',
    );
    expect((await trail()).map((r) => [r.actor, r.action, r.decision, r.resource, r.details?.assignee, r.details?.assigneeRefused])).toEqual([
      ['wu', 'alerts.assign', 'failure', 'alert:cg-1', 'nobody', 'there is no user nobody'],
      ['wu', 'alerts.assign', 'failure', 'alert:cg-1', 'li', 'user li may not see alert cg-1'],
      ['admin', 'alerts.assign', 'failure', 'alert:cg-1', 'nobody', 'there is no user nobody'],
    ]);
  });

  it('a bulk move is one door call and one audit record per alert; one refused alert does not stop the others', async () => {
    const r = await f.services.alerts.bulkTransition(f.actor('wu'), { ids: ['cg-1', 'ga-1', 'nope', 'cg-2'], to: 'acknowledged', comment: '批量确认' });
    expect(r.map((x) => [x.id, x.ok, x.error?.code ?? null])).toEqual([
      ['cg-1', true, null],
      ['ga-1', false, 'NOT_FOUND'],
      ['nope', false, 'NOT_FOUND'],
      ['cg-2', true, null],
    ]);
    expect((await trail()).map((r) => [r.action, r.resource, r.decision])).toEqual([
      ['alerts.transition', 'alert:cg-1', 'allow'],
      ['alerts.transition', 'alert:ga-1', 'deny'],
      ['alerts.transition', 'alert:nope', 'failure'],
      ['alerts.transition', 'alert:cg-2', 'allow'],
    ]);
    expect((await f.alerts.get('ga-1'))!.status).toBe('open');
  });

  it('a caller refused as such stops a bulk move at the first alert', async () => {
    await expect(f.services.alerts.bulkTransition(f.actor('fb'), { ids: ['cg-1', 'cg-2'], to: 'acknowledged' })).rejects.toThrow(
      'alerts.transition needs the permission alerts:write',
    );
    expect(await trail()).toHaveLength(1);
  });
});

describe('suppressing an alert key', () => {
  it('keeps the key out of the queue until the time, with its reason, on every replica', async () => {
    const wu = f.actor('wu');
    const s = await f.services.alerts.suppress(wu, { alertId: 'cg-1', minutes: 60, reason: '计划内渗透测试' });
    expect(s).toMatchObject({ dedupKey: 'k1', until: '2026-11-20T03:00:00.000Z', reason: '计划内渗透测试', by: 'wu', department: '城管' });
    expect(ids((await f.services.alerts.list(wu, {})).alerts)).toEqual(['cg-2']);
    expect(ids((await f.services.alerts.list(wu, { includeSuppressed: true })).alerts)).toEqual(['cg-2', 'cg-1']);
    // a new occurrence still folds and counts, and stays out of the queue
    await f.alerts.upsert(sampleAlert('cg-1b', { dedupKey: 'k1', firstSeen: '2026-11-20T01:30:00.000Z', lastSeen: '2026-11-20T02:00:00.000Z' }), 3_600_000);
    expect((await f.alerts.get('cg-1'))!.count).toBe(2);
    expect(await f.services.alerts.isSuppressed('k1', f.policy.now)).toBe(true);
    expect((await f.services.alerts.suppressions(f.actor('li'), {})).length).toBe(0);
    expect((await f.services.alerts.suppressions(wu, {})).map((x) => x.id)).toEqual([s.id]);
    f.advance(61);
    expect(ids((await f.services.alerts.list(wu, {})).alerts)).toEqual(['cg-1', 'cg-2']);
    expect(await f.services.alerts.isSuppressed('k1', f.policy.now)).toBe(false);
  });

  it('is bounded, needs a reason, and only the department may suppress or lift it', async () => {
    const wu = f.actor('wu');
    await expect(f.services.alerts.suppress(wu, { alertId: 'cg-1', minutes: 31 * 24 * 60, reason: 'x' })).rejects.toThrow('alerts.suppress: at most 30 days');
    await expect(f.services.alerts.suppress(wu, { alertId: 'cg-1', minutes: 5, until: '2026-11-21T00:00:00Z', reason: 'x' })).rejects.toThrow(
      'give either until or minutes',
    );
    await expect(f.services.alerts.suppress(wu, { alertId: 'cg-1', minutes: 5, reason: ' ' })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    await expect(f.services.alerts.suppress(f.actor('li'), { alertId: 'cg-1', minutes: 5, reason: 'x' })).rejects.toThrow('no alert cg-1');
    const s = await f.services.alerts.suppress(wu, { alertId: 'cg-1', until: '2026-11-20T12:00:00+08:00', reason: 'change window' });
    await expect(f.services.alerts.unsuppress(f.actor('li'), { id: s.id })).rejects.toThrow(`no suppression ${s.id}`);
    expect(await f.services.alerts.unsuppress(wu, { id: s.id })).toBe(true);
    expect(ids((await f.services.alerts.list(wu, {})).alerts)).toEqual(['cg-2', 'cg-1']);
  });
});

describe('false-positive feedback', () => {
  const RULE_ID = '0d6c2b53-8c1a-4a8e-9d51-7c2f6c1b9a11';
  const RULE = `title: Root login over SSH
id: ${RULE_ID}
logsource: {product: citysoc, service: sshd}
detection:
  selection: {event.action: ssh_login, event.outcome: success, user.name: root}
  condition: selection
level: high
`;
  const event = (ip: string, department = '城管', user = 'root') => ({
    event: { action: 'ssh_login', outcome: 'success', dataset: 'openssh.auth' },
    user: { name: user },
    source: { ip },
    organization: { name: department },
    citysoc: { source: 'openssh' },
  });

  it('closes the alert as a false positive, and an exception written as a Sigma filter stops exactly what it names', async () => {
    writeFileSync(path.join(f.rulesDir, 'root-login.yml'), RULE);
    const matches = (ip: string, department?: string) =>
      loadContent([f.rulesDir], { pipelines: [getPipeline('citysoc')] })
        .ruleSet.match(event(ip, department))
        .map((m) => m.ruleId);
    expect(matches('10.9.9.9')).toEqual([RULE_ID]);
    await f.alerts.upsert(
      sampleAlert('fp-1', { dedupKey: 'k9', rule: { id: RULE_ID, name: 'Root login over SSH', type: 'sigma', severity: 'high', tags: [] } }),
      0,
    );
    const closed = await f.services.alerts.falsePositive(f.actor('wu'), { id: 'fp-1', comment: '运维跳板机' });
    expect([closed.status, closed.resolution]).toEqual(['closed', 'false_positive']);
    // an auditor changes nothing; an analyst of another department finds no such alert
    await expect(
      f.services.alerts.addRuleException(f.actor('shen'), { alertId: 'fp-1', fields: { 'source.ip': ['10.9.9.9'] }, reason: 'jump host' }),
    ).rejects.toThrow('rules.add_exception needs the permission rules:except');
    await expect(
      f.services.alerts.addRuleException(f.actor('li'), { alertId: 'fp-1', fields: { 'source.ip': ['10.9.9.9'] }, reason: 'jump host' }),
    ).rejects.toThrow('no alert fp-1');
    const ex = await f.services.alerts.addRuleException(f.actor('wu'), { alertId: 'fp-1', fields: { 'source.ip': ['10.9.9.9'] }, reason: '运维跳板机' });
    expect(ex).toMatchObject({ ruleId: RULE_ID, file: `rules/exception-${ex.id}.yml` });
    expect(matches('10.9.9.9')).toEqual([]);
    expect(matches('10.9.9.8')).toEqual([RULE_ID]);
    // the exception covers the alert's department only
    expect(matches('10.9.9.9', '公安')).toEqual([RULE_ID]);
    expect((await trail()).map((r) => [r.action, r.decision, r.actor, r.resource])).toEqual([
      ['alerts.false_positive', 'allow', 'wu', 'alert:fp-1'],
      ['rules.add_exception', 'deny', 'shen', 'alert:fp-1'],
      ['rules.add_exception', 'deny', 'li', 'alert:fp-1'],
      ['rules.add_exception', 'allow', 'wu', `rule:${RULE_ID}`],
    ]);
    expect((await trail())[3]!.details).toMatchObject({ exception: ex.id, file: ex.file, fields: { 'source.ip': ['10.9.9.9'] } });
  });

  it('keeps values literal: a wildcard or an escape in a value matches only itself', async () => {
    writeFileSync(path.join(f.rulesDir, 'root-login.yml'), RULE);
    await f.alerts.upsert(
      sampleAlert('fp-2', { dedupKey: 'k8', rule: { id: RULE_ID, name: 'Root login over SSH', type: 'sigma', severity: 'high', tags: [] } }),
      0,
    );
    await f.services.alerts.addRuleException(f.actor('wu'), { alertId: 'fp-2', fields: { 'source.ip': ['*', '10.?.0.1', 'a\\*'] }, reason: 'x' });
    const matches = (ip: string) =>
      loadContent([f.rulesDir], { pipelines: [getPipeline('citysoc')] })
        .ruleSet.match(event(ip))
        .map((m) => m.ruleId);
    expect(matches('10.9.9.9')).toEqual([RULE_ID]);
    expect(matches('10.1.0.1')).toEqual([RULE_ID]);
    expect(matches('*')).toEqual([]);
    expect(matches('10.?.0.1')).toEqual([]);
    expect(matches('a\\*')).toEqual([]);
  });

  it('refuses exceptions to correlation alerts and to the department field', async () => {
    await expect(f.services.alerts.addRuleException(f.actor('wu'), { alertId: 'cg-1', fields: { 'source.ip': ['10.0.0.1'] }, reason: 'x' })).rejects.toThrow(
      'alert cg-1 comes from a correlation rule; rule exceptions tune Sigma detection rules only',
    );
    await expect(
      f.services.alerts.addRuleException(f.actor('wu'), { alertId: 'cg-1', fields: { 'organization.name': ['公安'] }, reason: 'x' }),
    ).rejects.toThrow("field organization.name: the department an exception covers is the alert's own");
  });

  it('refuses field names that are not field names', async () => {
    await expect(f.services.alerts.addRuleException(f.actor('admin'), { alertId: 'cg-1', fields: { 'a b': ['x'] }, reason: 'x' })).rejects.toThrow(
      'each key a field name such as source.ip or user.name',
    );
    await expect(f.services.alerts.addRuleException(f.actor('admin'), { alertId: 'cg-1', fields: {}, reason: 'x' })).rejects.toThrow('between 1 and 10 fields');
    // a key that would reach the prototype never becomes a field
    await expect(f.services.alerts.addRuleException(f.actor('admin'), { alertId: 'cg-1', fields: { ['__proto__']: ['x'] }, reason: 'x' })).rejects.toThrow(
      /^rules.add_exception: fields: /,
    );
    for (const name of ['../../x', '_x', 'a..b', '.a', 'a/b', 'source.ip|re', 'a.'])
      await expect(f.services.alerts.addRuleException(f.actor('admin'), { alertId: 'cg-1', fields: { [name]: ['x'] }, reason: 'x' })).rejects.toThrow(
        'each key a field name such as source.ip or user.name',
      );
  });
});
