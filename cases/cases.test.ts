import type { Actor } from '../core/actor';
import type { AuditRecord } from '../core/audit';
import { sampleAlert } from '../core/contracts/alert-store.contract';
import { fixtureEvents } from '../core/contracts/fixtures';
import { casesFixture, type CasesFixture } from './test-support';

let f: CasesFixture;
let before = 0;
beforeEach(async () => {
  f = await casesFixture();
  await f.events.write(fixtureEvents());
  await f.alerts.upsert(sampleAlert('cg-1', { dedupKey: 'k1', eventIds: ['e01', 'e02'] }), 0);
  await f.alerts.upsert(sampleAlert('ga-1', { dedupKey: 'k2', department: '公安', eventIds: ['e05'], entities: [{ type: 'user', value: 'bob' }] }), 0);
  // a correlation over addresses carries no department: its events do
  await f.alerts.upsert(sampleAlert('corr-1', { dedupKey: 'k3', department: undefined, eventIds: ['e01', 'e05', 'missing'] }), 0);
  before = (await f.policy.audit.query({ size: 1 }))[0]!.seq;
});
afterEach(() => f.close());

const trail = async (): Promise<AuditRecord[]> => f.policy.audit.query({ afterSeq: before, size: 1000 });
const code = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: Error & { code: string }) => `${e.code}: ${e.message}`,
  );

describe('opening cases', () => {
  it('an analyst opens a case of its department: a readable id, one audit record naming the case with its version and hash', async () => {
    const c = await f.services.cases.create(f.actor('wu'), { title: '暴力破解 web-01', severity: 'high', departments: ['城管'], tags: ['ssh'] });
    expect([c.id, c.status, c.slaColour, c.departments]).toEqual(['CASE-2026-00001', 'open', 'green', ['城管']]);
    const [r] = await trail();
    expect([r!.action, r!.decision, r!.resource, r!.details?.department, r!.details?.caseVersion, typeof r!.details?.caseHash]).toEqual([
      'cases.create',
      'allow',
      'case:CASE-2026-00001',
      '城管',
      1,
      'string',
    ]);
  });

  it('an analyst may not open a case for another department, nor one without a department; the city SOC may', async () => {
    expect(await code(f.services.cases.create(f.actor('wu'), { title: 't', severity: 'low', departments: ['公安'] }))).toBe(
      'FORBIDDEN: no policy lets wu write cases@公安',
    );
    expect(await code(f.services.cases.create(f.actor('wu'), { title: 't', severity: 'low' }))).toBe(
      'FORBIDDEN: wu may not open a case without a department: name the department(s) it concerns',
    );
    expect(await code(f.services.cases.create(f.actor('zhao'), { title: 't', severity: 'low' }))).toBe('ok');
    expect((await trail()).map((r) => [r.action, r.decision])).toEqual([
      ['cases.create', 'deny'],
      ['cases.create', 'deny'],
      ['cases.create', 'allow'],
    ]);
  });

  it('opening a case from an alert links it, its entities as observables, and the events the analyst may see', async () => {
    const c = await f.services.cases.openFromAlert(f.actor('wu'), { alertId: 'cg-1' });
    expect(c).toMatchObject({ title: 'SSH brute force: 10.1.1.1', severity: 'high', departments: ['城管'], alertIds: ['cg-1'], eventIds: ['e01', 'e02'] });
    expect(c.observables.map((o) => [o.entity, o.source])).toEqual([['ip:10.1.1.1', 'alert:cg-1']]);
    expect(c.timeline.map((e) => e.action)).toEqual(['created', 'alerts_linked', 'events_linked']);
    expect((await trail()).map((r) => [r.action, r.resource])).toEqual([['cases.open_from_alert', `case:${c.id}`]]);
  });

  it('an alert without a department gives the case the departments of the events behind it that the caller may see', async () => {
    const mine = await f.services.cases.openFromAlert(f.actor('zhao'), { alertId: 'corr-1' });
    expect([mine.departments, mine.eventIds]).toEqual([
      ['公安', '城管'],
      ['e01', 'e05'],
    ]);
    expect(await code(f.services.cases.openFromAlert(f.actor('wu'), { alertId: 'corr-1' }))).toBe('NOT_FOUND: no alert corr-1');
  });

  it('a playbook run opens a case through the same call, audited the same way with the person behind it', async () => {
    const run: Actor = {
      kind: 'playbook',
      name: 'playbook:ssh-response',
      roles: ['playbook'],
      department: '城管',
      person: 'wu',
      run: { playbookId: 'ssh-response', runId: 'r-7' },
    };
    const c = await f.services.cases.create(run, { title: '自动处置: 封禁 10.1.1.1', severity: 'high', departments: ['城管'] });
    expect(c.createdBy).toBe('playbook:ssh-response');
    const [r] = await trail();
    expect([r!.action, r!.actorType, r!.resource, r!.details?.person, r!.details?.run]).toEqual([
      'cases.create',
      'playbook',
      `case:${c.id}`,
      'wu',
      { playbookId: 'ssh-response', runId: 'r-7' },
    ]);
  });
});

