/** Alerts: the queue (filtered by status, as the API allows), one alert, and status moves. */
import { HttpError, type GetListParams, type GetManyParams, type GetOneParams, type UpdateManyParams, type UpdateParams } from 'ra-core';
import { graphql } from './graphql';
import { pageOf, type ResourceAdapter } from './resource';

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
  query Alerts($status: [AlertStatus!], $size: Int, $offset: Int) {
    alerts(status: $status, size: $size, offset: $offset) {
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

async function getOne(id: string): Promise<AlertRecord> {
  const r = await graphql<{ alert: AlertRecord | null }>(ONE, { id });
  if (!r.alert) throw new HttpError(`alert ${id} does not exist`, 404);
  return r.alert;
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
    const status = statuses(params.filter ?? {});
    const r = await graphql<{ alerts: { total: number; alerts: AlertRecord[] } }>(LIST, { ...pageOf(params.pagination), ...(status ? { status } : {}) });
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
