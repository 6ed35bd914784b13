// The schema of processing pipelines given as data (pipeline.ts: parsePipeline), and the types it defines.
import { z } from 'zod';

const logsourceCondition = z.strictObject({
  type: z.literal('logsource'),
  category: z.string().optional(),
  product: z.string().optional(),
  service: z.string().optional(),
});

export const transformationSchema = z.discriminatedUnion('type', [
  /** Renames fields; a field maps to exactly one target name. */
  z.strictObject({ type: z.literal('field_name_mapping'), mapping: z.record(z.string(), z.string()) }),
  /** Prefixes every field the item applies to (e.g. `Event.EventData.`). */
  z.strictObject({ type: z.literal('field_name_prefix'), prefix: z.string() }),
  /** ANDs a detection-shaped search identifier (map or list of maps) onto the rule's condition. */
  z.strictObject({ type: z.literal('add_condition'), conditions: z.union([z.record(z.string(), z.unknown()), z.array(z.record(z.string(), z.unknown()))]) }),
  /** Replaces `%name%` placeholders (under `expand`) with a list of values. */
  z.strictObject({ type: z.literal('value_placeholders'), values: z.record(z.string(), z.array(z.string())) }),
  /** Last resort: any remaining placeholder becomes `*` (with a warning on the rule). */
  z.strictObject({ type: z.literal('wildcard_placeholders') }),
  /** ANDs the condition events of the rule's logsource product meet (logsource.ts), so every backend routes alike. */
  z.strictObject({ type: z.literal('logsource_condition') }),
  /** Records a fact for backends, such as the index pattern to query. */
  z.strictObject({ type: z.literal('set_state'), key: z.string(), value: z.unknown() }),
]);

export const itemSchema = z.strictObject({
  id: z.string(),
  transformation: transformationSchema,
  /** All must hold for the item to apply to a rule. */
  ruleConditions: z.array(logsourceCondition).optional(),
  /** Field items only touch fields matching include (globs) and not exclude. */
  fieldNameConditions: z.strictObject({ include: z.array(z.string()).optional(), exclude: z.array(z.string()).optional() }).optional(),
});

export const pipelineSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string(),
  items: z.array(itemSchema),
});
