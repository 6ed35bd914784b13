// The engine's state as JSON, validated when read back: a snapshot comes from disk, not from us.
import { z } from 'zod';

const entry = z.strictObject({
  t: z.number(),
  r: z.number().int().nonnegative(),
  v: z.string().optional(),
  n: z.number().optional(),
  id: z.string().optional(),
});

const counters = {
  evictedGroups: z.number().int().nonnegative(),
  evictedEntries: z.number().int().nonnegative(),
  /** Events too late for every window of the rule (absent in snapshots of earlier versions). */
  late: z.number().int().nonnegative().optional(),
};

/** Version 1: entries as objects, every counted id listed again in `seen`. */
const snapshotV1 = z.strictObject({
  version: z.literal(1),
  maxSeen: z.number().nullable(),
  lateDropped: z.number().int().nonnegative(),
  lateAccepted: z.number().int().nonnegative(),
  rules: z.record(
    z.string(),
    z.strictObject({
      ...counters,
      groups: z.array(z.strictObject({ key: z.string(), values: z.record(z.string(), z.string()), entries: z.array(entry) })),
      /** Event ids counted and their times (absent in snapshots of earlier versions). */
      seen: z.array(z.tuple([z.string(), z.number()])).optional(),
    }),
  ),
});

/**
 * Version 2, compact (a checkpoint is written every few seconds and holds every open window):
 * an entry is [time − previous entry's time, rule index, event id or null, value?] (the value a
 * string for value_count/percentile, a number for value_sum/avg), and `seen` lists only the ids
 * no open entry carries (the others are the entries' own ids).
 */
const compactEntry = z.union([
  z.tuple([z.number(), z.number().int().nonnegative(), z.string().nullable()]),
  z.tuple([z.number(), z.number().int().nonnegative(), z.string().nullable(), z.union([z.string(), z.number()])]),
]);
const snapshotV2 = z.strictObject({
  version: z.literal(2),
  maxSeen: z.number().nullable(),
  lateDropped: z.number().int().nonnegative(),
  lateAccepted: z.number().int().nonnegative(),
  rules: z.record(
    z.string(),
    z.strictObject({
      ...counters,
      groups: z.array(z.tuple([z.string(), z.record(z.string(), z.string()), z.array(compactEntry)])),
      seen: z.array(z.tuple([z.string(), z.number()])),
    }),
  ),
});

export const correlationSnapshotSchema = z.union([snapshotV1, snapshotV2]);

export type CorrelationSnapshot = z.infer<typeof correlationSnapshotSchema>;
export type CompactEntry = z.infer<typeof compactEntry>;

export function parseSnapshot(data: unknown, where: string): CorrelationSnapshot {
  const r = correlationSnapshotSchema.safeParse(data);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new Error(`${where}: not a correlation snapshot: ${issue?.message ?? 'invalid'} at ${issue?.path.join('.') ?? ''}`);
}
