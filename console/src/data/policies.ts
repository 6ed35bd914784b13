/**
 * Policy lines (casbin: p, p2, g, g2), a dry run of a change against sample decision requests
 * (which answers flip) and applying the change.
 */
import type { GetListParams } from 'ra-core';
import { graphql } from './graphql';
import type { ResourceAdapter } from './resource';

export const PTYPES = ['p', 'p2', 'g', 'g2'] as const;
export type Ptype = (typeof PTYPES)[number];

export interface PolicyLineRecord {
  id: string;
  ptype: Ptype;
  values: string[];
}
export interface PolicyLine {
  ptype: Ptype;
  values: string[];
}
export type PolicyChange = { op: 'add'; line: PolicyLine } | { op: 'remove'; line: PolicyLine } | { op: 'update'; before: PolicyLine; after: PolicyLine };
/** The PDP's answer, as far as the console shows it. */
export interface DecisionSummary {
  decision: string;
  reason: string;
  matched: string[];
}
export interface PolicyFlip {
  index: number;
  before: DecisionSummary;
  after: DecisionSummary;
}
/** A change in force: the line before and after, and the policy version it made. */
export interface AppliedPolicyChange {
  ptype: string;
  id: string;
  before: string[] | null;
  after: string[] | null;
  version: number;
}

const LIST = /* GraphQL */ `
  query Policies($ptype: String) {
    policies(ptype: $ptype) {
      ptype
      values
    }
  }
`;
const PREVIEW = /* GraphQL */ `
  mutation PreviewPolicyChange($change: PolicyChangeInput!, $samples: [DecisionRequestInput!]!) {
    previewPolicyChange(change: $change, samples: $samples) {
      index
      before {
        decision
        reason
        matched
      }
      after {
        decision
        reason
        matched
      }
    }
  }
`;
const APPLY = /* GraphQL */ `
  mutation ApplyPolicyChange($change: PolicyChangeInput!, $reason: String) {
    applyPolicyChange(change: $change, reason: $reason) {
      ptype
      id
      before
      after
      version
    }
  }
`;

/** Sample requests are typed by the API (DecisionRequestInput): the server names a field it does not know. */
export async function previewPolicyChange(change: PolicyChange, samples: unknown[]): Promise<PolicyFlip[]> {
  return (await graphql<{ previewPolicyChange: PolicyFlip[] }>(PREVIEW, { change, samples })).previewPolicyChange;
}

/** The reason, when given, is kept in the change's audit record for auditors. */
export async function applyPolicyChange(change: PolicyChange, reason = ''): Promise<AppliedPolicyChange> {
  return (await graphql<{ applyPolicyChange: AppliedPolicyChange }>(APPLY, { change, ...(reason.trim() ? { reason: reason.trim() } : {}) })).applyPolicyChange;
}

export const policies: ResourceAdapter = {
  async getList(params: GetListParams) {
    const ptype = (params.filter as { ptype?: string } | undefined)?.ptype;
    const rows = (await graphql<{ policies: PolicyLine[] }>(LIST, ptype ? { ptype } : {})).policies;
    // A policy line has no id of its own: its text is unique in the policy.
    const data = rows.map((l) => ({ ...l, id: [l.ptype, ...l.values].join(', ') }));
    return { data, total: data.length };
  },
};

/**
 * A policy change as the audit trail keeps it: the door writes one record per applied change
 * (action policy.change, resource policy:<ptype>:<id>, details before/after/version), so the
 * history is read from the trail itself — what auditors verify — not from a second log.
 */
export interface PolicyChangeRecord {
  seq: number;
  at: string;
  actor: string;
  /** The person accountable when the actor is a token or a grant. */
  person: string | null;
  ptype: string;
  policyId: string;
  before: string[] | null;
  after: string[] | null;
  version: number | null;
  reason: string | null;
}

const CHANGES = /* GraphQL */ `
  query PolicyChanges($from: String, $to: String, $actor: String, $size: Int) {
    auditRecords(action: "policy.change", decision: allow, from: $from, to: $to, actor: $actor, size: $size) {
      seq
      at
      actor
      resource
      details
    }
  }
`;
/** The most changes one page reads. */
export const POLICY_CHANGES_SHOWN = 200;

const strings = (v: unknown): string[] | null => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : null);

/** One trail record as a change; the record's resource names the line (policy:<ptype>:<id>). */
export function policyChangeOf(r: { seq: number; at: string; actor: string; resource: string; details: unknown }): PolicyChangeRecord {
  const d = (r.details && typeof r.details === 'object' ? r.details : {}) as Record<string, unknown>;
  const [, ptype = '', ...id] = r.resource.split(':');
  return {
    seq: r.seq,
    at: r.at,
    actor: r.actor,
    person: typeof d.person === 'string' ? d.person : null,
    ptype,
    policyId: id.join(':'),
    before: strings(d.before),
    after: strings(d.after),
    version: typeof d.version === 'number' ? d.version : null,
    reason: typeof d.reason === 'string' && d.reason ? d.reason : null,
  };
}

export async function listPolicyChanges(filter: { from?: string; to?: string; actor?: string }): Promise<PolicyChangeRecord[]> {
  const vars = Object.fromEntries(Object.entries(filter).filter(([, v]) => v));
  const rows = (
    await graphql<{ auditRecords: { seq: number; at: string; actor: string; resource: string; details: unknown }[] }>(CHANGES, {
      ...vars,
      size: POLICY_CHANGES_SHOWN,
    })
  ).auditRecords;
  return rows.map(policyChangeOf);
}

/** A line of a change's diff: removed (-), added (+), or kept; `changed` marks the values that differ from the other side. */
export interface DiffLine {
  sign: '-' | '+';
  ptype: string;
  values: string[];
  changed: boolean[];
}

/** The change as removed and added lines, each value marked where the two sides differ. */
export function policyDiff(c: Pick<PolicyChangeRecord, 'ptype' | 'before' | 'after'>): DiffLine[] {
  const mark = (mine: string[], other: string[] | null) => mine.map((v, i) => other === null || other[i] !== v);
  const out: DiffLine[] = [];
  if (c.before) out.push({ sign: '-', ptype: c.ptype, values: c.before, changed: mark(c.before, c.after) });
  if (c.after) out.push({ sign: '+', ptype: c.ptype, values: c.after, changed: mark(c.after, c.before) });
  return out;
}
