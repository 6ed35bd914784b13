/** Alerts: the queue (with the API's queue filters), one alert, and status moves. */
import { HttpError, type GetListParams, type GetManyParams, type GetOneParams, type UpdateManyParams, type UpdateParams } from 'ra-core';
import { graphql } from './graphql';
import { pageOf, present, type ResourceAdapter } from './resource';

export const ALERT_STATUSES = ['open', 'acknowledged', 'in_progress', 'closed'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];
export const RESOLUTIONS = ['true_positive', 'benign_positive', 'false_positive', 'duplicate'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];
export const SEVERITIES = ['informational', 'low', 'medium', 'high', 'critical'] as const;

export interface AlertRecord {
  id: string;
  rule: { id: string; name: string; type: string; severity: string; tags: string[] };
  entities: { type: string; value: string }[];
  eventIds: string[];
  firstSeen: string;
  lastSeen: string;
  count: number;
  risk: number;
  department: string | null;
  status: AlertStatus;
  resolution: Resolution | null;
  assignee: string | null;
  history: { at: string; actor: string; action: string; from: string | null; to: string | null; comment: string | null }[];
}

const FIELDS = /* GraphQL */ `
  fragment AlertFields on Alert {
    id
    rule {
      id
      name
      type
      severity
      tags
    }
    entities {
      type
      value
    }
    eventIds
    firstSeen
    lastSeen
    count
    risk
    department
    status
    resolution
    assignee
    history {
      at
      actor
      action
      from
      to
      comment
    }
  }
`;

const LIST = /* GraphQL */ `
  query Alerts($filter: AlertQueueFilter, $size: Int, $offset: Int) {
    alerts(filter: $filter, size: $size, offset: $offset) {
      total
      alerts {
        ...AlertFields
      }
    }
  }
  ${FIELDS}
`;
const ONE = /* GraphQL */ `
  query Alert($id: ID!) {
    alert(id: $id) {
      ...AlertFields
    }
  }
  ${FIELDS}
`;
const TRANSITION = /* GraphQL */ `
  mutation TransitionAlert($id: ID!, $to: AlertStatus!, $comment: String, $resolution: Resolution, $assignee: String) {
    transitionAlert(id: $id, to: $to, comment: $comment, resolution: $resolution, assignee: $assignee) {
      ...AlertFields
    }
  }
  ${FIELDS}
`;

/** A status move as the queue's and the detail page's buttons ask for it. */
export interface AlertTransition {
  status: AlertStatus;
  resolution?: Resolution;
  comment?: string;
  assignee?: string;
}

function statuses(filter: Record<string, unknown>): AlertStatus[] | undefined {
  const s = filter.status;
  const list = (Array.isArray(s) ? s : s ? [s] : []).filter((x): x is AlertStatus => (ALERT_STATUSES as readonly string[]).includes(String(x)));
  return list.length ? list : undefined;
}

export const RULE_TYPES = ['sigma', 'correlation', 'ueba', 'manual'] as const;

function oneOf<T extends string>(v: unknown, known: readonly T[]): T[] | undefined {
  const list = (Array.isArray(v) ? v : v ? [v] : []).filter((x): x is T => (known as readonly string[]).includes(String(x)));
  return list.length ? list : undefined;
}

/** A time from the filter form (the browser's local time) as ISO 8601; nothing when it is not one. */
function instant(v: unknown): string | undefined {
  if (!present(v)) return undefined;
  const t = new Date(v);
  return Number.isNaN(t.getTime()) ? undefined : t.toISOString();
}

/** The kinds of entity an alert names (the API's EntityInput types). */
export const ALERT_ENTITY_TYPES = ['user', 'host', 'ip', 'dataset', 'process', 'file'] as const;

/** An entity of the filter (`{type, value}`, as a link carries it) when its type is one the API knows and it has a value. */
function entityOf(v: unknown): { type: string; value: string } | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const { type, value } = v as Record<string, unknown>;
  if (!(ALERT_ENTITY_TYPES as readonly unknown[]).includes(type) || !present(value)) return undefined;
  return { type: type as string, value: value.trim() };
}

/**
 * The queue's filter form (or a link's filter) as the API's AlertQueueFilter: only values the API
 * knows, empty fields left out. Unassigned, which the API will not combine with an assignee, wins.
 */
