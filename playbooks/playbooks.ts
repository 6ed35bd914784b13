/**
 * The playbooks capability assembled: run engine and store, catalog, palette, the shipped
 * playbooks, and Node-RED embedded with CitySOC's storage, sign-on and palette. The module
 * (module.ts) opens it with the platform's ports; tests and the benchmark open it directly.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { SYSTEM_ACTOR, type Actor } from '../core/actor';
import { type ActionContext, bind, type Bound, type Door } from '../core/door';
import { CitySocError, isCitySocError } from '../core/errors';
import type { BackgroundJob, GraphQLContribution } from '../core/module';
import type { Bus } from '../core/ports/bus';
import type { StateStore } from '../core/ports/state-store';
import { type FlowItem, PlaybookCatalog } from './catalog';
import type { PlaybooksConfig } from './config';
import { playbooksGraphQL } from './graphql';
import type { PlaybookHost } from './host';
import { Mailer } from './palette/mail';
import { createPalette } from './palette/palette';
import { AlertIntake, RiskTrigger } from './palette/triggers';
import { RunEngine } from './runs/engine';
import { type RunChanges, watchRunStore } from './runs/run-changes';
import type { RunStore } from './runs/run-store';
import { SqliteRunStore } from './runs/sqlite-run-store';
import { actorOf, adminAuth, type Authenticate } from './runtime/admin-auth';
import { contextStoreModule, StateContextStore } from './runtime/context-store';
import { credentialSecret } from './runtime/credential-secret';
import { type FlowVersion, FlowVersions } from './runtime/flow-versions';
import { nodeRedHooks, installRunHooks } from './runtime/hooks';
import { editorMount, hooksMount, type UpgradeMount } from './runtime/http-mounts';
import { NodeRedRuntime } from './runtime/node-red';
import { type RedUser, StateStorage } from './runtime/storage';
import { deployAction, playbookActions, type PlaybookActions, shippedAction } from './services';
import { loadShippedRecords, planShipped, readShipped, saveShippedRecords } from './shipped';

export interface PlaybookLog {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface PlaybooksOptions {
  readonly config: PlaybooksConfig;
  /** Holds the run log and Node-RED's (empty) work directory, under playbooks/. */
  readonly dataDir: string;
  readonly state: StateStore;
  readonly bus: Bus;
  readonly door: Door;
  readonly host: PlaybookHost;
  /** Who a bearer token (a CitySOC session or API token) belongs to; null when nobody. */
  readonly authenticate: Authenticate;
  readonly log: PlaybookLog;
  readonly clock?: () => Date;
  readonly runStore?: RunStore;
  readonly nodesDir?: string;
  readonly flowsDir?: string;
}

export interface Playbooks {
  readonly services: Bound<PlaybookActions>;
  readonly mounts: readonly UpgradeMount[];
  readonly graphql: GraphQLContribution;
  readonly jobs: readonly BackgroundJob[];
  readonly engine: RunEngine;
  readonly catalog: PlaybookCatalog;
  readonly versions: FlowVersions;
  readonly intake: AlertIntake;
  /** Every run and approval as it is stored (the console's live feed listens). */
  readonly changes: RunChanges;
  /** Takes an upgrade (the editor's WebSocket) when it is for the playbooks; false otherwise. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Follows deploys and enablements made on other replicas. */
  sync(): Promise<void>;
  stop(): Promise<void>;
}

/** A folder shipped beside the code: found from the sources and from the built dist/ alike. */
function shippedDir(name: string): string {
  const candidates = [path.join(__dirname, name), path.resolve(__dirname, '..', '..', 'playbooks', name)];
  const found = candidates.find((d) => existsSync(d));
  if (!found) throw new CitySocError('CONFIG_INVALID', `playbooks: the ${name} folder is missing (looked in ${candidates.join(', ')})`);
  return found;
}

const INTERNAL = Symbol('citysoc.internal-deploy');

/** A deploy the platform makes itself (a rollback): it carries its own version record. */
interface InternalDeploy {
  commit(change: { flows: FlowItem[]; credentials: Record<string, unknown>; basedOn: number }): Promise<FlowVersion>;
}

function internalUser(d: InternalDeploy): RedUser {
  const u: Record<string | symbol, unknown> = { username: 'citysoc', permissions: '*' };
  Object.defineProperty(u, INTERNAL, { value: d, enumerable: false });
  return u;
}

