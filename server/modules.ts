/**
 * Starts modules (core/module.ts) in dependency order and stops them in reverse, collecting what
 * each serves: services for the modules after it, HTTP mounts, GraphQL contributions, jobs.
 */
import { CitySocError } from '../core/errors';
import type { Logger } from '../core/logging';
import type { BackgroundJob, CitySocModule, GraphQLContribution, HttpMount, ModuleContext, ServiceRegistry, StartedModule } from '../core/module';

/** Orders modules so that each comes after the modules it depends on; refuses unknown names and cycles. */
export function startOrder(modules: readonly CitySocModule<unknown>[], provided: ReadonlySet<string> = new Set()): CitySocModule<unknown>[] {
  const byName = new Map(modules.map((m) => [m.name, m]));
  if (byName.size !== modules.length) throw new CitySocError('CONFIG_INVALID', 'two modules share a name');
  const out: CitySocModule<unknown>[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (m: CitySocModule<unknown>, path: string[]) => {
    const s = state.get(m.name);
    if (s === 'done') return;
    if (s === 'visiting') throw new CitySocError('CONFIG_INVALID', `modules depend on each other in a circle: ${[...path, m.name].join(' → ')}`);
    state.set(m.name, 'visiting');
    for (const d of m.dependsOn ?? []) {
      const dep = byName.get(d);
      if (!dep) {
        if (provided.has(d)) continue;
        throw new CitySocError('CONFIG_INVALID', `module ${m.name} needs module ${d}, which is not in this build`);
      }
      visit(dep, [...path, m.name]);
    }
    state.set(m.name, 'done');
    out.push(m);
  };
  for (const m of modules) visit(m, []);
  return out;
}

export class Registry implements ServiceRegistry {
  private readonly services = new Map<string, unknown>();

  set(name: string, services: unknown): void {
    this.services.set(name, services);
  }

  get<T>(name: string): T {
    if (!this.services.has(name)) throw new CitySocError('INTERNAL', `the services of module ${name} are not available: is it started before its dependents?`);
    return this.services.get(name) as T;
  }

  has(name: string): boolean {
    return this.services.has(name);
  }

  names(): ReadonlySet<string> {
    return new Set(this.services.keys());
  }
}

export interface RunningModules {
  readonly http: readonly HttpMount[];
  readonly graphql: readonly GraphQLContribution[];
  readonly jobs: readonly BackgroundJob[];
  /** Each module's Prometheus text. */
  readonly metrics: readonly (() => Promise<string>)[];
  /** Module names in start order. */
  readonly names: readonly string[];
  stop(): Promise<void>;
}

/**
 * Starts the modules; when one fails, those already started are stopped (in reverse) before the
 * error is passed on, so a failed start leaves nothing running.
 */
export async function startModules(
  modules: readonly CitySocModule<unknown>[],
  base: Omit<ModuleContext, 'config' | 'services'>,
  registry: Registry,
  sections: Readonly<Record<string, unknown>>,
  log: Logger,
): Promise<RunningModules> {
  const order = startOrder(modules, registry.names());
  const started: { name: string; m: StartedModule }[] = [];
  const stop = async () => {
    for (const { name, m } of [...started].reverse()) {
      try {
        await m.stop?.();
      } catch (err) {
        log.error({ err, module: name }, 'module failed to stop cleanly');
      }
    }
    started.length = 0;
  };
  try {
    for (const mod of order) {
      // A configuration loaded without this module's section (a test's, a tool's) gets its defaults.
      const config = mod.config ? (sections[mod.config.key] ?? mod.config.schema.parse({})) : undefined;
      const m = await mod.start({ ...base, config, services: registry });
      if (m.services !== undefined) registry.set(mod.name, m.services);
      started.push({ name: mod.name, m });
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    http: started.flatMap(({ m }) => m.http ?? []),
    graphql: started.flatMap(({ m }) => (m.graphql ? [m.graphql] : [])),
    jobs: started.flatMap(({ m }) => m.jobs ?? []),
    metrics: started.flatMap(({ m }) => (m.metrics ? [() => m.metrics!()] : [])),
    names: started.map((s) => s.name),
    stop,
  };
}