export function queueFilter(f: Record<string, unknown>): Record<string, unknown> {
  const status = statuses(f);
  const severity = oneOf(f.severity, SEVERITIES);
  const ruleType = oneOf(f.ruleType, RULE_TYPES);
  const entity = entityOf(f.entity);
  const from = instant(f.from);
  const to = instant(f.to);
  return {
    ...(status ? { status } : {}),
    ...(severity ? { severity } : {}),
    ...(present(f.ruleId) ? { ruleId: f.ruleId.trim() } : {}),
    ...(ruleType ? { ruleType } : {}),
    ...(present(f.department) ? { department: f.department.trim() } : {}),
    ...(entity ? { entity } : {}),
    ...(f.unassigned === true ? { unassigned: true } : present(f.assignee) ? { assignee: f.assignee.trim() } : {}),
    ...(present(f.text) ? { text: f.text.trim() } : {}),
    ...(from || to ? { timeField: 'lastSeen', ...(from ? { from } : {}), ...(to ? { to } : {}) } : {}),
  };
}

async function getOne(id: string): Promise<AlertRecord> {
  const r = await graphql<{ alert: AlertRecord | null }>(ONE, { id });
  if (!r.alert) throw new HttpError(`alert ${id} does not exist`, 404);
  return r.alert;
}

const ASSIGN = /* GraphQL */ `
  mutation AssignAlert($id: ID!, $assignee: String) {
    assignAlert(id: $id, assignee: $assignee) {
      id
      assignee
    }
  }
`;

/** Assigns one alert (each its own call, authorized and audited on its own); null: nobody. */
export async function assignAlert(id: string, assignee: string | null): Promise<void> {
  await graphql<{ assignAlert: { id: string } }>(ASSIGN, { id, assignee });
}

async function transition(id: string, t: AlertTransition): Promise<AlertRecord> {
  const r = await graphql<{ transitionAlert: AlertRecord }>(TRANSITION, {
    id,
    to: t.status,
    ...(t.comment ? { comment: t.comment } : {}),
    ...(t.resolution ? { resolution: t.resolution } : {}),
    ...(t.assignee ? { assignee: t.assignee } : {}),
  });
  return r.transitionAlert;
}

export const alerts: ResourceAdapter = {
  async getList(params: GetListParams) {
    const filter = queueFilter(params.filter ?? {});
    const r = await graphql<{ alerts: { total: number; alerts: AlertRecord[] } }>(LIST, { ...pageOf(params.pagination), filter });
    return { data: r.alerts.alerts, total: r.alerts.total };
  },
  async getOne(params: GetOneParams) {
    return { data: await getOne(String(params.id)) };
  },
  async getMany(params: GetManyParams) {
    return { data: await Promise.all(params.ids.map((id) => getOne(String(id)))) };
  },
  async update(params: UpdateParams) {
    return { data: await transition(String(params.id), params.data as AlertTransition) };
  },
  /** One transition per alert, in order; the first refusal stops the rest and is reported. */
  async updateMany(params: UpdateManyParams) {
    const done: string[] = [];
    for (const id of params.ids) {
      await transition(String(id), params.data as AlertTransition);
      done.push(String(id));
    }
    return { data: done };
  },
};

const ADD_EXCEPTION = /* GraphQL */ `
  mutation AddRuleException($alertId: ID!, $fields: [RuleExceptionField!]!, $reason: String!) {
    addRuleException(alertId: $alertId, fields: $fields, reason: $reason) {
      id
      file
      ruleId
    }
  }
`;

/** What a rule exception leaves out: events whose field holds one of the values (in the alert's department). */
export interface RuleExceptionRequest {
  field: string;
  values: string[];
  reason: string;
}

/** Turns a false positive into a rule exception (a Sigma filter the server writes and loads). */
export async function addRuleException(alertId: string, r: RuleExceptionRequest): Promise<{ id: string; file: string; ruleId: string }> {
  const res = await graphql<{ addRuleException: { id: string; file: string; ruleId: string } }>(ADD_EXCEPTION, {
    alertId,
    fields: [{ field: r.field, values: r.values }],
    reason: r.reason,
  });
  return res.addRuleException;
}
