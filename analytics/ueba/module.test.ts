import { graphql } from 'graphql';
import { createSchema } from 'graphql-yoga';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SpoolBus } from '../../adapters/embedded/spool-bus';
import { SqliteAlertStore } from '../../adapters/sqlite/alert-store';
import { SqliteStateStore } from '../../adapters/sqlite/state-store';
import type { Alert } from '../../core/alert';
import { KERNEL } from '../../core/module';
import { DepartmentCatalogue } from '../../identity/departments';
import { AnalyticsCounters, startAlertWriter } from '../runtime/consumers';
import type { Actor } from '../../core/actor';
import { loadConfig } from '../../core/config';
import { Door } from '../../core/door';
import { createLogger } from '../../core/logging';
import type { ModuleContext, PlatformPorts, StartedModule } from '../../core/module';
import type { Signal } from '../../core/signal';
import { policyFixture, type PolicyFixture } from '../../policy/test-support';
import { defaultUebaConfig, UebaConfigSchema, type UebaConfig } from './config';
import { uebaModule } from './module';

const cfg: UebaConfig = defaultUebaConfig({ latenessMinutes: 0, baseline: { window: 8, minObservations: 5 }, dormancy: { days: 3 } });
let n = 0;
const ev = (local: string) => ({
  '@timestamp': `${local}.000+08:00`,
  event: { id: `m${++n}`, outcome: 'success' },
  user: { name: 'zhaoming' },
  // Enrichment names the user's department by its code, the dataset's owner by its name.
  citysoc: { identity: { department: 'ga' }, data: { dataset: 'ga.hukou', action: 'read', classification: '敏感', owner_department: '公安' } },
});

