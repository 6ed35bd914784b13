/**
 * The event model: ECS plus the `citysoc.*` fieldset for data-platform access. Schemas are
 * loose (ECS has hundreds of fields and sources add their own) but the fields CitySOC reasons
 * about are typed and checked at the edge.
 */
import { z } from 'zod';

export const CLASSIFICATIONS = ['公开', '内部', '敏感', '涉密'] as const;
export const Classification = z.enum(CLASSIFICATIONS);
export type Classification = z.infer<typeof Classification>;

export const DATA_ACTIONS = ['read', 'write', 'export', 'delete', 'grant', 'query', 'list', 'create', 'alter'] as const;
export const DataAction = z.enum(DATA_ACTIONS);
export type DataAction = z.infer<typeof DataAction>;

const Timestamp = z.iso.datetime({ offset: true });
const Keyword = z.string().max(32_766);
const Keywords = z.union([Keyword, z.array(Keyword)]);
/**
 * An event id a collector may give. The search engines refuse document ids over 512 bytes; 128
 * UTF-16 units are at most 384 bytes, which leaves room for the suffix a conflicting duplicate
 * gets (collectors/pipeline/id-ledger.ts) and keeps every id a store is sent within the limit.
 */
export const MAX_EVENT_ID = 128;
const EventId = z.string().min(1).max(MAX_EVENT_ID);

export const EVENT_KINDS = ['alert', 'enrichment', 'event', 'metric', 'state', 'pipeline_error', 'signal'] as const;
export const EVENT_OUTCOMES = ['success', 'failure', 'unknown'] as const;

export const CitySocData = z.looseObject({
  resource: Keyword.optional(),
  dataset: Keyword.optional(),
  classification: Classification.optional(),
  owner_department: Keyword.optional(),
  action: DataAction.optional(),
  records: z.number().int().nonnegative().optional(),
  bytes: z.number().int().nonnegative().optional(),
  platform: Keyword.optional(),
});

export const EcsEvent = z.looseObject({
  '@timestamp': Timestamp,
  message: z.string().optional(),
  tags: z.array(Keyword).optional(),
  event: z.looseObject({
    id: EventId,
    kind: z.enum(EVENT_KINDS).optional(),
    category: Keywords.optional(),
    type: Keywords.optional(),
    action: Keyword.optional(),
    outcome: z.enum(EVENT_OUTCOMES).optional(),
    dataset: Keyword.optional(),
    module: Keyword.optional(),
    original: z.string().optional(),
    severity: z.number().optional(),
    ingested: Timestamp.optional(),
    created: Timestamp.optional(),
  }),
  host: z.looseObject({ name: Keyword.optional() }).optional(),
  user: z.looseObject({ name: Keyword.optional(), id: Keyword.optional() }).optional(),
  source: z.looseObject({ ip: Keyword.optional(), port: z.number().int().optional() }).optional(),
  destination: z.looseObject({ ip: Keyword.optional(), port: z.number().int().optional() }).optional(),
  organization: z.looseObject({ id: Keyword.optional(), name: Keyword.optional() }).optional(),
  citysoc: z
    .looseObject({
      source: Keyword.optional(),
      collector: Keyword.optional(),
      dead_letter: z.boolean().optional(),
      data: CitySocData.optional(),
    })
    .optional(),
});
export type EcsEvent = z.infer<typeof EcsEvent>;

/** Formats zod issues as "path: message" lines, the shape every edge reports. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}
