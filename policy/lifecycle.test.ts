import path from 'node:path';
import type { DecisionRequest } from './decision';
import { decisionAuditRecord } from './audit/decision-audit';
import { policyFixture, type PolicyFixture } from './test-support';
import { SqliteStateStore } from '../adapters/sqlite/state-store';

const li = { user: 'li', roles: ['analyst'], department: '城管' };
const read公安 = (time?: Date): DecisionRequest => ({
  subject: li,
  resource: { type: 'events', department: '公安' },
  action: 'read',
  context: { zone: '政务外网', ...(time ? { time } : {}) },
});
const actor = (name: string, person = name) => ({ name, person });

describe('emergency access', () => {
  let f: PolicyFixture;
  beforeEach(async () => {
    f = await policyFixture();
  });
  afterEach(async () => f.close());

  it('works for its duration and not a second longer, tags every decision and reports at expiry', async () => {
    const { grants, pdp } = f.services;
    const g = await grants.request(actor('li'), { reason: '防汛应急: 需要公安卡口数据', department: '公安', durationMinutes: 30 });
    await expect(grants.approve({ ...actor('li'), roles: ['analyst'], department: '城管' }, g.id)).rejects.toThrow(
      'two-person rule: the person who requested emergency access cannot approve it, with any credential',
    );
    // finding 9 of the security review: another credential of the same person does not count either
    await expect(grants.approve({ ...actor('token:li-bot', 'li'), roles: ['department_admin'], department: '公安' }, g.id)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(grants.approve({ ...actor('zhang'), roles: ['department_admin'], department: '城管' }, g.id)).rejects.toThrow(
      'zhang is not a designated approver for 公安',
    );
    expect(pdp.decide(read公安()).decision).toBe('deny');
    const approved = await grants.approve({ ...actor('wang'), roles: ['department_admin'], department: '公安' }, g.id);
    expect(approved.expiresAt).toBe('2026-11-20T02:30:00.000Z');
    const during = pdp.decide(read公安());
    expect(during).toMatchObject({ decision: 'allow', reason: `grant:${g.id}`, obligations: { grantId: g.id } });
    await f.audit.append(decisionAuditRecord(read公安(), during, { name: 'li', type: 'user' }));
    expect(pdp.decide(read公安(new Date('2026-11-20T02:29:59.999Z'))).decision).toBe('allow');
    expect(pdp.decide(read公安(new Date('2026-11-20T02:30:00.000Z')))).toMatchObject({ decision: 'deny', reason: 'default-deny' });
    f.now = new Date('2026-11-20T02:30:01Z');
    const [report] = await grants.sweep();
    expect(report!.accesses.map((a) => [a.action, a.resource, a.decision])).toEqual([['authz.decide', 'events@公安', 'allow']]);
    expect(await grants.sweep()).toEqual([]);
  });

  it('needs two distinct approvers when configured so', async () => {
    await f.close();
    f = await policyFixture({ approversRequired: 2 });
    const g = await f.services.grants.request(actor('li'), { reason: '重大活动安保', department: '公安', durationMinutes: 10 });
    const wang = { ...actor('wang'), roles: ['department_admin'], department: '公安' };
    expect((await f.services.grants.approve(wang, g.id)).expiresAt).toBeUndefined();
    await expect(f.services.grants.approve(wang, g.id)).rejects.toThrow('wang has approved this request already; another approver is needed');
    expect((await f.services.grants.approve({ ...actor('root'), roles: ['admin'] }, g.id)).expiresAt).toBe('2026-11-20T02:10:00.000Z');
  });
});

describe('account isolation', () => {
  let f: PolicyFixture;
  beforeAll(async () => {
    f = await policyFixture();
  });
  afterAll(async () => f.close());

  it('turns every answer for the user into deny at once, revokes its credentials, and release undoes it', async () => {
    const { isolation, pdp } = f.services;
    const search: DecisionRequest = { subject: li, resource: { type: 'events' }, action: 'read', context: {} };
    const { isolation: iso, revoked } = await isolation.isolate('playbook-1', 'li', 'UEBA: mass export at night');
    expect(iso).toMatchObject({ user: 'li', by: 'playbook-1', reason: 'UEBA: mass export at night' });
    expect(revoked).toEqual({ sessions: 1, tokens: 0 });
    expect(pdp.decide(search)).toEqual({ decision: 'deny', reason: `isolation:${iso.id}`, matched: [`isolation:${iso.id}`], obligations: {} });
    expect(f.revoked).toEqual(['li']);
    expect((await isolation.release('li'))?.id).toBe(iso.id);
    expect(await isolation.release('li')).toBeNull();
    expect(pdp.decide(search).decision).toBe('allow');
  });
});

describe('runtime policy changes', () => {
  let f: PolicyFixture;
  beforeAll(async () => {
    f = await policyFixture();
  });
  afterAll(async () => f.close());

  it('are validated with the reason, persisted, answered with before and after, and shown in a dry run first', async () => {
    const { policies, pdp } = f.services;
    const bad = policies.apply({ op: 'add', line: { ptype: 'p', values: ['x', 'analyst', '*', 'events', 'read', 'zone=火星', 'allow'] } });
    await expect(bad).rejects.toThrow("cond: zone '火星' is not one of 政务外网, 指挥网, 互联网, 政务内网");
    const before = policies.getById('p', 'analyst-events')!;
    const after = { ptype: 'p' as const, values: ['analyst-events', 'analyst', '*', 'events', 'read|export', 'hours=08:00-20:00', 'allow'] };
    const sample: DecisionRequest = {
      subject: li,
      resource: { type: 'events' },
      action: 'read',
      context: { zone: '政务外网', time: new Date('2026-11-20T14:00:00Z') },
    };
    const flips = policies.dryRun({ op: 'update', before, after }, [sample], (p, r) => pdp.decideWith(p, r));
    expect(flips.map((x) => [x.index, x.before.decision, x.after.decision])).toEqual([[0, 'allow', 'deny']]);
    expect(pdp.decide(sample).decision).toBe('allow');
    const applied = await policies.apply({ op: 'update', before, after });
    expect(pdp.decide(sample).decision).toBe('deny');
    expect(applied).toEqual({ ptype: 'p', id: 'analyst-events', before: before.values, after: after.values, version: 2 });
    // persisted: what is stored for the line is the new version only
    const stored = new SqliteStateStore(path.join(f.dir, 'state.db'));
    const lines = (await stored.all('policy')).map((d) => d.doc as { ptype: string; values: string[] }).filter((l) => l.values[0] === 'analyst-events');
    expect(lines.map((l) => l.values)).toEqual([after.values]);
    await stored.close();
  });
});
