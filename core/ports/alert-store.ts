import { type Alert, type AlertEntity, type AlertStatus, type Severity } from '../alert';
import { CitySocError } from '../errors';
import type { QueryNode } from '../query/ast';

export const ALERT_RULE_TYPES = ['sigma', 'correlation', 'ueba', 'manual'] as const;
export type AlertRuleType = (typeof ALERT_RULE_TYPES)[number];

/** Fields the alert queue sorts by; ties are broken by id, ascending. */
export const ALERT_SORT_FIELDS = ['lastSeen', 'firstSeen', 'risk', 'count'] as const;
export type AlertSortField = (typeof ALERT_SORT_FIELDS)[number];

/** Fields alerts are counted by (KPIs: outcomes, false positives per rule). */
export const ALERT_TALLY_KEYS = ['status', 'resolution', 'rule.id', 'rule.severity', 'rule.type', 'department', 'assignee'] as const;
export type AlertTallyKey = (typeof ALERT_TALLY_KEYS)[number];

/**
 * The alert queue's question. Every criterion narrows (AND); a list inside one criterion is
 * any-of. Text is a case-insensitive substring of the id, rule id, rule name, a rule tag, an
 * entity value or the assignee. The time range is on `time.field`, from inclusive, to exclusive.
 */
export interface AlertQuery {
  readonly status?: readonly AlertStatus[];
  readonly severity?: readonly Severity[];
  readonly ruleId?: string;
  readonly ruleType?: readonly AlertRuleType[];
  readonly department?: string;
  /** An entity the alert involves: its value, and its type when given (both must hold on one entity). */
  readonly entity?: { readonly type?: AlertEntity['type']; readonly value: string };
  readonly assignee?: string;
  /** Only alerts nobody is assigned to. */
  readonly unassigned?: boolean;
  readonly time?: { readonly field: 'firstSeen' | 'lastSeen'; readonly from?: string; readonly to?: string };
  readonly text?: string;
  readonly ids?: readonly string[];
  /** Dedup keys to leave out (suppressed or snoozed keys). */
  readonly excludeDedupKeys?: readonly string[];
  /** A row filter over the alert document (a policy's document-level security). */
  readonly filter?: QueryNode;
  /** Default: lastSeen, descending. */
  readonly sort?: { readonly field: AlertSortField; readonly order: 'asc' | 'desc' };
  /** 1..1000, default 50. */
  readonly size?: number;
  /** offset + size ≤ 10,000. */
  readonly offset?: number;
}

export interface AlertTally {
  /** One value per tally key, in the order asked; null where the alert has none. */
  readonly key: readonly (string | null)[];
  readonly count: number;
}

export const MAX_ALERT_PAGE = 1000;
export const MAX_ALERT_WINDOW = 10_000;
export const MAX_TALLY_GROUPS = 10_000;
const MAX_LIST = 10_000;

/** Validates a query the same way in every adapter: what is wrong, where, and what is expected. */
export function checkAlertQuery(q: AlertQuery): void {
  const bad = (m: string): never => {
    throw new CitySocError('INPUT_INVALID', m);
  };
  const size = q.size ?? 50;
  const offset = q.offset ?? 0;
  if (!Number.isInteger(size) || size < 1 || size > MAX_ALERT_PAGE) bad(`alert query size ${size} is out of range: expected 1..${MAX_ALERT_PAGE}`);
  if (!Number.isInteger(offset) || offset < 0) bad(`alert query offset ${offset} is invalid: expected an integer ≥ 0`);
  if (offset + size > MAX_ALERT_WINDOW) bad(`alert query offset + size = ${offset + size} exceeds ${MAX_ALERT_WINDOW}: narrow the filters`);
  for (const t of [q.time?.from, q.time?.to]) if (t !== undefined && Number.isNaN(Date.parse(t))) bad(`alert query time '${t}' is not an ISO 8601 time`);
  if (q.text !== undefined && (q.text.length === 0 || q.text.length > 256)) bad('alert query text must be 1..256 characters');
  if (q.entity !== undefined && (q.entity.value.length === 0 || q.entity.value.length > 1024)) bad('alert query entity value must be 1..1024 characters');
  if ((q.ids?.length ?? 0) > MAX_LIST) bad(`alert query ids: at most ${MAX_LIST}`);
  if ((q.excludeDedupKeys?.length ?? 0) > MAX_LIST) bad(`alert query excludeDedupKeys: at most ${MAX_LIST}`);
  if (q.assignee !== undefined && q.unassigned) bad('alert query: assignee and unassigned exclude each other');
}

/**
 * Contract: upsert folds an alert with the same dedupKey whose lastSeen is within the
 * suppression window into the existing one (count += n, lastSeen, event ids, entities merged);
 * transitions follow ALERT_TRANSITIONS and are recorded in history. list() answers the queue's
 * query (filters, sort, paging) with the exact total; tally() counts alerts by keys.
 */
export interface AlertStore {
  /**
   * Folds or stores; `changed` is false when the alert's signals were folded already (a
   * redelivered signal is not counted twice).
   */
  upsert(alert: Alert, suppressionMs: number): Promise<{ alert: Alert; created: boolean; changed: boolean }>;
  get(id: string): Promise<Alert | null>;
  list(q: AlertQuery): Promise<{ total: number; alerts: Alert[] }>;
  /** Counts of the alerts the query selects (its size, offset and sort do not apply), by key; sorted by key. */
  tally(q: AlertQuery, by: readonly AlertTallyKey[]): Promise<AlertTally[]>;
  transition(id: string, to: AlertStatus, actor: string, opts?: { comment?: string; resolution?: Alert['resolution']; assignee?: string }): Promise<Alert>;
  /** A comment or a change of assignee (null: nobody) without a status move, recorded in history. */
  annotate(id: string, actor: string, change: AlertAnnotation): Promise<Alert>;
  close(): Promise<void>;
}

export interface AlertAnnotation {
  readonly comment?: string;
  readonly assignee?: string | null;
}

/** The annotation applied to an alert, the same in every adapter: an assignment entry, then a comment entry. */
export function annotateAlert(cur: Alert, actor: string, change: AlertAnnotation, now: Date): Alert {
  if (change.comment === undefined && change.assignee === undefined)
    throw new CitySocError('INPUT_INVALID', `alert ${cur.id}: an annotation needs a comment or an assignee`);
  const at = now.toISOString();
  const history = [...cur.history];
  let next: Alert = cur;
  if (change.assignee !== undefined && (change.assignee ?? undefined) !== cur.assignee) {
    const { assignee: _previous, ...rest } = cur;
    next = change.assignee === null ? rest : { ...rest, assignee: change.assignee };
    history.push({ at, actor, action: 'assign', ...(cur.assignee ? { from: cur.assignee } : {}), ...(change.assignee ? { to: change.assignee } : {}) });
  }
  if (change.comment !== undefined) history.push({ at, actor, action: 'comment', comment: change.comment });
  return { ...next, history };
}

/** The order tallies are returned in, the same on every engine: keys compared one by one, null first. */
export function compareTallyKeys(a: readonly (string | null)[], b: readonly (string | null)[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x === y) continue;
    if (x === null) return -1;
    if (y === null) return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}
