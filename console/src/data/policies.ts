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
export interface PolicyFlip {
  index: number;
  before: { decision?: string; reason?: string } & Record<string, unknown>;
  after: { decision?: string; reason?: string } & Record<string, unknown>;
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
  mutation PreviewPolicyChange($change: JSON!, $samples: [JSON!]!) {
    previewPolicyChange(change: $change, samples: $samples) {
      index
      before
      after
    }
  }
`;
const APPLY = /* GraphQL */ `
  mutation ApplyPolicyChange($change: JSON!) {
    applyPolicyChange(change: $change)
  }
`;

export async function previewPolicyChange(change: PolicyChange, samples: unknown[]): Promise<PolicyFlip[]> {
  return (await graphql<{ previewPolicyChange: PolicyFlip[] }>(PREVIEW, { change, samples })).previewPolicyChange;
}

export async function applyPolicyChange(change: PolicyChange): Promise<void> {
  await graphql(APPLY, { change });
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