/** Node-RED's admin API answers a rejected deploy with the error's status and code. */
function forEditor(e: unknown): Error {
  const err = e instanceof Error ? e : new Error(String(e));
  if (isCitySocError(e)) {
    const status = { UNAUTHENTICATED: 401, FORBIDDEN: 403, CONFLICT: 409, INPUT_INVALID: 400 }[e.code as string] ?? 500;
    Object.assign(err, { status });
  }
  return err;
}

export async function openPlaybooks(o: PlaybooksOptions): Promise<Playbooks> {
  const c = o.config;
  const clock = o.clock ?? (() => new Date());
  const log = o.log;
  const { store, changes } = watchRunStore(o.runStore ?? new SqliteRunStore(path.join(o.dataDir, 'playbooks', 'runs.db')), (err) =>
    log.error({ err }, 'a listener of playbook run changes failed'),
  );
  const engine = new RunEngine({
    store,
    clock,
    retry: c.retry,
    stepTimeoutMs: c.stepTimeoutSeconds * 1000,
    maxActiveRuns: c.maxActiveRuns,
    log: { warn: (obj, m) => log.warn(obj, m), error: (obj, m) => log.error(obj, m) },
  });
  const catalog = await PlaybookCatalog.open(o.state);
  const versions = new FlowVersions(o.state, clock);
  const intake = new AlertIntake(o.bus, engine, catalog, { warn: (obj, m) => log.warn(obj, m), error: (obj, m) => log.error(obj, m) });
  const risk = new RiskTrigger(o.host, engine, catalog);
  const mailer = c.mail
    ? new Mailer({
        host: c.mail.host,
        port: c.mail.port,
        secure: c.mail.secure,
        requireTls: c.mail.requireTls,
        from: c.mail.from,
        timeoutMs: c.mail.timeoutMs,
        ...(c.mail.user ? { user: c.mail.user } : {}),
        ...(c.mail.password ? { password: c.mail.password } : {}),
      })
    : null;
  const palette = createPalette({
    engine,
    catalog,
    intake,
    risk,
    host: o.host,
    door: o.door,
    clock,
    outbound: c.outbound,
    mailer,
    firewall: c.firewall ? { url: c.firewall.url, ...(c.firewall.token ? { token: c.firewall.token } : {}) } : null,
    protectedSources: c.protectedSources,
    approvalTimeoutHours: c.approvalTimeoutHours,
    log: { warn: (obj, m) => log.warn(obj, m), error: (obj, m) => log.error(obj, m) },
  });

  await installShipped(o, versions, catalog, c.enableShipped, o.flowsDir ?? shippedDir('flows'));

  // Set once Node-RED runs; deploys only reach the storage module after that.
  let runtime: NodeRedRuntime | null = null;
  const runnable = (flows: readonly FlowItem[]) => {
    const unknown = runtime?.unknownTypes(flows) ?? [];
    if (unknown.length)
      throw new CitySocError(
        'INPUT_INVALID',
        `the flows use node types this platform does not run: ${unknown.join(', ')} (code-running and host-reaching core nodes are left out on purpose); nothing was deployed`,
      );
  };
  const deploy = deployAction(versions, runnable);
  const storage = new StateStorage(o.state, versions, {
    async commit(user, change) {
      const internal = user ? (user as Record<symbol, InternalDeploy | undefined>)[INTERNAL] : undefined;
      try {
        if (internal) return await internal.commit(change);
        return await o.door.perform(actorOf(user), deploy, change);
      } catch (e) {
        throw forEditor(e);
      }
    },
    flowsChanged: (flows) => catalog.setFlows(flows),
  });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const redUtil = (require('node-red') as { util: ConstructorParameters<typeof StateContextStore>[1] }).util;
  const context = new StateContextStore(o.state, redUtil);
  const removeHooks = installRunHooks(nodeRedHooks(), engine);

  // Deploys (every one full: see the editor mount) and reloads restart every flow; runs resume
  // from the store before alerts flow in again. Serialized: restarts can follow each other.
  let restarts = Promise.resolve();
  let firstStart: () => void = () => undefined;
  const started = new Promise<void>((r) => (firstStart = r));
  const onStarted = () => {
    restarts = restarts
      .then(async () => {
        const r = await engine.flowsRestarted();
        if (r.resumed || r.stalled) log.info({ ...r }, 'playbook runs resumed');
      })
      .catch((err: unknown) => log.error({ err }, 'unfinished playbook runs not resumed; they resume at the next start'))
      .finally(() => {
        intake.resume();
        firstStart();
      });
  };

  let rt: NodeRedRuntime;
  try {
    rt = await NodeRedRuntime.start({
      workDir: path.join(o.dataDir, 'playbooks', 'node-red'),
      nodesDir: o.nodesDir ?? shippedDir('nodes'),
      storageModule: storage.module(),
      adminAuth: adminAuth(o.authenticate, (a) => o.door.authorizer.isolation(a.name, clock()) !== null, c.editorSessionHours * 3600),
      credentialSecret: await credentialSecret(o.state, clock()),
      contextStore: contextStoreModule(context),
      palette,
      editor: c.editor,
      log,
      events: { stopping: () => intake.pause(), started: onStarted },
    });
  } catch (e) {
    removeHooks();
    await store.close();
    throw e;
  }
  runtime = rt;
  await started;
  await intake.start();

  const rollback = async (ctx: ActionContext, version: number): Promise<FlowVersion> => {
    const v = await versions.get(version);
    if (!v) throw new CitySocError('NOT_FOUND', `no version ${version} of the playbooks`);
    let committed: FlowVersion | null = null;
    const user = internalUser({
      commit: async (change) => {
        runnable(change.flows);
        return (committed = await versions.commit({
          ...change,
          by: ctx.actor.name,
          person: ctx.actor.person,
          action: 'rollback',
          message: `rolled back to version ${version}`,
        }));
      },
    });
    storage.stageCredentials(v.credentials);
    await rt.deploy(v.flows, v.credentials, user);
    if (!committed) throw new CitySocError('INTERNAL', 'the rollback was not stored');
    return committed;
  };

  const actions = playbookActions({ engine, catalog, versions, host: o.host, palette, rollback, currentVersion: () => storage.version });
  const services = bind(o.door, actions);
  const deps = {
    door: o.door,
    deploy: deploy as never,
    editorApp: () => (c.editor ? runtime.editorApp : null),
    hooksApp: () => runtime.hooksApp,
    upgrades: runtime.upgrades,
  };
  const editor = editorMount(deps);
  const mounts: UpgradeMount[] = [...(c.editor ? [editor] : []), hooksMount(deps)];

  const sync = async () => {
    await catalog.reload();
    if ((await versions.head()) !== storage.version) await rt.reload();
  };

  return {
    services,
    mounts,
    graphql: playbooksGraphQL(services),
    jobs: [
      { name: 'playbooks.sync', intervalMs: c.syncSeconds * 1000, run: () => sync() },
      {
        name: 'playbooks.retention',
        intervalMs: 3_600_000,
        run: async (now) => void (await store.prune(new Date(now.getTime() - c.runRetentionDays * 86_400_000))),
      },
    ],
    engine,
    catalog,
    versions,
    intake,
    changes,
    upgrade: (req, socket, head) => (c.editor ? editor.upgrade!(req, socket, head) : false),
    sync,
    async stop() {
      await intake.stop();
      engine.stop();
      await engine.drain(10_000);
      await rt.stop();
      removeHooks();
      await context.close();
      mailer?.close();
      await store.close();
    },
  };
}

