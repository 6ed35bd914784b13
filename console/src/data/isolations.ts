/** Isolated accounts: isolating one (its sessions and tokens end) and releasing it, each with a reason. */
import type { CreateParams } from 'ra-core';
import { graphql } from './graphql';
import { present, type ResourceAdapter } from './resource';

export interface IsolationRecord {
  id: string;
  user: string;
  reason: string;
  by: string;
  at: string;
  until?: string;
}

const LIST = /* GraphQL */ `
  query Isolations {
    isolations
  }
`;
const ISOLATE = /* GraphQL */ `
  mutation IsolateAccount($user: String!, $reason: String!, $until: String) {
    isolateAccount(user: $user, reason: $reason, until: $until)
  }
`;
const RELEASE = /* GraphQL */ `
  mutation ReleaseAccount($user: String!, $reason: String!) {
    releaseAccount(user: $user, reason: $reason)
  }
`;

export async function releaseAccount(user: string, reason: string): Promise<void> {
  await graphql(RELEASE, { user, reason });
}

export const isolations: ResourceAdapter = {
  async getList() {
    const data = (await graphql<{ isolations: IsolationRecord[] }>(LIST)).isolations;
    return { data, total: data.length };
  },
  async create(params: CreateParams) {
    const d = params.data as { user: string; reason: string; until?: string };
    const r = await graphql<{ isolateAccount: IsolationRecord }>(ISOLATE, {
      user: d.user,
      reason: d.reason,
      ...(present(d.until) ? { until: new Date(d.until).toISOString() } : {}),
    });
    return { data: r.isolateAccount };
  },
};
