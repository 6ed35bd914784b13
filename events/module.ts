/**
 * The events module: the indexer (citysoc.events → the event store, with what the policy needs
 * stored beside each event), retention of events by age, and search, one event and aggregations
 * over GraphQL under the PDP's row filters and masks.
 */
import { countingStore } from '../collectors/gateway/counting-store';
import type { IngestGateway } from '../collectors/gateway/gateway';
import { bind } from '../core/door';
import type { EcsEvent } from '../core/event';
import { defineModule, KERNEL } from '../core/module';
import type { PolicyServices } from '../policy/services';
import { canonicalDepartment } from '../identity/departments';
import type { IdentityKernel } from '../identity/module';
import { eventGraphQL } from './graphql';
import { startIndexer } from './indexer';
import { eventActions } from './service';

export const eventsModule = defineModule({
  name: 'events',
  dependsOn: [KERNEL.policy, KERNEL.identity, 'ingest'],
  async start(ctx) {
    const policy = ctx.services.get<PolicyServices>(KERNEL.policy);
    const { departments } = ctx.services.get<IdentityKernel>(KERNEL.identity);
    const gateway = ctx.services.has('ingest') ? ctx.services.get<{ gateway: IngestGateway }>('ingest').gateway : null;
    const store = gateway ? countingStore(ctx.ports.events, (r) => gateway.metrics.written(r.written)) : ctx.ports.events;
    const indexer = await startIndexer(ctx.ports.bus, store, ctx.log, (e: EcsEvent) => policy.prepareForIndex(canonicalDepartment(e, departments)));
    const svc = bind(ctx.door, eventActions(ctx.ports.events));
    const days = ctx.platform.retention.eventsDays;
    return {
      services: svc,
      graphql: eventGraphQL(svc),
      jobs: [
        {
          name: 'events.retention',
          intervalMs: ctx.platform.retention.intervalMinutes * 60_000,
          async run(now) {
            const { deleted } = await ctx.ports.events.enforceRetention(now, days);
            await ctx.ports.audit.append({
              actor: 'system',
              actorType: 'system',
              action: 'retention.enforce',
              resource: 'events',
              decision: 'success',
              reason: `retention: events ${days} days`,
              details: { deleted },
            });
            ctx.log.info({ deleted, days }, 'event retention enforced');
          },
        },
      ],
      async stop() {
        await indexer.stop();
      },
    };
  },
});
