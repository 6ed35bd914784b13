/**
 * The composition root: opens the profile's ports, the kernel (identity, PDP, the door), starts
 * the modules in dependency order, serves HTTP, runs the modules' jobs, and shuts down in reverse
 * without losing anything that was accepted. The first start's one-time admin password is shown
 * only once everything is up, so a failed start never spends it.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { AnchorPublisher, openSinks } from '../policy/audit/anchors';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config, ConfigSection } from '../core/config';
import type { Logger } from '../core/logging';
import type { GraphQLSchema } from 'graphql';
import type { CitySocModule, HttpMount, PlatformPorts } from '../core/module';
import { KERNEL } from '../core/module';
import { alertsModule } from '../alerts/module';
import { sourceHealthModule } from '../collectors/source-health/module';
import { ingestModule, INGEST_KERNEL, type IngestKernel } from '../collectors/module';
import type { IngestGateway } from '../collectors/gateway/gateway';
import type { SyslogListeners } from '../collectors/gateway/syslog-server';
import { eventsModule } from '../events/module';
import { indexerDrained } from '../events/indexer';
import { identityModule } from '../identity/module';
import type { IdentityStore } from '../identity/store';
import { policyModule } from '../policy/module';
import { consoleModule } from './console-module';
import { liveAlertsModule } from './live-module';
import { liveCasesModule } from './live-cases-module';
import { livePlaybooksModule } from './live-playbooks-module';
import { complianceModule } from '../compliance/module';
import { playbooksModule, type SourceBlocks } from '../playbooks/module';
import { CASES_MODULE } from '../cases/module';
import { uebaModule } from '../analytics/ueba/module';
import type { PolicyServices } from '../policy/services';
import { analyticsModule, ANALYTICS_RUNTIME } from '../analytics/module';
import { ALERTS_GROUP, DETECT_GROUP } from '../analytics/runtime/consumers';
import { shippedRulesDir } from './checkout';
import { createGraphQL } from './graphql/api';
import { createHandler } from './http';
import { type Kernel, openKernel } from './kernel';
import { Registry, startModules } from './modules';
import { analyticsRuntime, openPorts } from './profiles';

/**
 * The console comes first: its mount at `/` must see a browser's request before the ingest
 * gateway's Elasticsearch probe at `/` (mounts of equal prefix are tried in start order).
 */
export const MODULES: readonly CitySocModule<unknown>[] = [
  consoleModule,
  identityModule,
  policyModule,
  ingestModule,
  sourceHealthModule,
  eventsModule,
  alertsModule,
  analyticsModule,
  uebaModule,
  liveAlertsModule,
  complianceModule,
  CASES_MODULE,
  playbooksModule(),
  livePlaybooksModule,
  liveCasesModule,
] as CitySocModule<unknown>[];

/** The modules' configuration sections, for loadConfig. */
export function moduleSections(modules: readonly CitySocModule<unknown>[] = MODULES): ConfigSection[] {
  return modules.flatMap((m) => (m.config ? [m.config as ConfigSection] : []));
}

export interface Platform {
  readonly url: string;
  readonly ports: PlatformPorts;
  readonly kernel: Kernel;
  readonly identity: IdentityStore;
  /** Policy decisions, isolation, emergency grants, audit checkpoints (policy/). */
  readonly policy: PolicyServices;
  /** The ingest gateway: pipeline, metrics, reference-data reload. */
  readonly gateway: IngestGateway;
  /** Detection, correlation and the alert writer as stream consumers. */
  readonly analytics: {
    /** Resolves once the analytics consumers have caught up with everything published so far. */
    idle(timeoutMs?: number): Promise<boolean>;
    /** End of input: closes every correlation window and publishes what fires. */
    flush(): Promise<number>;
  };
  /** Bound syslog listeners, when configured. */
  readonly syslog?: SyslogListeners;
  /** The services of a started module. */
  service<T>(module: string): T;
  /** The merged GraphQL schema (printed to schema.graphql). */
  readonly schema: GraphQLSchema;
  /** Every HTTP mount of the started modules, and the GraphQL resolvers by type (the every-path test reads them). */
  readonly surface: { readonly mounts: readonly HttpMount[]; readonly resolvers: Readonly<Record<string, Readonly<Record<string, unknown>>>> };
  /** Runs every module's jobs once now (retention and the like); tests and the CLI use it. */
  runJobs(now?: Date): Promise<void>;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Where the one-time admin password is shown; never the log. */
  readonly announce: (text: string) => void;
  readonly modules?: readonly CitySocModule<unknown>[];
  readonly clock?: () => Date;
}