describe('the UEBA module', () => {
  let dir: string;
  let bus: SpoolBus;
  let f: PolicyFixture;
  let started: StartedModule;
  let state: SqliteStateStore;
  let alerts: SqliteAlertStore;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'citysoc-ueba-mod-'));
    bus = new SpoolBus({ file: path.join(dir, 'spool.db'), pollMs: 20, compactEveryMs: 0 });
    f = await policyFixture();
    state = new SqliteStateStore(path.join(dir, 'state.db'));
    alerts = new SqliteAlertStore(path.join(dir, 'alerts.db'));
    const identity = { departments: await DepartmentCatalogue.open(state) };
    const ctx: ModuleContext<UebaConfig> = {
      config: cfg,
      platform: loadConfig({ overrides: { dataDir: dir } }),
      log: createLogger('silent'),
      ports: { bus } as unknown as PlatformPorts,
      door: new Door({ authorizer: f.services.authorizer, audit: f.audit, clock: () => f.now }),
      services: { get: <T>(name: string) => (name === KERNEL.identity ? identity : undefined) as T, has: (name) => name === KERNEL.identity },
      clock: () => new Date(),
    };
    started = await uebaModule.start(ctx);
  });

  afterAll(async () => {
    await started?.stop?.();
    await bus?.close();
    await alerts?.close();
    await state?.close();
    await f?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('its configuration section parses with defaults and refuses levels that do not rise', () => {
    expect(uebaModule.config!.key).toBe('ueba');
    expect(UebaConfigSchema.parse({}).risk.alertLevel).toBe('moderate');
    expect(() => UebaConfigSchema.parse({ risk: { levels: { low: 50, moderate: 40 } } })).toThrow('levels must rise: low < moderate < high < critical');
  });

  test("its consumer group may not be detection's, the alert writer's or the indexer's (they would share the events)", () => {
    for (const g of ['detect', 'alerts', 'indexer'])
      expect(UebaConfigSchema.safeParse({ consumerGroup: g }).error?.issues.map((x) => [x.path.join('.'), x.message])).toEqual([
        ['consumerGroup', `consumer group "${g}" belongs to another reader of citysoc.events (detect, alerts, indexer)`],
      ]);
    expect(UebaConfigSchema.parse({ consumerGroup: 'ueba-2' }).consumerGroup).toBe('ueba-2');
  });

  test("events on citysoc.events become a ueba signal on citysoc.signals, and the alert writer's ueba alert is on citysoc.alerts within 2 s of the event that crossed the level", async () => {
    const received: { signal: Signal; at: number }[] = [];
    const sub = await bus.subscribe<Signal>('citysoc.signals', 'test-signal-reader', async (batch) => {
      for (const m of batch) received.push({ signal: m.value, at: Date.now() });
    });
    // The analytics runtime's alert writer, as the analytics module runs it.
    const counters = new AnalyticsCounters();
    const writer = await startAlertWriter({ bus, alerts, log: createLogger('silent'), counters });
    const onAlerts: { alert: Alert; at: number }[] = [];
    const alertSub = await bus.subscribe<Alert>('citysoc.alerts', 'test-playbooks', async (batch) => {
      for (const m of batch) onAlerts.push({ alert: m.value, at: Date.now() });
    });
    await bus.publish(
      'citysoc.events',
      ['2026-06-01T09:10:00', '2026-06-01T10:10:00', '2026-06-01T11:10:00'].map((t) => ({ key: 'zhaoming', value: ev(t) })),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(received).toEqual([]);
    const sent = Date.now();
    await bus.publish('citysoc.events', [{ key: 'zhaoming', value: ev('2026-06-05T10:00:00') }]);
    const deadline = Date.now() + 10_000;
    while ((received.length === 0 || onAlerts.length === 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await sub.stop();
    await writer.stop();
    await alertSub.stop();
    expect(received.map((r) => r.signal.dedupKey)).toEqual(['ueba:risk:user:zhaoming']);
    expect(received[0]!.signal.rule.type).toBe('ueba');
    expect(received[0]!.signal.departments).toEqual(['公安']);
    expect(received[0]!.at - sent).toBeLessThan(2_000);
    expect(counters.failures).toBe(0);
    expect(onAlerts.map((a) => [a.alert.rule.type, a.alert.dedupKey, a.alert.department, a.alert.entities[0]])).toEqual([
      ['ueba', 'ueba:risk:user:zhaoming', '公安', { type: 'user', value: 'zhaoming' }],
    ]);
    expect(onAlerts[0]!.alert.id).toBe(`al-${received[0]!.signal.id}`);
    expect(onAlerts[0]!.at - sent).toBeLessThan(2_000);
  });

  test('GraphQL riskyEntities and entity reach the service with the caller, and the PDP decides what they see', async () => {
    // The server's root types, which the module extends.
    const schema = createSchema({ typeDefs: ['type Query { _root: Boolean }', started.graphql!.typeDefs], resolvers: started.graphql!.resolvers as never });
    const admin: Actor = { kind: 'user', name: 'zhou', roles: ['department_admin'], department: '公安', person: 'zhou' };
    const other: Actor = { kind: 'user', name: 'wu', roles: ['analyst'], department: '城管', person: 'wu' };
    const run = (source: string, actor: Actor) => graphql({ schema, source, contextValue: { actor, token: null, sourceIp: undefined } });
    const mine = await run('{ riskyEntities { total entities { key level contributions { feature summary { zh en } } } } }', admin);
    expect(mine.errors).toBeUndefined();
    const page = (mine.data as { riskyEntities: { total: number; entities: { key: string; contributions: { feature: string }[] }[] } }).riskyEntities;
    expect(page.entities[0]!.key).toBe('user:zhaoming');
    expect(page.entities[0]!.contributions.map((c) => c.feature)).toContain('idle_hours');
    const theirs = await run('{ riskyEntities { total } }', other);
    expect((theirs.data as { riskyEntities: { total: number } }).riskyEntities.total).toBe(0);
    const detail = await run(
      '{ entity(id: "user:zhaoming") { entity { department } baseline { feature observations } activeHours riskHistory { level } } }',
      admin,
    );
    expect(detail.errors).toBeUndefined();
    const d = (detail.data as { entity: { entity: { department: string }; baseline: { feature: string; observations: number }[]; activeHours: number[] } })
      .entity;
    expect(d.entity.department).toBe('公安');
    expect(d.activeHours).toHaveLength(48);
    expect(d.baseline.find((b) => b.feature === 'data_reads')!.observations).toBe(3);
    const refused = await run('{ entity(id: "user:zhaoming") { entity { key } } }', other);
    expect(refused.errors?.[0]?.message).toBe('no entity user:zhaoming');
  });
});
