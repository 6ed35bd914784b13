import { z } from 'zod';
import { CitySocError } from './errors';

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
  /**
   * Ids of the signals folded in (the most recent MAX_ALERT_SIGNAL_IDS): a redelivered signal is
   * recognised and not counted twice. Kept by the store; not part of the API.
   */
  signalIds: z.array(z.string()).optional(),
});
export type Alert = z.infer<typeof Alert>;

/** Event ids kept on one alert; its count goes on beyond them. */
export const MAX_ALERT_EVENT_IDS = 1000;

/**
 * Signal ids kept on one alert to recognise redeliveries. A signal is redelivered only while its
 * consumer's batch is uncommitted, so the most recent ids are the ones that can come again.
 */
export const MAX_ALERT_SIGNAL_IDS = 2000;

/** True when every signal behind `next` is folded into `cur` already (a redelivery). */
export function alreadyFolded(cur: Alert, next: Alert): boolean {
  const ids = next.signalIds ?? [];
  if (ids.length === 0) return false;
  const have = new Set(cur.signalIds ?? []);
  return ids.every((id) => have.has(id));
}

/** An occurrence folded into the open alert it repeats: counts add up, times widen, ids and entities merge. */
export function foldAlert(cur: Alert, next: Alert): Alert {
  const entities = [...cur.entities];
  for (const e of next.entities) if (!entities.some((x) => x.type === e.type && x.value === e.value)) entities.push(e);
  return {
    ...cur,
    count: cur.count + next.count,
    lastSeen: next.lastSeen > cur.lastSeen ? next.lastSeen : cur.lastSeen,
    firstSeen: next.firstSeen < cur.firstSeen ? next.firstSeen : cur.firstSeen,
    eventIds: [...new Set([...cur.eventIds, ...next.eventIds])].slice(0, MAX_ALERT_EVENT_IDS),
    entities,
    risk: Math.max(cur.risk, next.risk),
    ...(cur.department === undefined && next.department !== undefined ? { department: next.department } : {}),
    ...(cur.signalIds || next.signalIds ? { signalIds: [...new Set([...(cur.signalIds ?? []), ...(next.signalIds ?? [])])].slice(-MAX_ALERT_SIGNAL_IDS) } : {}),
  };
}

/** Does an open alert absorb an occurrence that starts at `firstSeen`? */
export function absorbs(cur: Alert, firstSeen: string, suppressionMs: number): boolean {
  return cur.status !== 'closed' && Date.parse(cur.lastSeen) >= Date.parse(firstSeen) - suppressionMs;
}

/** A status move checked against ALERT_TRANSITIONS and recorded in the history. */
export function moveAlert(
  cur: Alert,
  to: AlertStatus,
  actor: string,
  opts: { comment?: string; resolution?: Alert['resolution']; assignee?: string },
  now: Date,
): Alert {
  if (cur.status !== to && !ALERT_TRANSITIONS[cur.status].includes(to)) {
    throw new CitySocError('CONFLICT', `alert ${cur.id} is ${cur.status}; it can move to ${ALERT_TRANSITIONS[cur.status].join(', ')}, not ${to}`);
  }
  if (to === 'closed' && !opts.resolution)
    throw new CitySocError('INPUT_INVALID', 'closing an alert needs a resolution (true_positive, benign_positive, false_positive, duplicate)');
  return {
    ...cur,
    status: to,
    ...(to === 'closed' ? { resolution: opts.resolution } : {}),
    ...(opts.assignee !== undefined ? { assignee: opts.assignee } : {}),
    history: [...cur.history, { at: now.toISOString(), actor, action: 'status', from: cur.status, to, ...(opts.comment ? { comment: opts.comment } : {}) }],
  };
}
