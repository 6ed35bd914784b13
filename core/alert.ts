import { z } from 'zod';

export const SEVERITIES = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export const Severity = z.enum(SEVERITIES);
export type Severity = z.infer<typeof Severity>;

export const ALERT_STATUSES = ['open', 'acknowledged', 'in_progress', 'closed'] as const;
export const AlertStatus = z.enum(ALERT_STATUSES);
export type AlertStatus = z.infer<typeof AlertStatus>;

/** Allowed status moves; a closed alert can be reopened. */
export const ALERT_TRANSITIONS: Readonly<Record<AlertStatus, readonly AlertStatus[]>> = {
  open: ['acknowledged', 'in_progress', 'closed'],
  acknowledged: ['in_progress', 'closed', 'open'],
  in_progress: ['closed', 'acknowledged'],
  closed: ['open'],
};

export const RESOLUTIONS = ['true_positive', 'benign_positive', 'false_positive', 'duplicate'] as const;

export const AlertEntity = z.object({ type: z.enum(['user', 'host', 'ip', 'dataset', 'process', 'file']), value: z.string().min(1) });
export type AlertEntity = z.infer<typeof AlertEntity>;

export const AlertHistoryEntry = z.object({
  at: z.iso.datetime({ offset: true }),
  actor: z.string(),
  action: z.string(),
  from: z.string().optional(),
  to: z.string().optional(),
  comment: z.string().optional(),
});
export type AlertHistoryEntry = z.infer<typeof AlertHistoryEntry>;

export const Alert = z.object({
  id: z.string().min(1),
  /** Same rule + same group key within the suppression window folds into one alert. */
  dedupKey: z.string().min(1),
  rule: z.object({
    id: z.string().min(1),
    name: z.string(),
    type: z.enum(['sigma', 'correlation', 'ueba', 'manual']),
    severity: Severity,
    tags: z.array(z.string()).default([]),
  }),
  entities: z.array(AlertEntity).default([]),
  eventIds: z.array(z.string()).default([]),
  firstSeen: z.iso.datetime({ offset: true }),
  lastSeen: z.iso.datetime({ offset: true }),
  count: z.number().int().positive(),
  risk: z.number().min(0).max(100),
  department: z.string().optional(),
  status: AlertStatus,
  resolution: z.enum(RESOLUTIONS).optional(),
  assignee: z.string().optional(),
  history: z.array(AlertHistoryEntry).default([]),
});
export type Alert = z.infer<typeof Alert>;
