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
    await expect(f.services.cases.update(f.actor('wu'), { id: caseId, change: { kind: 'assign', assignee: 'chen' } })).rejects.toThrow('there is no user chen');
  });

  it('leaves out an isolated account, as assignment refuses it', async () => {
    await f.policy.services.isolation.isolate('admin', 'chen', 'UEBA: mass export at night');
    expect(names(await f.services.cases.assignableUsers(f.actor('wu'), { caseId }))).toEqual(['wu', 'zhao', 'admin']);
    await expect(f.services.cases.update(f.actor('wu'), { id: caseId, change: { kind: 'assign', assignee: 'chen' } })).rejects.toThrow('user chen is isolated');
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
    await expect(f.services.cases.assignableUsers(f.actor('wu'), { caseId, alertId: 'cg-1' })).rejects.toThrow('name exactly one of caseId and alertId');
    await expect(f.services.cases.assignableUsers(f.actor('wu'), {})).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    await expect(f.services.cases.assignableUsers(f.actor('wu'), { caseId, size: 51 })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    await expect(f.services.cases.assignableUsers(f.actor('fb'), { caseId })).rejects.toMatchObject({ code: 'FORBIDDEN' });
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
