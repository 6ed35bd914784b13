import type { Actor } from '../../core/actor';
import { bind, Door } from '../../core/door';
import { policyFixture, type PolicyFixture } from '../../policy/test-support';
import { defaultUebaConfig } from './config';
import type { EntityType } from './features/definitions';
import type { RiskInput } from './risk/risk';
import type { EntityRisk } from './scorer';
import { uebaActions, type UebaReadModel } from './service';

const cfg = defaultUebaConfig();
const at = Date.parse('2026-11-20T02:00:00Z');

function risk(type: EntityType, id: string, department: string | null, scores: number[]): EntityRisk {
  const inputs: RiskInput[] = scores.map((score, i) => ({
    id: `${id}-${i}`,
    anomaly: `${id}-${i}`,
    at: at - i * 3_600_000,
    score,
    kind: 'numeric',
    feature: 'records_exported',
    summary: { zh: '导出记录数', en: 'records exported' },
    eventIds: [],
    related: [],
  }));
  return {
    type,
    id,
    department,
    criticality: 1,
    inputs: new Map(inputs.map((x) => [x.id, x])),
    current: null,
    alerted: null,
    history: [{ at, score: 0, level: 'none' }],
    anomalies: [],
  };
}

const risks = [
  risk('user', 'zhangwei', '公安', [100, 90, 80]),
  risk('user', 'lina', '城管', [60]),
  risk('dataset', 'ga.hukou', '公安', [40]),
  risk('host', 'cg-app-01', '城管', [100, 100]),
];

const model: UebaReadModel = {
  asOf: () => at,
  risks: () => risks,
  risk: (type, id) => risks.find((r) => r.type === type && r.id === id),
  known: (type, id) => {
    const r = risks.find((x) => x.type === type && x.id === id);
    return r ? { department: r.department } : undefined;
  },
  baseline: () => [],
  activeHours: () => new Array<number>(48).fill(0),
  peers: () => undefined,
};

const person = (name: string, roles: Actor['roles'], department?: string): Actor => ({
  kind: 'user',
  name,
  roles,
  person: name,
  ...(department ? { department } : {}),
});
const auditor = person('shen', ['auditor']);
const gaAdmin = person('zhou', ['department_admin'], '公安');
const cgAnalyst = person('wu', ['analyst'], '城管');
const collector = person('fluent', ['collector']);

describe('the UEBA service behind the door', () => {
  let f: PolicyFixture;
  let svc: ReturnType<typeof bind<ReturnType<typeof uebaActions>>>;
  beforeAll(async () => {
    f = await policyFixture();
    svc = bind(new Door({ authorizer: f.services.authorizer, audit: f.audit, clock: () => f.now }), uebaActions(model, cfg));
  });
  afterAll(async () => f.close());

  test('an auditor sees every entity, riskiest first', async () => {
    const page = await svc.riskyEntities(auditor, {});
    expect(page.entities.map((e) => e.key)).toEqual(['user:zhangwei', 'host:cg-app-01', 'user:lina', 'dataset:ga.hukou']);
    expect(page.total).toBe(4);
    expect(page.asOf).toBe(new Date(at).toISOString());
    expect(page.entities[0]!.contributions[0]).toMatchObject({ feature: 'records_exported', score: 100 });
  });

  test("a department admin of 公安 sees 公安's users and datasets only", async () => {
    const page = await svc.riskyEntities(gaAdmin, {});
    expect(page.entities.map((e) => e.key)).toEqual(['user:zhangwei', 'dataset:ga.hukou']);
  });

  test('filters: by type, by department and by the lowest level', async () => {
    expect((await svc.riskyEntities(auditor, { type: 'host' })).entities.map((e) => e.key)).toEqual(['host:cg-app-01']);
    expect((await svc.riskyEntities(auditor, { department: '城管' })).entities.map((e) => e.key)).toEqual(['host:cg-app-01', 'user:lina']);
    const high = await svc.riskyEntities(auditor, { level: 'high' });
    expect(high.entities.every((e) => e.level === 'high' || e.level === 'critical')).toBe(true);
    expect(high.entities.map((e) => e.key)).toEqual(['user:zhangwei']);
  });

  test("another department's entity answers exactly like one that does not exist", async () => {
    await expect(svc.entity(cgAnalyst, { id: 'user:zhangwei' })).rejects.toThrow('no entity user:zhangwei');
    await expect(svc.entity(cgAnalyst, { id: 'user:nobody' })).rejects.toThrow('no entity user:nobody');
    const mine = await svc.entity(cgAnalyst, { id: 'user:lina' });
    expect(mine.entity).toMatchObject({ key: 'user:lina', department: '城管' });
    expect(mine.riskHistory).toHaveLength(1);
  });

  test('without entities:read, refused; malformed input, refused with what was expected', async () => {
    await expect(svc.riskyEntities(collector, {})).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(svc.riskyEntities(auditor, { size: 0 })).rejects.toThrow('size must be 1..500');
    await expect(svc.riskyEntities(auditor, { type: 'printer' })).rejects.toThrow('type printer: one of user, host, dataset');
    await expect(svc.entity(auditor, { id: 'zhangwei' })).rejects.toThrow('entity id "zhangwei": expected <type>:<id> with type user, host, dataset');
  });

  test('every call is audited once, with who asked and what', async () => {
    const before = (await f.audit.query({ action: 'entities.get', size: 1000 })).length;
    await svc.entity(auditor, { id: 'dataset:ga.hukou' });
    const after = await f.audit.query({ action: 'entities.get', size: 1000 });
    expect(after.length).toBe(before + 1);
    expect(after.find((r) => r.resource === 'entity:dataset:ga.hukou')).toMatchObject({
      actor: 'shen',
      action: 'entities.get',
      resource: 'entity:dataset:ga.hukou',
      decision: 'allow',
    });
  });
});
