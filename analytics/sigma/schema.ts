// Shapes of the three Sigma document kinds, checked with zod at the edge (the rule file).
import { z } from 'zod';

const stringList = z.union([z.string(), z.array(z.string())]).transform((v) => (typeof v === 'string' ? [v] : v));
const scalarText = z.union([z.string(), z.number()]).transform(String);

export const logsourceSchema = z.looseObject({
  category: scalarText.optional(),
  product: scalarText.optional(),
  service: scalarText.optional(),
  definition: z.string().optional(),
});

const metaShape = {
  title: z.string().min(1).max(256),
  id: scalarText.optional(),
  name: z.string().optional(),
  status: z.enum(['stable', 'test', 'experimental', 'deprecated', 'unsupported']).optional(),
  description: z.string().optional(),
  author: z.string().optional(),
  date: scalarText.optional(),
  modified: scalarText.optional(),
  references: stringList.optional(),
  tags: stringList.optional(),
  level: z.enum(['informational', 'low', 'medium', 'high', 'critical']).optional(),
  falsepositives: z
    .union([z.string(), z.array(z.union([z.string(), z.number()]).transform(String))])
    .transform((v) => (typeof v === 'string' ? [v] : v))
    .optional(),
  taxonomy: z.string().optional(),
};

export const ruleSchema = z.looseObject({
  ...metaShape,
  related: z.array(z.object({ id: scalarText, type: z.enum(['derived', 'obsolete', 'merged', 'renamed', 'similar']) })).optional(),
  logsource: logsourceSchema,
  detection: z.record(z.string(), z.unknown()),
  fields: stringList.optional(),
  scope: stringList.optional(),
});

const thresholds = {
  gt: z.number().optional(),
  gte: z.number().optional(),
  lt: z.number().optional(),
  lte: z.number().optional(),
  eq: z.number().optional(),
  neq: z.number().optional(),
};

export const correlationSchema = z.looseObject({
  ...metaShape,
  correlation: z.object({
    type: z.enum(['event_count', 'value_count', 'temporal', 'temporal_ordered', 'value_sum', 'value_avg', 'value_percentile']),
    rules: stringList.pipe(z.array(z.string()).min(1)),
    'group-by': stringList.optional(),
    timespan: z.string().regex(/^\d+[smhdwMy]$/, 'timespan is a number and a unit letter: 30s, 5m, 1h, 1d'),
    condition: z.strictObject({ ...thresholds, field: stringList.optional() }).optional(),
    aliases: z.record(z.string(), z.record(z.string(), z.string())).optional(),
    generate: z.boolean().optional(),
  }),
});

export const filterSchema = z.looseObject({
  ...metaShape,
  logsource: logsourceSchema,
  filter: z.looseObject({
    rules: stringList.pipe(z.array(z.string()).min(1)),
    condition: z.union([z.string(), z.array(z.string())]),
  }),
});
