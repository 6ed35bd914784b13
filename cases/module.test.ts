import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { SqliteCaseStore } from '../adapters/sqlite/case-store';
import { sampleAlert } from '../core/contracts/alert-store.contract';
import { loadConfig } from '../core/config';
import { createLogger } from '../core/logging';
import { type CliEnv, KERNEL, type ModuleContext, type PlatformPorts } from '../core/module';
import type { Bus } from '../core/ports/bus';
import { type CasesConfig, CasesConfigSchema } from './config';
import type { CaseEvidence } from './evidence';
import { casesModule } from './module';
import { DepartmentCatalogue } from '../identity/departments';
import { IdentityStore } from '../identity/store';
import type { CasesServices } from './service';
import { casesFixture, type CasesFixture } from './test-support';

let f: CasesFixture;
beforeEach(async () => {
  f = await casesFixture();
});
afterEach(() => f.close());

function context(config: CasesConfig): ModuleContext<CasesConfig> {
  const ports: PlatformPorts = {
    events: f.events,
    // the cases module publishes nothing
    bus: {} as Bus,
    alerts: f.alerts,
    cases: f.cases,
    audit: f.policy.audit,
    state: f.deps.state,
    backlogBytes: () => 0,
  };
  return {
    config,
    platform: loadConfig({ env: {}, overrides: { dataDir: f.policy.dir } }),
    log: createLogger('silent'),
    ports,
    door: f.door,
    services: { get: () => undefined as never, has: () => false },
    clock: () => f.policy.now,
  };
}

describe('the cases module', () => {
  it('reads its configuration section with defaults, and refuses targets that cannot hold', () => {
    const c = CasesConfigSchema.parse({ sla: { critical: { acknowledgeMinutes: 5 } } });
    expect([c.sla.critical, c.sla.high, c.sla.warnFraction, c.mergeWindowHours]).toEqual([
      { acknowledgeMinutes: 5, resolveMinutes: 240 },
      { acknowledgeMinutes: 60, resolveMinutes: 1440 },
      0.75,
      72,
    ]);
    expect(() => CasesConfigSchema.parse({ sla: { low: { acknowledgeMinutes: 600, resolveMinutes: 60 } } })).toThrow(
      'resolveMinutes must be at least acknowledgeMinutes',
    );
    expect(() => CasesConfigSchema.parse({ slas: {} })).toThrow();
  });

  it('starts with the wired case store and serves its actions, GraphQL and a stop that closes the store', async () => {
    const store = new SqliteCaseStore(path.join(f.policy.dir, 'module-cases.db'));
    const m = casesModule({ caseStore: () => store, users: () => () => null });
    expect([m.name, m.config?.key]).toEqual(['cases', 'cases']);
    const started = await m.start(context(CasesConfigSchema.parse({})));
    const services = started.services as CasesServices;
    const c = await services.cases.create(f.actor('wu'), { title: 'x', severity: 'low', departments: ['城管'] });
    expect((await store.get(c.id))!.title).toBe('x');
    expect(started.graphql!.typeDefs).toContain('extend type Query');
    await started.stop!();
    await expect(store.get(c.id)).rejects.toThrow();
  });

  it('lists the identity store’s display names in the assignee picker and finds people by them', async () => {
    const identity = await IdentityStore.open(f.deps.state, { sessionTtlMinutes: 60, maxFailedLogins: 5, lockoutMinutes: 15 });
    await identity.createUser('wu', ['analyst'], '城管', undefined, { displayName: '吴磊' });
    await identity.createUser('chen', ['analyst'], '城管', undefined, { displayName: '陈静' });
    await identity.createUser('zhou', ['analyst'], '城管');
    await identity.createUser('li', ['analyst'], '公安', undefined, { displayName: '李娜' });
    const kernel = { store: identity, departments: await DepartmentCatalogue.open(f.deps.state) };
    const started = await casesModule().start({
      ...context(CasesConfigSchema.parse({})),
      services: { get: <T>(k: string) => (k === KERNEL.identity ? kernel : undefined) as T, has: (k: string) => k === KERNEL.identity },
    });
    const services = started.services as CasesServices;
    await f.alerts.upsert(sampleAlert('cg-1', { dedupKey: 'k1', department: '城管' }), 0);
    expect(await services.cases.assignableUsers(f.actor('wu'), { alertId: 'cg-1' })).toEqual([
      { username: 'chen', displayName: '陈静' },
      { username: 'wu', displayName: '吴磊' },
      { username: 'zhou', displayName: null },
    ]);
    expect(await services.cases.assignableUsers(f.actor('wu'), { alertId: 'cg-1', text: '陈' })).toEqual([{ username: 'chen', displayName: '陈静' }]);
    // 李娜 is of 公安: her name finds nobody for a 城管 alert
    expect(await services.cases.assignableUsers(f.actor('wu'), { alertId: 'cg-1', text: '李娜' })).toEqual([]);
  });

  it('verifies a case export from the command line: exit 0 when intact, 1 naming the record when not', async () => {
    await f.alerts.upsert(sampleAlert('cg-1', { dedupKey: 'k1' }), 0);
    const c = await f.services.cases.openFromAlert(f.actor('wu'), { alertId: 'cg-1' });
    const e = JSON.parse((await f.services.cases.exportCase(f.actor('admin'), { id: c.id })).content) as CaseEvidence;
    const good = path.join(f.policy.dir, 'good.json');
    const bad = path.join(f.policy.dir, 'bad.json');
    writeFileSync(good, JSON.stringify(e));
    (e.records[0] as { action: string }).action = 'cases.get';
    writeFileSync(bad, JSON.stringify(e));
    const verify = (file: string, key: string[] = ['--trusted-key', f.trust.fingerprints[0]!]) => {
      const out: string[] = [];
      const env: CliEnv = { out: (s) => out.push(s), err: (s) => out.push(s), loadConfig: () => loadConfig({ env: {} }) };
      const program = new Command().exitOverride();
      casesModule({ caseStore: () => null as never, users: () => () => null }).cli!(program, env);
      process.exitCode = undefined;
      program.parse(['node', 'citysoc', 'cases', 'verify-export', ...key, file]);
      const code = process.exitCode;
      process.exitCode = undefined;
      return { code, out: code === 2 ? out.join('') : (JSON.parse(out.join('')) as { ok: boolean; problems: string[] }) };
    };
    expect(verify(good)).toEqual({ code: 0, out: expect.objectContaining({ ok: true, problems: [] }) });
    expect(verify(bad)).toEqual({ code: 1, out: expect.objectContaining({ ok: false, problems: [`audit record ${e.records[0]!.seq} is modified`] }) });
    // without a trusted key nothing is vouched for: the verb says what it needs
    expect(verify(good, [])).toEqual({ code: 2, out: expect.stringContaining('needs the trusted key') });
    // a key that did not sign the trail: its checkpoints and manifest are not trusted
    const other = `sha256:${'0'.repeat(64)}`;
    expect(verify(good, ['--trusted-key', other])).toEqual({ code: 1, out: expect.objectContaining({ ok: false }) });
  });
});
