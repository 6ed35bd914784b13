import type { Alert, AlertStatus } from '../alert';
import type { QueryNode } from '../query/ast';

export interface AlertQuery {
  readonly status?: readonly AlertStatus[];
  readonly department?: string;
  readonly ruleId?: string;
  readonly assignee?: string;
  /** A row filter over the alert document (a policy's document-level security). */
  readonly filter?: QueryNode;
  readonly size?: number;
  readonly offset?: number;
}

/**
 * Contract: upsert folds an alert with the same dedupKey whose lastSeen is within the
 * suppression window into the existing one (count += n, lastSeen, event ids, entities merged);
 * transitions follow ALERT_TRANSITIONS and are recorded in history.
 */
export interface AlertStore {
  /**
   * Folds or stores; `changed` is false when the alert's signals were folded already (a
   * redelivered signal is not counted twice).
   */
  upsert(alert: Alert, suppressionMs: number): Promise<{ alert: Alert; created: boolean; changed: boolean }>;
  get(id: string): Promise<Alert | null>;
  list(q: AlertQuery): Promise<{ total: number; alerts: Alert[] }>;
  transition(id: string, to: AlertStatus, actor: string, opts?: { comment?: string; resolution?: Alert['resolution']; assignee?: string }): Promise<Alert>;
  close(): Promise<void>;
}
