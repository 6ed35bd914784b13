// The engine's state as JSON, validated when read back: a snapshot comes from disk, not from us.
import { z } from 'zod';

const entry = z.strictObject({
  t: z.number(),
  r: z.number().int().nonnegative(),
  v: z.string().optional(),
  n: z.number().optional(),
  id: z.string().optional(),
});

export const correlationSnapshotSchema = z.strictObject({
  version: z.literal(1),
  maxSeen: z.number().nullable(),
  lateDropped: z.number().int().nonnegative(),
  lateAccepted: z.number().int().nonnegative(),
  rules: z.record(
    z.string(),
    z.strictObject({
      evictedGroups: z.number().int().nonnegative(),
      evictedEntries: z.number().int().nonnegative(),
      /** Events too late for every window of the rule (absent in snapshots of earlier versions). */
      late: z.number().int().nonnegative().optional(),
      groups: z.array(z.strictObject({ key: z.string(), values: z.record(z.string(), z.string()), entries: z.array(entry) })),
      /** Event ids counted and their times (absent in snapshots of earlier versions). */
      seen: z.array(z.tuple([z.string(), z.number()])).optional(),
    }),
  ),
});

export type CorrelationSnapshot = z.infer<typeof correlationSnapshotSchema>;

export function parseSnapshot(data: unknown, where: string): CorrelationSnapshot {
  const r = correlationSnapshotSchema.safeParse(data);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new Error(`${where}: not a correlation snapshot: ${issue?.message ?? 'invalid'} at ${issue?.path.join('.') ?? ''}`);
}
