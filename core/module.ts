/**
 * The shape every capability plugs in as (ingest, search, alerts, policy, audit, identity, cases,
 * playbooks, UEBA, the console). A module names itself and the modules it needs, brings its own
 * configuration section (a zod schema, merged into the configuration and documented from it), and
 * when started hands back what it serves: application services for other modules, HTTP mounts,
 * GraphQL type definitions and resolvers, command-line verbs and background jobs. The module
 * manager (server/modules.ts) starts modules in dependency order and stops them in reverse.
 *
 * Adding a capability is adding a module to the list in server/, not editing five files.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { z } from 'zod';
import type { Actor } from './actor';
import type { Config } from './config';
import type { Door } from './door';
import type { Logger } from './logging';
import type { AlertStore, AuditLog, Bus, EventStore, StateStore } from './ports';
import type { CaseStore } from './ports/case-store';

/** The profile's ports, opened once by server/profiles.ts. */
export interface PlatformPorts {
  readonly events: EventStore;
  readonly bus: Bus;
  readonly alerts: AlertStore;
  /** Cases: shared by every replica (readable ids unique across them). */
  readonly cases: CaseStore;
  readonly audit: AuditLog;
  readonly state: StateStore;
  /** Bytes accepted but not yet consumed everywhere; the ingest gateway's backpressure signal. */
  readonly backlogBytes: () => number;
}

/**
 * What the platform's kernel registers before any module starts (the door needs the identity
 * store and the PDP first): modules that use them name these in dependsOn.
 */
export const KERNEL = { identity: 'identity-store', policy: 'policy-services' } as const;

/** Services other modules started before this one expose, by module name. */
export interface ServiceRegistry {
  /** The services of a module this one depends on; throws naming the module when it is absent. */
  get<T>(module: string): T;
  has(module: string): boolean;
}

export interface ModuleContext<C = unknown> {
  /** This module's own configuration section, parsed by its schema. */
  readonly config: C;
  /** The whole configuration (profile, data directory, server) for what is shared. */
  readonly platform: Config;
  readonly log: Logger;
  readonly ports: PlatformPorts;
  /** The one door: authorizes, performs and audits every action (core/door.ts). */
  readonly door: Door;
  readonly services: ServiceRegistry;
  /** The platform's clock (tests give a fake one). */
  readonly clock: () => Date;
}

/** Who is calling over HTTP or GraphQL, resolved once per request by the server. */
export interface RequestContext {
  readonly actor: Actor | null;
  /** The bearer token as sent (to end a session on logout); never logged. */
  readonly token: string | null;
  readonly sourceIp: string | undefined;
}

export interface HttpMount {
  /** A path prefix such as `/playbooks/editor`; the longest matching prefix wins. */
  readonly prefix: string;
  /**
   * Handles the request (and authenticates it through the door when it is not public). Answers
   * what it handles; resolving false passes the request on to the next mount.
   */
  readonly handle: (req: IncomingMessage, res: ServerResponse, url: URL, who: RequestContext) => Promise<boolean | void> | boolean | void;
  /** Takes a WebSocket upgrade that is its own (the playbook editor's live connection); false passes it on. */
  readonly upgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean;
}

export interface GraphQLContribution {
  /** SDL; `extend type Query` / `extend type Mutation` / `extend type Subscription` for root fields. */
  readonly typeDefs: string;
  /** Resolvers by type name; root fields must be thin adapters over services (one door call each). */
  readonly resolvers: Record<string, Record<string, unknown>>;
}

/** What the CLI hands a module's verbs. */
export interface CliEnv {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
  /** The configuration from the global --config / --data-dir flags and the environment. */
  loadConfig(overrides?: Record<string, unknown>): Config;
}

export interface BackgroundJob {
  readonly name: string;
  /** Runs every intervalMs; an error is logged and the job runs again at the next interval. */
  readonly intervalMs: number;
  run(now: Date): Promise<void>;
}

/** What a started module serves. Everything is optional. */
export interface StartedModule {
  /** The module's application services, for modules that depend on it (ServiceRegistry.get). */
  readonly services?: unknown;
  readonly http?: readonly HttpMount[];
  readonly graphql?: GraphQLContribution;
  readonly jobs?: readonly BackgroundJob[];
  /** Prometheus text exposition of the module's metrics, served on GET /metrics. */
  metrics?(): Promise<string>;
  /** Called in reverse start order; must not lose anything that was acknowledged. */
  stop?(): Promise<void>;
}

export interface CitySocModule<C = unknown> {
  readonly name: string;
  /** Modules whose services this one uses; started before it, stopped after it. */
  readonly dependsOn?: readonly string[];
  /** Its configuration section: key in the configuration file and its schema (with defaults). */
  readonly config?: { readonly key: string; readonly schema: z.ZodType<C> };
  /** Command-line verbs; registered on the program whether or not the platform runs (commander). */
  readonly cli?: (program: import('commander').Command, env: CliEnv) => void;
  start(ctx: ModuleContext<C>): Promise<StartedModule>;
}

export function defineModule<C>(m: CitySocModule<C>): CitySocModule<C> {
  return m;
}

/** Marks resolvers built by viaService, so the every-path test can tell them from hand-written ones. */
export const SERVICE_ADAPTER = Symbol.for('citysoc.serviceAdapter');

type BoundCall<I, R> = (actor: Actor | null, input: I, info?: { sourceIp?: string }) => Promise<R>;

/**
 * A GraphQL root field as a thin adapter over one bound service action: the arguments (optionally
 * reshaped) go in, the caller comes from the request. Nothing else may sit between the two.
 */
export function viaService<I, R>(call: BoundCall<I, R>, input?: (args: Record<string, unknown>, who: RequestContext) => I) {
  const resolve = (_parent: unknown, args: Record<string, unknown>, who: RequestContext): Promise<R> =>
    call(who.actor, input ? input(args, who) : (args as I), who.sourceIp ? { sourceIp: who.sourceIp } : {});
  return Object.assign(resolve, { [SERVICE_ADAPTER]: true as const });
}