describe('department isolation', () => {
  it("another department's case is answered exactly as an absent one and left out of every list", async () => {
    const c = await f.services.cases.create(f.actor('wu'), { title: 'x', severity: 'high', departments: ['城管'] });
    const li = f.actor('li');
    expect(await code(f.services.cases.get(li, { id: c.id }))).toBe(`NOT_FOUND: no case ${c.id}`);
    expect(await code(f.services.cases.get(li, { id: 'CASE-2026-09999' }))).toBe('NOT_FOUND: no case CASE-2026-09999');
    expect(await code(f.services.cases.update(li, { id: c.id, change: { kind: 'comment', text: 'x' } }))).toBe(`NOT_FOUND: no case ${c.id}`);
    expect((await f.services.cases.list(li, {})).total).toBe(0);
    expect((await f.services.cases.list(f.actor('wu'), {})).cases.map((x) => x.id)).toEqual([c.id]);
    expect((await f.services.cases.list(f.actor('admin'), {})).total).toBe(1);
    expect((await f.services.cases.list(f.actor('shen'), {})).total).toBe(1);
    expect(await code(f.services.cases.update(f.actor('shen'), { id: c.id, change: { kind: 'comment', text: 'x' } }))).toBe(
      'FORBIDDEN: cases.change needs the permission cases:write, which roles auditor do not grant',
    );
  });

  it('a case of two departments needs both: linking another department’s alert takes it out of sight of either one alone', async () => {
    const c = await f.services.cases.create(f.actor('zhao'), { title: 'joint', severity: 'medium', departments: ['城管'] });
    expect((await f.services.cases.get(f.actor('wu'), { id: c.id })).id).toBe(c.id);
    // wu may not see 公安's alert, so cannot link it
    expect(await code(f.services.cases.linkAlerts(f.actor('wu'), { id: c.id, alertIds: ['ga-1'] }))).toBe('NOT_FOUND: no alert ga-1');
    const joint = await f.services.cases.linkAlerts(f.actor('zhao'), { id: c.id, alertIds: ['ga-1'] });
    expect(joint.departments).toEqual(['公安', '城管']);
    for (const who of ['wu', 'li']) {
      expect(await code(f.services.cases.get(f.actor(who), { id: c.id }))).toBe(`NOT_FOUND: no case ${c.id}`);
      expect((await f.services.cases.list(f.actor(who), {})).total).toBe(0);
    }
    expect((await f.services.cases.get(f.actor('admin'), { id: c.id })).departments).toEqual(['公安', '城管']);
  });

  it('an analyst cannot widen its own case to a department it may not write', async () => {
    const c = await f.services.cases.create(f.actor('wu'), { title: 'x', severity: 'low', departments: ['城管'] });
    expect(await code(f.services.cases.update(f.actor('wu'), { id: c.id, change: { kind: 'add_departments', departments: ['公安'] } }))).toBe(
      `NOT_FOUND: no case ${c.id}`,
    );
    expect((await f.cases.get(c.id))!.departments).toEqual(['城管']);
  });
});