async function installShipped(o: PlaybooksOptions, versions: FlowVersions, catalog: PlaybookCatalog, enable: boolean, dir: string): Promise<void> {
  const shipped = readShipped(dir);
  const records = await loadShippedRecords(o.state);
  const head = await versions.head();
  const current = head > 0 ? await versions.get(head) : null;
  const plan = planShipped(current?.flows ?? [], shipped, records);
  for (const h of plan.held)
    o.log.warn(
      { playbook: h.name, version: h.version },
      'shipped playbook not upgraded: the installed copy was edited (or its ids are taken); upgrade it by hand',
    );
  if (plan.changed) {
    const message = [...plan.installed.map((n) => `installed ${n}`), ...plan.upgraded.map((n) => `upgraded ${n}`)].join(', ');
    await o.door.perform(SYSTEM_ACTOR as Actor, shippedAction(versions), {
      flows: plan.flows,
      credentials: current?.credentials ?? {},
      basedOn: head,
      message,
    });
    o.log.info({ installed: plan.installed, upgraded: plan.upgraded }, 'shipped playbooks');
  }
  await saveShippedRecords(o.state, records, plan.records);
  if (enable) {
    for (const name of plan.installed) {
      const tabId = plan.records.get(name)!.tabId;
      if (!catalog.enablementOf(tabId)) await catalog.setEnabled(tabId, true, SYSTEM_ACTOR.person, new Date());
    }
  }
}
