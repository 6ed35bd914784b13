import type { AuditRecord } from '../core/audit';
import { sampleAlert } from '../core/contracts/alert-store.contract';
import { casesFixture, type CasesFixture } from './test-support';

let f: CasesFixture;
let caseId: string;
let before = 0;
beforeEach(async () => {
  f = await casesFixture();
  await f.alerts.upsert(sampleAlert('cg-1', { dedupKey: 'k1', department: '城管' }), 0);
  await f.alerts.upsert(sampleAlert('ga-1', { dedupKey: 'k2', department: '公安' }), 0);
  caseId = (await f.services.cases.create(f.actor('wu'), { title: '暴力破解', severity: 'high', departments: ['城管'] })).id;
  before = (await f.policy.audit.query({ size: 1 }))[0]!.seq;
});
afterEach(() => f.close());

const trail = async (): Promise<AuditRecord[]> => f.policy.audit.query({ afterSeq: before, size: 1000 });
const names = (users: { username: string }[]) => users.map((u) => u.username);

describe('who a case or an alert may be assigned to', () => {
  it('lists, for a case of a department, the enabled users who may work cases and see it: username and display name only', async () => {
    const users = await f.services.cases.assignableUsers(f.actor('wu'), { caseId });
    // li (another department), shen (auditor: no cases:write) and fb (collector) are left out
    expect(names(users)).toEqual(['wu', 'chen', 'zhao', 'admin']);
    expect(users[0]).toEqual({ username: 'wu', displayName: null });
    const [r] = await trail();
    expect([r!.action, r!.actor, r!.decision, r!.resource, r!.details?.listed]).toEqual(['cases.assignable_users', 'wu', 'allow', `case:${caseId}`, 4]);
    expect(await trail()).toHaveLength(1);
  });

  it('every listed user is accepted by assignment, and a disabled account is neither listed nor accepted', async () => {
    f.disabled.add('chen');
    const listed = names(await f.services.cases.assignableUsers(f.actor('wu'), { caseId }));
    expect(listed).toEqual(['wu', 'zhao', 'admin']);
    for (const u of listed) await f.services.cases.update(f.actor('wu'), { id: caseId, change: { kind: 'assign', assignee: u } });
    await expect(f.services.cases.update(f.actor('wu'), { id: caseId, change: { kind: 'assign', assignee: 'chen' } })).rejects.toThrow(
      `case ${caseId} cannot be assigned to chen: not a user who may work this case`,
    );
    expect((await trail()).at(-1)!.details?.assigneeRefused).toBe('there is no user chen');
  });

  it('leaves out an isolated account, as assignment refuses it', async () => {
    await f.policy.services.isolation.isolate('admin', 'chen', 'UEBA: mass export at night');
    expect(names(await f.services.cases.assignableUsers(f.actor('wu'), { caseId }))).toEqual(['wu', 'zhao', 'admin']);
    await expect(f.services.cases.update(f.actor('wu'), { id: caseId, change: { kind: 'assign', assignee: 'chen' } })).rejects.toThrow(
      `case ${caseId} cannot be assigned to chen: not a user who may work this case`,
    );
    expect((await trail()).at(-1)!.details?.assigneeRefused).toBe('user chen is isolated');
  });

  it('lists exactly the users assignment accepts, for an alert and for a case: analysts yes; auditors (even of the department), the isolated, other departments no', async () => {
    f.users.set('sun', { roles: ['auditor'], department: '城管' });
    f.users.set('qian', { roles: ['analyst'], department: '城管' });
    f.users.set('dao', { roles: ['department_admin'], department: '城管' });
    await f.policy.services.isolation.isolate('admin', 'qian', 'UEBA: mass export at night');
    const everyone = [...f.users.keys()];
    const accepted = async (assign: (u: string) => Promise<unknown>) => {
      const out: string[] = [];
      for (const u of everyone)
        if (
          await assign(u).then(
            () => true,
            () => false,
          )
        )
          out.push(u);
      return out;
    };
    const wu = f.actor('wu');
    const forAlert = await accepted((u) => f.services.alerts.assign(wu, { id: 'cg-1', assignee: u }));
    const forCase = await accepted((u) => f.services.cases.update(wu, { id: caseId, change: { kind: 'assign', assignee: u } }));
    expect(forAlert).toEqual(['wu', 'chen', 'zhao', 'admin', 'dao']);
    expect(forCase).toEqual(['wu', 'chen', 'zhao', 'admin', 'dao']);
    expect(names(await f.services.cases.assignableUsers(wu, { alertId: 'cg-1' }))).toEqual(forAlert);
    expect(names(await f.services.cases.assignableUsers(wu, { alertIds: ['cg-1'] }))).toEqual(forAlert);
    expect(names(await f.services.cases.assignableUsers(wu, { caseId }))).toEqual(forCase);
  });

  it('lists, for an alert, those who may work alerts and see it (not an auditor); narrows by text; keeps to size', async () => {
    expect(names(await f.services.cases.assignableUsers(f.actor('li'), { alertId: 'ga-1' }))).toEqual(['li', 'zhao', 'admin']);
    expect(names(await f.services.cases.assignableUsers(f.actor('wu'), { alertId: 'cg-1', text: 'HE' }))).toEqual(['chen']);
    expect(names(await f.services.cases.assignableUsers(f.actor('wu'), { alertId: 'cg-1', size: 2 }))).toEqual(['wu', 'chen']);
  });

  it('refuses a caller who may not read the case or alert (NOT_FOUND, audited as a deny), and an input naming both or neither', async () => {
    await expect(f.services.cases.assignableUsers(f.actor('li'), { caseId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(f.services.cases.assignableUsers(f.actor('wu'), { alertId: 'ga-1' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const denied = await trail();
    expect(denied.map((r) => [r.action, r.actor, r.decision])).toEqual([
      ['cases.assignable_users', 'li', 'deny'],
      ['cases.assignable_users', 'wu', 'deny'],
    ]);
    await expect(f.services.cases.assignableUsers(f.actor('wu'), { caseId, alertId: 'cg-1' })).rejects.toThrow(
      'name exactly one of caseId, alertId and alertIds',
    );
    await expect(f.services.cases.assignableUsers(f.actor('wu'), {})).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    await expect(f.services.cases.assignableUsers(f.actor('wu'), { caseId, size: 51 })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    await expect(f.services.cases.assignableUsers(f.actor('fb'), { caseId })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('display names in the picker', () => {
  it('answers the display name the directory keeps and matches text against it, case-insensitively', async () => {
    f.users.set('chen', { ...f.users.get('chen')!, displayName: '陈静 Chen Jing' });
    const users = await f.services.cases.assignableUsers(f.actor('wu'), { caseId });
    expect(users.slice(0, 2)).toEqual([
      { username: 'wu', displayName: null },
      { username: 'chen', displayName: '陈静 Chen Jing' },
    ]);
    expect(await f.services.cases.assignableUsers(f.actor('wu'), { caseId, text: '陈静' })).toEqual([{ username: 'chen', displayName: '陈静 Chen Jing' }]);
    expect(names(await f.services.cases.assignableUsers(f.actor('wu'), { alertId: 'cg-1', text: 'jing' }))).toEqual(['chen']);
  });
});

describe('who every one of several alerts may be assigned to', () => {
  beforeEach(async () => {
    await f.alerts.upsert(sampleAlert('cg-2', { dedupKey: 'k3', department: '城管' }), 0);
    before = (await f.policy.audit.query({ size: 1 }))[0]!.seq;
  });

  it('lists those who may work every listed alert, in one call audited once', async () => {
    expect(names(await f.services.cases.assignableUsers(f.actor('wu'), { alertIds: ['cg-1', 'cg-2'] }))).toEqual(['wu', 'chen', 'zhao', 'admin']);
    // across two departments only those who see both remain
    expect(names(await f.services.cases.assignableUsers(f.actor('zhao'), { alertIds: ['cg-1', 'ga-1'] }))).toEqual(['zhao', 'admin']);
    expect(names(await f.services.cases.assignableUsers(f.actor('zhao'), { alertIds: ['cg-1', 'ga-1'], text: 'ZH' }))).toEqual(['zhao']);
    const rows = await trail();
    expect(rows.map((r) => [r.action, r.actor, r.decision, r.resource, r.details?.alertIds, r.details?.listed])).toEqual([
      ['cases.assignable_users', 'wu', 'allow', 'alerts:2', ['cg-1', 'cg-2'], 4],
      ['cases.assignable_users', 'zhao', 'allow', 'alerts:2', ['cg-1', 'ga-1'], 2],
      ['cases.assignable_users', 'zhao', 'allow', 'alerts:2', ['cg-1', 'ga-1'], 1],
    ]);
  });

  it('answers for a list of one alert as for that alert, and an id named twice counts once', async () => {
    expect(await f.services.cases.assignableUsers(f.actor('li'), { alertIds: ['ga-1', 'ga-1'] })).toEqual(
      await f.services.cases.assignableUsers(f.actor('li'), { alertId: 'ga-1' }),
    );
  });

  it('refuses 51 alerts, an empty list, and a list named with caseId or alertId, saying what is wrong', async () => {
    const ids = Array.from({ length: 51 }, (_, n) => `cg-${n}`);
    await expect(f.services.cases.assignableUsers(f.actor('wu'), { alertIds: ids })).rejects.toMatchObject({
      code: 'INPUT_INVALID',
      message: expect.stringContaining('at most 50 alerts may be named at once'),
    });
    await expect(f.services.cases.assignableUsers(f.actor('wu'), { alertIds: ids.slice(0, 50).map(() => 'cg-1') })).resolves.toHaveLength(4);
    await expect(f.services.cases.assignableUsers(f.actor('wu'), { alertIds: [] })).rejects.toThrow('name at least one alert');
    await expect(f.services.cases.assignableUsers(f.actor('wu'), { alertIds: ['cg-1'], alertId: 'cg-1' })).rejects.toThrow(
      'name exactly one of caseId, alertId and alertIds',
    );
    await expect(f.services.cases.assignableUsers(f.actor('wu'), { alertIds: ['cg-1'], caseId })).rejects.toThrow(
      'name exactly one of caseId, alertId and alertIds',
    );
    const rows = await trail();
    expect(rows.map((r) => [r.decision, r.resource, r.details?.alertIdsCount])).toEqual([
      ['failure', 'alerts:51', 51],
      ['allow', 'alerts:50', undefined],
      ['failure', 'alerts:0', undefined],
      ['failure', 'alerts:1', undefined],
      ['failure', 'alerts:1', undefined],
    ]);
  });

  it('answers an alert of another department exactly as an absent one, wherever it is in the list, and lists nobody', async () => {
    const answer = (ids: string[]) =>
      f.services.cases.assignableUsers(f.actor('wu'), { alertIds: ids }).then(
        (users) => ['listed', users],
        (e: Error & { code?: string }) => [e.code, e.message],
      );
    expect(await answer(['cg-1', 'ga-1'])).toEqual(['NOT_FOUND', 'no alert ga-1']);
    expect(await answer(['ga-1', 'cg-1'])).toEqual(['NOT_FOUND', 'no alert ga-1']);
    expect(await answer(['cg-1', 'nope'])).toEqual(['NOT_FOUND', 'no alert nope']);
    const rows = await trail();
    expect(rows.map((r) => [r.action, r.decision])).toEqual([
      ['cases.assignable_users', 'deny'],
      ['cases.assignable_users', 'deny'],
      ['cases.assignable_users', 'failure'],
    ]);
  });

  it('keeps a huge list or huge ids out of the trail: their count only', async () => {
    const huge = Array.from({ length: 10_000 }, (_, n) => `id-${n}`);
    await expect(f.services.cases.assignableUsers(f.actor('wu'), { alertIds: huge })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    await expect(f.services.cases.assignableUsers(f.actor('wu'), { alertIds: ['x'.repeat(100_000)] })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    const rows = await trail();
    expect(rows.map((r) => [r.decision, r.resource, r.details?.alertIdsCount])).toEqual([
      ['failure', 'alerts:10000', 10_000],
      ['failure', 'alerts:1', 1],
    ]);
    for (const r of rows) expect(JSON.stringify(r).length).toBeLessThan(4096);
  });
});

describe('the assignee picker under attack', () => {
  it('a megabyte of text or of case id is refused, and the trail keeps no megabyte of it', async () => {
    const huge = 'x'.repeat(1_000_000);
    await expect(f.services.cases.assignableUsers(f.actor('wu'), { caseId, text: huge })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    await expect(f.services.cases.assignableUsers(f.actor('wu'), { caseId: huge })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    const rows = await trail();
    expect(rows.map((r) => [r.action, r.decision])).toEqual([
      ['cases.assignable_users', 'failure'],
      ['cases.assignable_users', 'failure'],
    ]);
    for (const r of rows) expect(JSON.stringify(r).length).toBeLessThan(64 * 1024);
  });

  it("another department's analyst learns nothing of a case they may not read: absent and not-theirs answer alike", async () => {
    const theirs = await f.services.cases.assignableUsers(f.actor('li'), { caseId }).catch((e: Error & { code?: string }) => [e.code, e.message]);
    const absent = await f.services.cases.assignableUsers(f.actor('li'), { caseId: 'case-nope' }).catch((e: Error & { code?: string }) => [e.code, e.message]);
    expect(theirs).toEqual(['NOT_FOUND', `no case ${caseId}`]);
    expect(absent).toEqual(['NOT_FOUND', 'no case case-nope']);
    const alert = await f.services.cases.assignableUsers(f.actor('li'), { alertId: 'cg-1' }).catch((e: Error & { code?: string }) => [e.code, e.message]);
    expect(alert).toEqual(['NOT_FOUND', 'no alert cg-1']);
  });
});
