import { paletteFixture, type PaletteFixture, until } from '../test-support/palette-fixture';
import { testAlert } from '../test-support/test-host';

const U = 'zhang.wei';
const flowIn = (extra: Record<string, unknown> = {}) => ({
  id: 'in',
  type: 'citysoc-alert-in',
  z: 'f1',
  name: 'exports',
  rules: 'rule-export',
  wires: [['enrich']],
  ...extra,
});

describe('the CitySOC palette on Node-RED', () => {
  let f: PaletteFixture;
  beforeEach(async () => {
    f = await paletteFixture();
  });
  afterEach(() => f.close());

  it('runs alert in → enrich → update alert for a matching alert: one run, its steps in order, each a door action of the playbook on behalf of who enabled it', async () => {
    await f.load([
      flowIn(),
      { id: 'enrich', type: 'citysoc-enrich', z: 'f1', wires: [['upd']] },
      { id: 'upd', type: 'citysoc-update-alert', z: 'f1', status: 'acknowledged', comment: 'seen by {{citysoc.playbookName}}', wires: [[]] },
    ]);
    const alert = testAlert({ id: 'a-1', rule: { id: 'rule-export' }, entities: [{ type: 'user', value: U }] });
    await f.t.alerts.upsert(alert, 0);
    await f.bus.publish('citysoc.alerts', [{ key: alert.id, value: alert }]);
    const run = await until('the run to succeed', async () => (await f.store.listRuns({ limit: 5 })).find((r) => r.status === 'succeeded'));
    expect(run).toMatchObject({ playbookId: 'f1', person: 'lead', trigger: { kind: 'alert', nodeId: 'in', alertId: 'a-1', ruleId: 'rule-export' } });
    const steps = await f.store.listSteps(run.id);
    expect(steps.map((s) => [s.nodeId, s.status, s.attempts])).toEqual([
      ['in', 'succeeded', 1],
      ['enrich', 'succeeded', 1],
      ['upd', 'succeeded', 1],
    ]);
    expect(steps[2]!.output).toEqual({ alertId: 'a-1', status: 'acknowledged' });
    expect((await f.t.alerts.get('a-1'))!.status).toBe('acknowledged');
    const trail = (await f.t.audit.query({})).sort((a, b) => a.seq - b.seq).filter((r) => r.actorType === 'playbook');
    expect(
      trail.map((r) => [r.action, r.actor, r.decision, (r.details as { person?: string }).person, (r.details as { run?: { step?: string } }).run?.step]),
    ).toEqual([
      ['entities.enrich', 'playbook:f1', 'allow', 'lead', 'enrich'],
      ['alerts.update', 'playbook:f1', 'allow', 'lead', 'upd'],
    ]);
  });

  it('starts no run for an alert of another rule, one run for an alert delivered twice, and keeps an invalid alert with the reason', async () => {
    await f.load([flowIn(), { id: 'enrich', type: 'citysoc-enrich', z: 'f1', wires: [[]] }]);
    const other = testAlert({ id: 'a-2', rule: { id: 'rule-other' } });
    const mine = testAlert({ id: 'a-3', rule: { id: 'rule-export' }, entities: [{ type: 'user', value: U }] });
    await f.bus.publish<unknown>('citysoc.alerts', [
      { key: 'a-2', value: other },
      { key: 'a-3', value: mine },
      { key: 'a-3', value: { ...mine, count: 2 } },
      { key: 'bad', value: { id: 'x', rule: { id: 'r' } } },
    ]);
    await until('the bus to be consumed', async () => (await f.bus.lag('citysoc.alerts', 'playbooks')) === 0);
    await f.engine.idle();
    const runs = await f.store.listRuns({ limit: 10 });
    expect(runs.map((r) => [r.trigger.alertId, r.status])).toEqual([['a-3', 'succeeded']]);
    expect(f.t.calls.filter((c) => c.startsWith('enrich'))).toEqual([`enrich:${U}`]);
    const rejected = await f.store.listRejected(10);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.source).toMatch(/^citysoc\.alerts@/);
    expect(rejected[0]!.reason).toContain('dedupKey');
  });

  it('runs nothing while the playbook is disabled', async () => {
    await f.catalog.setEnabled('f1', false, 'lead', new Date());
    await f.load([flowIn(), { id: 'enrich', type: 'citysoc-enrich', z: 'f1', wires: [[]] }]);
    await f.bus.publish('citysoc.alerts', [{ key: 'a', value: testAlert({ rule: { id: 'rule-export' } }) }]);
    await until('the bus to be consumed', async () => (await f.bus.lag('citysoc.alerts', 'playbooks')) === 0);
    expect(await f.store.listRuns({ limit: 5 })).toEqual([]);
    expect(f.intake.counts).toEqual({ alerts: 1, rejected: 0, started: 0 });
  });
});