describe('working a case', () => {
  it('assigns the case and its tasks only to users who may see it', async () => {
    const c = await f.services.cases.create(f.actor('wu'), { title: 'x', severity: 'high', departments: ['城管'] });
    const wu = f.actor('wu');
    expect(await code(f.services.cases.update(wu, { id: c.id, change: { kind: 'assign', assignee: 'li' } }))).toBe(
      `INPUT_INVALID: case ${c.id} cannot be assigned to li: not a user who may work this case`,
    );
    expect(await code(f.services.cases.update(wu, { id: c.id, change: { kind: 'assign', assignee: 'shen' } }))).toBe(
      `INPUT_INVALID: case ${c.id} cannot be assigned to shen: not a user who may work this case`,
    );
    expect(await code(f.services.cases.update(wu, { id: c.id, change: { kind: 'add_task', title: 'ask', owner: 'nobody' } }))).toBe(
      `INPUT_INVALID: a task of case ${c.id} cannot be assigned to nobody: not a user who may work this case`,
    );
    expect(await code(f.services.cases.create(wu, { title: 'y', severity: 'low', departments: ['城管'], assignee: 'nobody' }))).toBe(
      'INPUT_INVALID: the case cannot be assigned to nobody: not a user who may work this case',
    );
    // the words are alike whoever it is; the audit record says why
    expect((await trail()).filter((r) => r.decision === 'failure').map((r) => [r.action, r.details?.assigneeRefused])).toEqual([
      ['cases.change', `user li may not see case ${c.id}`],
      ['cases.change', 'user shen has no role that grants cases:write'],
      ['cases.change', 'there is no user nobody'],
      ['cases.create', 'there is no user nobody'],
    ]);
    const a = await f.services.cases.update(wu, { id: c.id, change: { kind: 'assign', assignee: 'chen' } });
    const t = await f.services.cases.update(wu, {
      id: c.id,
      change: { kind: 'add_task', title: '封禁 10.1.1.1', owner: 'chen', dueAt: '2026-11-20T12:00:00+08:00' },
    });
    expect([a.assignee, t.tasks.map((x) => [x.id, x.owner, x.dueAt])]).toEqual(['chen', [['T1', 'chen', '2026-11-20T04:00:00.000Z']]]);
  });

  it('an edit made on a version someone else changed meanwhile is refused with CONFLICT', async () => {
    const c = await f.services.cases.create(f.actor('wu'), { title: 'x', severity: 'high', departments: ['城管'] });
    await f.services.cases.update(f.actor('chen'), { id: c.id, change: { kind: 'comment', text: 'first' }, expectedVersion: 1 });
    expect(await code(f.services.cases.update(f.actor('wu'), { id: c.id, change: { kind: 'edit', title: 'y' }, expectedVersion: 1 }))).toBe(
      `CONFLICT: case ${c.id} changed since version 1 (it is at version 2): reload it and try again`,
    );
  });

  it('shows the SLA colour live on the fake clock, and lists by colour', async () => {
    const c = await f.services.cases.create(f.actor('wu'), { title: 'x', severity: 'critical', departments: ['城管'] });
    const wu = f.actor('wu');
    const colour = async () => (await f.services.cases.get(wu, { id: c.id })).slaColour;
    expect(await colour()).toBe('green');
    f.advance(12);
    expect(await colour()).toBe('yellow');
    expect((await f.services.cases.list(wu, { slaColour: 'yellow' })).cases.map((x) => x.id)).toEqual([c.id]);
    f.advance(3);
    expect(await colour()).toBe('red');
    expect((await f.services.cases.list(wu, { slaColour: 'red' })).total).toBe(1);
  });

  it('refuses attachment references that are not references, and fields it does not know', async () => {
    const c = await f.services.cases.create(f.actor('wu'), { title: 'x', severity: 'high', departments: ['城管'] });
    const add = (uri: string) => code(f.services.cases.update(f.actor('wu'), { id: c.id, change: { kind: 'add_attachment', name: 'pcap', uri } }));
    expect(await add('javascript:alert(1)')).toMatch(/^INPUT_INVALID: cases.change: change.uri: a reference with scheme/);
    expect(await add('s3://evidence/2026/pcap-1')).toBe('ok');
    expect(await code(f.services.cases.update(f.actor('wu'), { id: c.id, change: { kind: 'status', to: 'open', extra: 1 } as never }))).toMatch(
      /^INPUT_INVALID/,
    );
  });
});

describe('merging', () => {
  it('merges two cases of the department, keeping both histories, and suggests a merge for a new alert sharing an entity', async () => {
    const wu = f.actor('wu');
    const a = await f.services.cases.openFromAlert(wu, { alertId: 'cg-1' });
    const b = await f.services.cases.create(wu, { title: 'same source', severity: 'medium', departments: ['城管'] });
    await f.services.cases.update(wu, { id: b.id, change: { kind: 'add_observable', type: 'ip', value: '10.1.1.1' } });
    expect((await f.services.cases.suggestForCase(wu, { id: a.id })).map((s) => [s.case.id, s.shared])).toEqual([[b.id, ['ip:10.1.1.1']]]);
    await f.alerts.upsert(sampleAlert('cg-new', { dedupKey: 'k9' }), 0);
    expect((await f.services.cases.suggestForAlert(wu, { alertId: 'cg-new' })).map((s) => s.case.id)).toEqual([b.id, a.id]);
    // outside the window, no suggestion
    f.advance(73 * 60);
    expect(await f.services.cases.suggestForAlert(wu, { alertId: 'cg-new' })).toEqual([]);
    const { survivor, merged } = await f.services.cases.merge(wu, { survivorId: a.id, mergedId: b.id });
    expect([survivor.mergedFrom, merged.mergedInto, merged.status, merged.resolution]).toEqual([[b.id], a.id, 'closed', 'merged']);
    expect(survivor.timeline.filter((e) => e.case === b.id).map((e) => e.action)).toEqual(['created', 'observable_added', 'merged_into']);
    const [r] = (await trail()).filter((x) => x.action === 'cases.merge');
    expect([r!.resource, r!.details?.cases]).toEqual([`case:${a.id}`, [a.id, b.id]]);
    expect(await code(f.services.cases.update(wu, { id: b.id, change: { kind: 'comment', text: 'x' } }))).toBe(
      `CONFLICT: case ${b.id} was merged into ${a.id}; work on ${a.id}`,
    );
  });

  it("another department's analyst gets no suggestion of cases it may not see, and may not merge them", async () => {
    const a = await f.services.cases.openFromAlert(f.actor('wu'), { alertId: 'cg-1' });
    const z = await f.services.cases.create(f.actor('zhao'), { title: 'x', severity: 'low', departments: ['公安'] });
    await f.alerts.upsert(sampleAlert('ga-2', { dedupKey: 'k8', department: '公安' }), 0);
    expect(await f.services.cases.suggestForAlert(f.actor('li'), { alertId: 'ga-2' })).toEqual([]);
    expect(await code(f.services.cases.merge(f.actor('li'), { survivorId: z.id, mergedId: a.id }))).toBe(`NOT_FOUND: no case ${a.id}`);
    expect((await f.cases.get(a.id))!.mergedInto).toBeUndefined();
  });
});
