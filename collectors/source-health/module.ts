/**
 * The sources read model as a module: it follows the ingest gateway's durable publishes and
 * answers `sources` (per collector, host, source type and department: last seen, events per
 * second, events, parse failures, dead letters) through the door with metrics:read, the
 * permission of GET /metrics, whose per-source-type counters these refine. Each process counts
 * what its own gateway acknowledged, since it started.
 */
import { z } from 'zod';
import { bind, defineAction } from '../../core/door';
import { defineModule, viaService } from '../../core/module';
import type { IngestGateway } from '../gateway/gateway';
import { SourceHealthModel } from './read-model';

export const SourceHealthConfig = z.strictObject({
  /** Distinct sources given a row of their own; past it the longest silent one's counts move into one "other" row. */
  maxSources: z.coerce.number().int().min(1).max(100_000).default(1000),
});
export type SourceHealthConfig = z.infer<typeof SourceHealthConfig>;

export const sourceHealthModule = defineModule<SourceHealthConfig>({
  name: 'source-health',
  dependsOn: ['ingest'],
  config: { key: 'sourceHealth', schema: SourceHealthConfig },
  async start(ctx) {
    const { gateway } = ctx.services.get<{ gateway: IngestGateway }>('ingest');
    const model = new SourceHealthModel(ctx.config.maxSources, ctx.clock);
    const stop = gateway.publisher.onPublished((results) => model.record(results));
    const svc = bind(ctx.door, {
      list: defineAction({ name: 'sources.list', permission: 'metrics:read', run: async (_ctx, _i: object) => model.list() }),
    });
    return {
      services: { svc, model },
      graphql: { typeDefs: SOURCE_HEALTH_TYPEDEFS, resolvers: { Query: { sources: viaService(svc.list, () => ({})) } } },
      async stop() {
        stop();
      },
    };
  },
});

const SOURCE_HEALTH_TYPEDEFS = /* GraphQL */ `
  "What one source sent, as this gateway acknowledged it since it started (events and dead letters durably published)."
  type SourceHealth {
    "The collector's token name (token:<name>), syslog or cli; null in the other row."
    collector: String
    host: String
    "The source type the pipeline read it as (openssh, hdfs-audit, ...); unknown when none recognised it."
    sourceType: String
    department: String
    "The sources that gave their rows up to newer ones past sourceHealth.maxSources, the longest silent first (its key fields are null)."
    other: Boolean!
    firstSeen: String!
    lastSeen: String!
    "Events stored (dead letters not counted)."
    events: Int!
    "Input kept raw as dead letters because it could not be made an event."
    deadLetters: Int!
    "Of the dead letters, those a parser or the JSON reader refused (the rest: malformed transport messages)."
    parseFailures: Int!
    lastDeadLetterAt: String
    "Why the last dead letter was one (at most 500 characters)."
    lastDeadLetterReason: String
    "Events per second over the last minute."
    eventsPerSecond: Float!
  }
  extend type Query {
    "Per collector, host, source type and department: last seen, events per second, events, parse failures and dead letters (metrics:read)."
    sources: [SourceHealth!]!
  }
`;