export async function startPlatform(config: Config, log: Logger, opts: StartOptions): Promise<Platform> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  chmodSync(config.dataDir, 0o700);
  const clock = opts.clock ?? (() => new Date());
  const ports = await openPorts(config, log);
  const cleanup: (() => Promise<void>)[] = [];
  const closePorts = async () => {
    await ports.bus.close();
    await ports.events.close();
    await ports.alerts.close();
    await ports.cases.close();
    await ports.audit.close();
    await ports.state.close();
  };
  let kernel: Kernel;
  try {
    kernel = await openKernel(config, ports, log, { clock });
  } catch (e) {
    await closePorts();
    throw e;
  }
  cleanup.push(() => kernel.close());
  // Signed checkpoints leave for the external anchors as they are made.
  const anchors = new AnchorPublisher(ports.audit, openSinks(config), path.join(config.dataDir, 'audit-anchors.json'));
  anchors.start(5_000, (err) => log.error({ err }, 'audit anchor publication failed; it is retried'));
  cleanup.push(() => anchors.stop());

  const registry = new Registry();
  registry.set(KERNEL.identity, { store: kernel.identity, departments: kernel.departments });
  registry.set(KERNEL.policy, kernel.policy);
  registry.set(ANALYTICS_RUNTIME, analyticsRuntime(config, log));
  registry.set('rules-folders', config.detection.rules ?? [shippedRulesDir()].filter((d): d is string => d !== null));
  registry.set(INGEST_KERNEL, {
    authenticate: (token) => kernel.identity.authenticate(token),
    isolated: (actor) => kernel.policy.authorizer.isolation(actor.name, clock()) !== null || kernel.policy.authorizer.isolation(actor.person, clock()) !== null,
  } satisfies IngestKernel);

  const sections = config as unknown as Record<string, unknown>;
  let modules;
  try {
    modules = await startModules(opts.modules ?? MODULES, { platform: config, log, ports, door: kernel.door, clock }, registry, sections, log);
  } catch (e) {
    await kernel.close();
    await closePorts();
    throw e;
  }

  const gql = createGraphQL(modules.graphql, config.server.graphql, log);
  let ready = false;
  const metricSources = modules.metrics;
  // Sources a playbook blocked are refused before anything else reads the request.
  const blocks = registry.has('playbooks') ? registry.get<Partial<SourceBlocks>>('playbooks') : null;
  const handler = createHandler({
    log,
    isReady: () => ready,
    health: () => ports.events.health(),
    authenticate: (token, ip) => kernel.identity.authenticateFresh(token, ip),
    graphql: (req, res, who) => void gql.yoga(req, res, { req, res, who }),
    metrics: async () => (await Promise.all(metricSources.map((m) => m()))).join('\n'),
    mounts: modules.http,
    corsOrigins: config.server.corsOrigins,
  });
  const server: Server = createServer((req, res) => {
    if (blocks?.sourceBlocked?.(req.socket.remoteAddress, clock())) {
      res.writeHead(403, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
      res.end(JSON.stringify({ error: 'FORBIDDEN', message: 'requests from this address are blocked' }));
      return;
    }
    handler(req, res);
  });
  // WebSocket upgrades go to the mount that owns them (the playbook editor's comms); others are closed.
  server.on('upgrade', (req, socket, head) => {
    if (blocks?.sourceBlocked?.(req.socket.remoteAddress, clock())) return void socket.destroy();
    for (const m of modules.http) if (m.upgrade?.(req, socket, head)) return;
    socket.destroy();
  });
  server.requestTimeout = 60_000;
  server.headersTimeout = 15_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.server.port, config.server.host, () => resolve());
    });
  } catch (e) {
    await modules.stop();
    await kernel.close();
    await closePorts();
    throw e;
  }
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${host}:${addr.port}`;

  const runJob = async (job: (typeof modules.jobs)[number], now: Date) => {
    try {
      await job.run(now);
    } catch (err) {
      log.error({ err, job: job.name }, 'job failed; it runs again at the next interval');
    }
  };
  const runJobs = async (now = clock()) => {
    for (const job of modules.jobs) await runJob(job, now);
    await kernel.anonymousAudit.flush();
  };
  await runJobs();
  const timers = modules.jobs.map((job) => {
    const t = setInterval(() => void runJob(job, clock()), job.intervalMs);
    t.unref();
    return t;
  });
  const summaries = setInterval(
    () => void kernel.anonymousAudit.flush().catch((err: unknown) => log.error({ err }, 'refused-call summary not written')),
    60_000,
  );
  summaries.unref();

  // Only now that everything runs: the first start's one-time admin password.
  const admin = await kernel.identity.bootstrapAdmin();
  if (admin) {
    await ports.audit.append({
      actor: 'system',
      actorType: 'system',
      action: 'auth.bootstrap',
      resource: 'user:admin',
      decision: 'success',
      reason: 'first start: admin created with a one-time password',
    });
    opts.announce(
      [
        '',
        'CitySOC first start: the administrator account was created.',
        `  user:               ${admin.username}`,
        `  one-time password:  ${admin.password}`,
        'It is shown only now. Sign in and change it (mutation changePassword); nothing else works until you do.',
        'Lost it? On this host: citysoc admin reset-password admin',
        '',
      ].join('\n'),
    );
  }
  if (config.audit.trustedKeyFingerprint === undefined)
    opts.announce(
      `Audit trail signing key fingerprint: ${kernel.policy.signingKey.fingerprint}\nRecord it outside this machine and pin it (audit.trustedKeyFingerprint) so verification trusts this key only.\n`,
    );
  ready = true;
  log.info({ url, profile: config.profile, dataDir: config.dataDir, modules: modules.names }, 'CitySOC is up');

  const ingest = registry.get<{ gateway: IngestGateway; syslog?: SyslogListeners }>('ingest');
  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      ready = false;
      for (const t of timers) clearInterval(t);
      clearInterval(summaries);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        setTimeout(() => server.closeAllConnections(), 5_000).unref();
      });
      // Let the indexer catch up with what was accepted; the spool keeps the rest for next start.
      await indexerDrained(ports.bus, 15_000);
      await modules.stop();
      for (const c of cleanup.reverse()) await c();
      await closePorts();
      log.info('CitySOC stopped');
    })());

  return {
    url,
    ports,
    kernel,
    identity: kernel.identity,
    policy: kernel.policy,
    gateway: ingest.gateway,
    analytics: {
      idle: (timeoutMs = 60_000) => analyticsIdle(ports, timeoutMs, eventGroups(registry)),
      flush: () => (registry.has('analytics') ? registry.get<{ flush: () => Promise<number> }>('analytics').flush() : Promise.resolve(0)),
    },
    ...(ingest.syslog ? { syslog: ingest.syslog } : {}),
    service: <T>(name: string) => registry.get<T>(name),
    schema: gql.schema as unknown as GraphQLSchema,
    surface: { mounts: modules.http, resolvers: gql.resolvers },
    runJobs,
    close,
  };
}

/** The consumer groups of the started modules that read citysoc.events and publish signals (detection, UEBA). */
function eventGroups(registry: Registry): string[] {
  const ueba = registry.has('ueba') ? registry.get<{ consumerGroup: string | null }>('ueba').consumerGroup : null;
  return [DETECT_GROUP, ...(ueba ? [ueba] : [])];
}

/**
 * Resolves true once the given consumers of citysoc.events (detection by default) and the alert
 * writer have committed everything published so far.
 */
export async function analyticsIdle(ports: PlatformPorts, timeoutMs: number, groups: readonly string[] = [DETECT_GROUP]): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let lag = 0;
    for (const g of groups) lag += await ports.bus.lag('citysoc.events', g);
    lag += await ports.bus.lag('citysoc.signals', ALERTS_GROUP);
    if (lag === 0) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
}
