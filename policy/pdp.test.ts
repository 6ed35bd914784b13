import { toDsl } from '../core/query/to-dsl';
import { compileQuery, evaluate } from '../core/query';
import type { DecisionRequest } from './decision';
import { policyFixture, type PolicyFixture } from './test-support';

const analyst城管 = { user: 'li', roles: ['analyst'], department: '城管' };
const owner公安 = { user: 'wang', roles: ['department_admin'], department: '公安' };
const search = (subject: DecisionRequest['subject'], extra: Partial<DecisionRequest> = {}): DecisionRequest => ({
  subject,
  resource: { type: 'events' },
  action: 'read',
  context: {},
  ...extra,
});

describe('the policy decision point over the default policies', () => {
  let f: PolicyFixture;
  beforeAll(async () => {
    f = await policyFixture();
  });
  afterAll(async () => f.close());

  it('lets an analyst of 城管 search events only of 城管, as a query tree that compiles to the same text and DSL', () => {
    const d = f.services.pdp.decide(search(analyst城管, { context: { zone: '政务外网' } }));
    expect(d.decision).toBe('allow');
    expect(d.reason).toBe('analyst-events');
    const rf = d.obligations.rowFilter!;
    expect(rf.query).toBe('(organization.name:"城管" AND NOT citysoc.data.classification:"涉密")');
    expect(toDsl(rf.node)).toEqual({
      bool: { filter: [{ term: { 'organization.name': '城管' } }, { bool: { must_not: [{ term: { 'citysoc.data.classification': '涉密' } }] } }] },
    });
    expect(compileQuery(rf.query)).toEqual(rf.node);
    expect(evaluate(rf.node, { organization: { name: '公安' } })).toBe(false);
    expect(evaluate(rf.node, { organization: { name: '城管' } })).toBe(true);
  });

  it('denies an analyst of 城管 one event of 公安, naming why', () => {
    const d = f.services.pdp.decide({ subject: analyst城管, resource: { type: 'events', department: '公安' }, action: 'read', context: { zone: '政务外网' } });
    expect(d).toEqual({ decision: 'deny', reason: 'default-deny', matched: ['deny-secret-off-command-net'], obligations: {} });
  });

  it('lets 涉密 data be read from 指挥网 only: deny overrides the admin allow', () => {
    const admin = { user: 'root', roles: ['admin'] };
    const req = (zone: string): DecisionRequest => ({
      subject: admin,
      resource: { type: 'dataset', domain: '人口', dataset: '户籍', department: '公安', classification: '涉密' },
      action: 'read',
      context: { zone },
    });
    expect(f.services.pdp.decide(req('政务外网'))).toMatchObject({ decision: 'deny', reason: 'deny-secret-off-command-net' });
    expect(f.services.pdp.decide(req('指挥网'))).toMatchObject({ decision: 'allow', reason: 'admin-all' });
  });

  it('limits analysts to 内部 datasets and forbids exports at night', () => {
    const ds = (classification: '内部' | '敏感') => ({ type: 'dataset' as const, domain: '交通', dataset: '卡口', department: '城管', classification });
    expect(f.services.pdp.decide({ subject: analyst城管, resource: ds('内部'), action: 'read', context: { zone: '政务外网' } }).decision).toBe('allow');
    expect(f.services.pdp.decide({ subject: analyst城管, resource: ds('敏感'), action: 'read', context: { zone: '政务外网' } }).reason).toBe('default-deny');
    const owner城管 = { user: 'zhao', roles: ['department_admin'], department: '城管' };
    const at = (iso: string) =>
      f.services.pdp.decide({ subject: owner城管, resource: ds('内部'), action: 'export', context: { zone: '政务外网', time: new Date(iso) } });
    expect(at('2026-11-20T03:00:00Z')).toMatchObject({ decision: 'allow', reason: 'dept-admin-datasets' }); // 11:00 in Beijing
    expect(at('2026-11-20T13:00:00Z')).toMatchObject({ decision: 'deny', reason: 'deny-export-at-night' }); // 21:00
  });

  it('masks personal fields for analysts and shows them to the data owner', () => {
    const a = f.services.pdp.decide(search(analyst城管));
    expect(a.obligations.fields).toEqual([
      { field: 'citysoc.person.phone', treatment: 'mask', pattern: 'phone' },
      { field: 'citysoc.person.id_number', treatment: 'token' },
      { field: 'citysoc.person.name', treatment: 'mask', pattern: 'name' },
    ]);
    const o = f.services.pdp.decide(search(owner公安));
    expect(o.obligations.fields).toBeUndefined();
    const doc = { citysoc: { person: { phone: '13812341234', id_number: '110101199001011234', name: '张三' } } };
    const shown = f.services.pdp.treat(doc, a.obligations.fields);
    expect(shown.citysoc.person.phone).toBe('138****1234');
    expect(shown.citysoc.person.name).toBe('张*');
    expect(shown.citysoc.person.id_number).toMatch(/^tok_[0-9a-f]{20}$/);
    expect(doc.citysoc.person.phone).toBe('13812341234');
  });

  it('treats an unstated network zone as the worst case: 敏感 rows are filtered out too', () => {
    expect(f.services.pdp.decide(search(analyst城管)).obligations.rowFilter!.query).toBe(
      '(organization.name:"城管" AND NOT (citysoc.data.classification:"涉密" OR citysoc.data.classification:"敏感" OR citysoc.data.classification:"涉密"))',
    );
  });

  it('answers a batch in order', () => {
    const ds = f.services.pdp.decideBatch([
      search(analyst城管),
      { subject: { user: 'x', roles: ['collector'] }, resource: { type: 'events' }, action: 'read', context: {} },
    ]);
    expect(ds.map((d) => d.decision)).toEqual(['allow', 'deny']);
  });

  it('agrees with casbin on 2,000 random fully stated requests', async () => {
    const e = f.services.policies.enforcer;
    const roles = ['analyst', 'department_admin', 'auditor', 'admin', 'collector'];
    const depts = ['城管', '公安', '交通'];
    const zones = ['政务外网', '指挥网', '互联网'];
    const cls = ['公开', '内部', '敏感', '涉密'] as const;
    const types = ['events', 'alerts', 'dataset', 'emergency'] as const;
    const actions = ['read', 'export', 'write', 'approve', 'delete'];
    let seed = 7;
    const pick = <T>(xs: readonly T[]): T => xs[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % xs.length]!;
    const ips = ['10.1.1.1', '203.0.113.7', '::ffff:10.2.3.4'];
    let disagreements = 0;
    let allowed = 0;
    for (let i = 0; i < 2000; i++) {
      const role = pick(roles);
      const department = pick(depts);
      const user = `u${i}`;
      const dom = role === 'admin' || role === 'auditor' ? '*' : department;
      await e.addNamedGroupingPolicy('g', user, role, dom);
      const type = pick(types);
      const resource = { type, ...(type === 'dataset' ? { domain: '人口', dataset: '户籍' } : {}), department: pick(depts), classification: pick(cls) };
      const time = new Date(Date.UTC(2026, 10, 20, pick([1, 5, 13, 23])));
      const req: DecisionRequest = {
        subject: { user, roles: [role], department },
        resource,
        action: pick(actions),
        context: { zone: pick(zones), time, ip: pick(ips) },
      };
      const minute = ((time.getUTCHours() + 8) % 24) * 60;
      const obj = type === 'dataset' ? 'dataset/人口/户籍' : type;
      const ref = e.enforceSync(user, resource.department, obj, req.action, {
        classification: resource.classification,
        zone: req.context.zone,
        minute,
        ip: req.context.ip!.replace(/^::ffff:/, ''),
      });
      const ours = f.services.pdp.decide(req).decision === 'allow';
      await e.removeNamedGroupingPolicy('g', user, role, dom);
      if (ref !== ours) disagreements++;
      if (ours) allowed++;
    }
    expect(disagreements).toBe(0);
    // Both answers must occur, or agreement would prove nothing.
    expect(allowed).toBeGreaterThan(100);
    expect(2000 - allowed).toBeGreaterThan(100);
  });
});
