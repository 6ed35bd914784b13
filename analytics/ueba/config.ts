/**
 * The `ueba` section of the configuration: how baselines learn, when a value is anomalous, how
 * peers are grouped, how anomalies add up to an entity's risk and when that risk raises an alert.
 * Both engines (embedded and Flink) read the same values.
 */
import { z } from 'zod';
import { ALERTS_GROUP, DETECT_GROUP } from '../runtime/consumers';

/** The groups of detection, the alert writer and the event indexer (events/indexer.ts). */
const OTHER_EVENT_GROUPS: readonly string[] = [DETECT_GROUP, ALERTS_GROUP, 'indexer'];

const Offset = z.string().regex(/^[+-](0\d|1[0-4]):[0-5]\d$/, { error: 'expected a UTC offset such as +08:00' });
const Weight = z.coerce.number().min(0).max(10);
const Bool = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')]);

export const RISK_LEVELS = ['low', 'moderate', 'high', 'critical'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export const UebaConfigSchema = z
  .strictObject({
    enabled: Bool.default(true),
    /** The city's wall clock for hour-of-week (China has one offset all year). */
    utcOffset: Offset.default('+08:00'),
    /**
     * The bus consumer group of the embedded engine: its own, never one of the platform's other
     * readers of citysoc.events, which would then share (and so each miss) the events.
     */
    consumerGroup: z
      .string()
      .min(1)
      .max(100)
      .refine((g) => !OTHER_EVENT_GROUPS.includes(g), {
        error: (i) => `consumer group ${JSON.stringify(i.input)} belongs to another reader of citysoc.events (${OTHER_EVENT_GROUPS.join(', ')})`,
      })
      .default('ueba'),
    /** How long after an hour ends, in event time, its row is final (late events are not scored). */
    latenessMinutes: z.coerce.number().int().min(0).max(1440).default(5),
    baseline: z
      .strictObject({
        /** Active hours a baseline spans (the rows before the current one). */
        window: z.coerce.number().int().min(8).max(240).default(96),
        /** Active hours of history before a numeric feature is scored at all. */
        minObservations: z.coerce.number().int().min(2).max(240).default(24),
        /** z-score from which a rise is an anomaly. */
        zThreshold: z.coerce.number().min(1).max(20).default(4),
      })
      .prefault({}),
    hourOfWeek: z
      .strictObject({
        /** Active hours of history before "never active at this time" counts. */
        minObservations: z.coerce.number().int().min(8).max(240).default(48),
      })
      .prefault({}),
    rarity: z
      .strictObject({
        /** Days after a user's first activity before first-time values count. */
        learningDays: z.coerce.number().int().min(1).max(90).default(7),
      })
      .prefault({}),
    dormancy: z.strictObject({ days: z.coerce.number().int().min(3).max(365).default(21) }).prefault({}),
    /** Flink state and the embedded first-seen memory forget keys idle this long. */
    stateTtlDays: z.coerce.number().int().min(7).max(3650).default(180),
    peers: z
      .strictObject({
        /** Users behind a group: smaller clusters are merged into their nearest. */
        minGroupSize: z.coerce.number().int().min(2).max(1000).default(5),
        topPeers: z.coerce.number().int().min(1).max(100).default(20),
        lookbackDays: z.coerce.number().int().min(1).max(180).default(30),
        /** Users per behaviour cluster aimed at (k = users / clusterSize): the pool top peers are chosen from, with the static group. */
        clusterSize: z.coerce.number().int().min(4).max(1000).default(40),
        /** Principal components kept of the behaviour vectors. */
        components: z.coerce.number().int().min(2).max(50).default(8),
        recomputeHours: z.coerce.number().int().min(1).max(168).default(24),
      })
      .prefault({}),
    risk: z
      .strictObject({
        windowDays: z.coerce.number().int().min(1).max(365).default(30),
        halfLifeDays: z.coerce.number().min(0.1).max(365).default(7),
        /** Inputs ranked per entity (Elastic ranks up to 10,000; a few hundred decide the score). */
        maxInputs: z.coerce.number().int().min(10).max(10_000).default(200),
        levels: z
          .strictObject({
            low: z.coerce.number().min(0).max(100).default(15),
            moderate: z.coerce.number().min(0).max(100).default(30),
            high: z.coerce.number().min(0).max(100).default(55),
            critical: z.coerce.number().min(0).max(100).default(75),
          })
          .prefault({})
          .refine((l) => l.low < l.moderate && l.moderate < l.high && l.high < l.critical, { error: 'levels must rise: low < moderate < high < critical' }),
        /** Crossing this level raises a `ueba` alert. */
        alertLevel: z.enum(RISK_LEVELS).default('moderate'),
        /** Weights of each kind of anomaly (multiplies its score). */
        weights: z
          .strictObject({
            numeric: Weight.default(1),
            rare_hour: Weight.default(1),
            dormant: Weight.default(1),
            first_seen: Weight.default(1),
            frequency: Weight.default(1),
          })
          .prefault({}),
        /** Weights of each kind of entity's anomalies (a dataset is used by many: its own anomalies say less). */
        entities: z.strictObject({ user: Weight.default(1), host: Weight.default(1), dataset: Weight.default(0.6) }).prefault({}),
        /** Per-feature weight overrides, e.g. { records_exported: 1.5 }; the definitions' own weights apply otherwise. */
        features: z.record(z.string().regex(/^[a-z_]+$/), Weight).default({}),
        /** Criticality of data by classification (Elastic's asset criticality as an odds multiplier). */
        classification: z.strictObject({ 公开: Weight.default(0.5), 内部: Weight.default(1), 敏感: Weight.default(1.5), 涉密: Weight.default(2) }).prefault({}),
      })
      .prefault({}),
    /** Also put every anomaly on citysoc.signals (each becomes an informational alert); off: only risk crossings. */
    publishAnomalies: Bool.default(false),
  })
  .prefault({});

export type UebaConfig = z.output<typeof UebaConfigSchema>;

export const UEBA_CONFIG_KEY = 'ueba';

export function defaultUebaConfig(overrides: Record<string, unknown> = {}): UebaConfig {
  return UebaConfigSchema.parse(overrides);
}

export function offsetMs(offset: string): number {
  const sign = offset.startsWith('-') ? -1 : 1;
  const [h, m] = offset.slice(1).split(':').map(Number) as [number, number];
  return sign * (h * 60 + m) * 60_000;
}
