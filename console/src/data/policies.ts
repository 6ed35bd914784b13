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
  mutation ApplyPolicyChange($change: PolicyChangeInput!) {
    applyPolicyChange(change: $change) {
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

export async function applyPolicyChange(change: PolicyChange): Promise<AppliedPolicyChange> {
  return (await graphql<{ applyPolicyChange: AppliedPolicyChange }>(APPLY, { change })).applyPolicyChange;
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
