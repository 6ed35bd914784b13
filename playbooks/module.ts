/**
 * Playbooks as a CitySOC module: its configuration section, its services, its HTTP mounts (the
 * editor and the hooks), its GraphQL part and its jobs. By default the palette acts through the
 * platform's own services (platform-host.ts) and the editor signs people on with the identity
 * store; tests hand in their own host or run store.
 */
import type { CasesServices } from '../cases/service';
import path from 'node:path';
import type { Bound } from '../core/door';
import { defineModule, KERNEL, type CitySocModule, type ModuleContext } from '../core/module';
import type { AlertActions } from '../alerts/service';
import type { EventActions } from '../events/service';
import type { IdentityKernel } from '../identity/module';
import type { PolicyActions } from '../policy/actions';
import type { PolicyServices } from '../policy/services';
import type { PlaybookHost } from './host';
import { type PlaybooksConfig, PlaybooksConfigSchema } from './config';
import { platformHost } from './platform-host';
import { openPlaybooks, type Playbooks } from './playbooks';
import type { Authenticate } from './runtime/admin-auth';
import type { RunStore } from './runs/run-store';

export interface PlaybooksModuleDeps {
  /** The palette's calls; default: the platform's services (isolation, blocks, enrichment, search, alerts, cases). */
  host?(ctx: ModuleContext<PlaybooksConfig>): PlaybookHost | Promise<PlaybookHost>;
  /** Who a bearer token (session or API token) belongs to; null when nobody (editor sign-on). Default: the identity store. */
  authenticate?(ctx: ModuleContext<PlaybooksConfig>): Authenticate;
  /** Where runs are kept; default a SQLite file under the data directory. */
  runStore?(ctx: ModuleContext<PlaybooksConfig>): RunStore;
}

/** Every minute: blocks placed on other replicas are read, those whose time is up lifted. */
const BLOCK_SYNC_MS = 60_000;

/** What the platform's server asks before handling a request. */
export interface SourceBlocks {
  sourceBlocked(ip: string | undefined, now: Date): boolean;
}

export function playbooksModule(deps: PlaybooksModuleDeps = {}): CitySocModule<PlaybooksConfig> {
  return defineModule<PlaybooksConfig>({
    name: 'playbooks',
    dependsOn: deps.host ? [] : [KERNEL.identity, KERNEL.policy, 'policy', 'alerts', 'events', 'cases'],
    config: { key: 'playbooks', schema: PlaybooksConfigSchema },
    async start(ctx) {
      if (!ctx.config.enabled) return {};
      const own = deps.host
        ? null
        : platformHost({
            door: ctx.door,
            state: ctx.ports.state,
            audit: ctx.ports.audit,
            alertStore: ctx.ports.alerts,
            identity: ctx.services.get<IdentityKernel>(KERNEL.identity).store,
            policyServices: ctx.services.get<PolicyServices>(KERNEL.policy),
            policy: ctx.services.get<{ policy: Bound<PolicyActions> }>('policy').policy,
            alerts: ctx.services.get<Bound<AlertActions>>('alerts'),
            ...(ctx.services.has('events') ? { events: ctx.services.get<Bound<EventActions>>('events') } : {}),
            cases: ctx.services.get<CasesServices>('cases').cases,
            clock: ctx.clock,
          });
      const authenticate: Authenticate = deps.authenticate
        ? deps.authenticate(ctx)
        : (token) => ctx.services.get<IdentityKernel>(KERNEL.identity).store.authenticateFresh(token);
      const pb: Playbooks = await openPlaybooks({
        config: ctx.config,
        dataDir: path.resolve(ctx.platform.dataDir),
        state: ctx.ports.state,
        bus: ctx.ports.bus,
        door: ctx.door,
        host: own ?? (await deps.host!(ctx)),
        authenticate,
        log: ctx.log.child({ module: 'playbooks' }),
        clock: ctx.clock,
        ...(deps.runStore ? { runStore: deps.runStore(ctx) } : {}),
      });
      await own?.expireBlocks(ctx.clock());
      const blockJob = own
        ? [
            {
              name: 'playbooks.blocks',
              intervalMs: BLOCK_SYNC_MS,
              run: async (now: Date) => {
                const lifted = await own.expireBlocks(now);
                if (lifted > 0) ctx.log.info({ lifted }, 'expired source blocks lifted');
              },
            },
          ]
        : [];
      return {
        services: Object.assign(pb, { sourceBlocked: (ip: string | undefined, now: Date) => own?.sourceBlocked(ip, now) ?? false } satisfies SourceBlocks),
        http: pb.mounts,
        graphql: pb.graphql,
        jobs: [...pb.jobs, ...blockJob],
        stop: () => pb.stop(),
      };
    },
  });
}
