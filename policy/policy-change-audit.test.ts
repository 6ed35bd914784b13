/** A policy change through the door: one audit record with the line before and after, and the reason its author gave. */
import type { Actor } from '../core/actor';
import { bind, Door } from '../core/door';
import { policyActions, MAX_CHANGE_REASON } from './actions';
import { policyFixture, type PolicyFixture } from './test-support';

const admin: Actor = { kind: 'user', name: 'zhao.admin', person: 'zhao.admin', roles: ['admin'] };
const auditor: Actor = { kind: 'user', name: 'qian.auditor', person: 'qian.auditor', roles: ['auditor'] };
const BEFORE = ['history-read', 'analyst', '*', 'dataset/*', 'read', 'classification<=公开', 'allow'];
const AFTER = ['history-read', 'analyst', '*', 'dataset/*', 'read', 'classification<=内部', 'allow'];

describe('a policy change through the door', () => {
  let f: PolicyFixture;
  let svc: ReturnType<typeof bind<ReturnType<typeof policyActions>>>;
  const changes = async () => (await f.audit.query({ action: 'policy.change', size: 100 })).sort((a, b) => a.seq - b.seq);

  beforeEach(async () => {
    f = await policyFixture();
    const door = new Door({ authorizer: f.services.authorizer, audit: f.audit, clock: () => f.now });
    svc = bind(door, policyActions({ policy: f.services, resolveDepartment: (d) => d, account: () => null }));
  });
  afterEach(async () => f.close());

  it('is audited once with the line before and after, the version and the reason given', async () => {
    await svc.applyChange(admin, { change: { op: 'add', line: { ptype: 'p', values: BEFORE } } });
    const applied = await svc.applyChange(admin, {
      change: { op: 'update', before: { ptype: 'p', values: BEFORE }, after: { ptype: 'p', values: AFTER } },
      reason: '  工单 2026-118: 分析员需要读取内部数据集  ',
    });
    const rows = await changes();
    expect(rows.map((r) => [r.actor, r.decision, r.resource])).toEqual([
      ['zhao.admin', 'allow', 'policy:p:history-read'],
      ['zhao.admin', 'allow', 'policy:p:history-read'],
    ]);
    expect(rows[0]!.details).not.toHaveProperty('reason');
    expect(rows[1]!.details).toMatchObject({ before: BEFORE, after: AFTER, version: applied.version, reason: '工单 2026-118: 分析员需要读取内部数据集' });
  });

  it('takes a blank reason as none', async () => {
    await svc.applyChange(admin, { change: { op: 'add', line: { ptype: 'p', values: BEFORE } }, reason: '   ' });
    const [row] = await changes();
    expect(row!.decision).toBe('allow');
    expect(row!.details).not.toHaveProperty('reason');
  });

  it('refuses a reason longer than the trail keeps, changes nothing and keeps no copy of it', async () => {
    const long = '因'.repeat(MAX_CHANGE_REASON + 1);
    await expect(svc.applyChange(admin, { change: { op: 'add', line: { ptype: 'p', values: BEFORE } }, reason: long })).rejects.toMatchObject({
      code: 'INPUT_INVALID',
      message: `reason: text of at most ${MAX_CHANGE_REASON} characters`,
    });
    expect(f.services.policies.getById('p', 'history-read')).toBeUndefined();
    const rows = await changes();
    expect(rows.map((r) => r.decision)).toEqual(['failure']);
    expect(JSON.stringify(rows[0]!.details)).not.toContain('因因');
  });

  it('is refused to an auditor, who may read the policy but not change it', async () => {
    await expect(svc.applyChange(auditor, { change: { op: 'add', line: { ptype: 'p', values: BEFORE } }, reason: 'x' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(f.services.policies.getById('p', 'history-read')).toBeUndefined();
    expect((await changes()).map((r) => [r.actor, r.decision])).toEqual([['qian.auditor', 'deny']]);
  });
  it('keeps no unbounded copy of a refused change in the trail: the audited input is bounded as the reason is', async () => {
    const huge = 'x'.repeat(1_000_000);
    await expect(svc.applyChange(admin, { change: { op: 'add', line: { ptype: 'p', values: [huge, ...BEFORE.slice(1)] }, junk: huge } })).rejects.toMatchObject(
      {
        code: 'INPUT_INVALID',
      },
    );
    const [row] = await changes();
    expect(row!.decision).toBe('failure');
    expect(JSON.stringify(row!.details).length).toBeLessThan(64 * 1024);
  });
});
