/**
 * The ingest module: the gateway's HTTP routes (ECS events, Fluent Bit, the Elasticsearch _bulk
 * API and its probes), the syslog listeners, enrichment reference data (re-read on change and on
 * SIGHUP), and the ingest metrics. A collector's credential is checked against the identity store
 * and the isolations in force at every request.
 */
import type { Actor } from '../core/actor';
import { defineModule, KERNEL } from '../core/module';
import type { Config } from '../core/config';
import { can } from '../core/roles';
import { createIngestGateway, type IngestGateway } from './gateway/gateway';

/** What the kernel offers the gateway: resolving a token to its actor, and whether the actor is isolated. */
export interface IngestKernel {
  authenticate(token: string): Actor | null;
  isolated(actor: Actor): boolean;
}

export const INGEST_KERNEL = 'ingest-kernel';

export const ingestModule = defineModule({
  name: 'ingest',
  dependsOn: [KERNEL.identity],
  async start(ctx) {
    const k = ctx.services.get<IngestKernel>(INGEST_KERNEL);
    const gateway: IngestGateway = createIngestGateway({
      config: ctx.platform as Config,
      bus: ctx.ports.bus,
      // Repeats and id clashes are judged against what is stored, not only the recent ids in memory.
      events: ctx.ports.events,
      log: ctx.log,
      backlogBytes: ctx.ports.backlogBytes,
      authorize: (token) => {
        const who = k.authenticate(token);
        if (!who) return null;
        if (k.isolated(who)) return null;
        return can(who.roles, 'events:ingest') ? who.name : 'forbidden';
      },
    });
    const syslog = await gateway.startSyslog();
    // SIGHUP re-reads the enrichment files, as daemons do with their configuration.
    const onHangup = () => gateway.reloadReferenceData();
    process.on('SIGHUP', onHangup);
    return {
      services: { gateway, syslog },
      http: [{ prefix: '/', handle: (req, res, url) => gateway.routes(req, res, url) || false }],
      metrics: async () => (await gateway.metrics.text()).body,
      async stop() {
        process.off('SIGHUP', onHangup);
        await gateway.close();
      },
    };
  },
});
