/**
 * Playbooks as a CitySOC module: its configuration section, its services, its HTTP mounts (the
 * editor and the hooks), its GraphQL part and its jobs. The platform hands it what only the
 * platform has: the PlaybookHost over its application services, and who a bearer token is.
 */
import path from 'node:path';
import { defineModule, type CitySocModule, type ModuleContext } from '../core/module';
import type { PlaybookHost } from './host';
import { type PlaybooksConfig, PlaybooksConfigSchema } from './config';
import { openPlaybooks, type Playbooks } from './playbooks';
import type { Authenticate } from './runtime/admin-auth';
import type { RunStore } from './runs/run-store';

export interface PlaybooksModuleDeps {
  /** The palette's calls over the platform's services (isolation, blocks, enrichment, search, alerts, cases). */
  host(ctx: ModuleContext<PlaybooksConfig>): PlaybookHost | Promise<PlaybookHost>;
  /** Who a bearer token (session or API token) belongs to; null when nobody (editor sign-on). */
  authenticate(ctx: ModuleContext<PlaybooksConfig>): Authenticate;
  /** Where runs are kept; default a SQLite file under the data directory. */
  runStore?(ctx: ModuleContext<PlaybooksConfig>): RunStore;
}

export function playbooksModule(deps: PlaybooksModuleDeps): CitySocModule<PlaybooksConfig> {
  return defineModule<PlaybooksConfig>({
    name: 'playbooks',
    config: { key: 'playbooks', schema: PlaybooksConfigSchema },
    async start(ctx) {
      if (!ctx.config.enabled) return {};
      const pb: Playbooks = await openPlaybooks({
        config: ctx.config,
        dataDir: path.resolve(ctx.platform.dataDir),
        state: ctx.ports.state,
        bus: ctx.ports.bus,
        door: ctx.door,
        host: await deps.host(ctx),
        authenticate: deps.authenticate(ctx),
        log: ctx.log.child({ module: 'playbooks' }),
        clock: ctx.clock,
        ...(deps.runStore ? { runStore: deps.runStore(ctx) } : {}),
      });
      return {
        services: pb,
        http: pb.mounts,
        graphql: pb.graphql,
        jobs: pb.jobs,
        stop: () => pb.stop(),
      };
    },
  });
}
