/** API tokens: the list, issuing one (its secret is answered once) and revoking. */
import type { CreateParams, DeleteParams, RaRecord } from 'ra-core';
import { graphql } from './graphql';
import type { ResourceAdapter } from './resource';

export interface ApiTokenRecord {
  id: string;
  name: string;
  roles: string[];
  createdBy: string;
  createdAt: string;
  revoked: boolean;
  /** Only on the answer to an issue: the secret, shown once. */
  token?: string;
}

const LIST = /* GraphQL */ `
  query ApiTokens {
    apiTokens {
      id
      name
      roles
      createdBy
      createdAt
      revoked
    }
  }
`;
const CREATE = /* GraphQL */ `
  mutation CreateApiToken($name: String!, $roles: [Role!]!) {
    createApiToken(name: $name, roles: $roles) {
      id
      token
    }
  }
`;
const REVOKE = /* GraphQL */ `
  mutation RevokeApiToken($id: String!) {
    revokeApiToken(id: $id)
  }
`;

export const apiTokens: ResourceAdapter = {
  async getList() {
    const rows = (await graphql<{ apiTokens: ApiTokenRecord[] }>(LIST)).apiTokens;
    return { data: rows, total: rows.length };
  },
  async create(params: CreateParams) {
    const d = params.data as { name: string; roles: string[] };
    const r = await graphql<{ createApiToken: { id: string; token: string } }>(CREATE, { name: d.name, roles: d.roles });
    const record: ApiTokenRecord = {
      id: r.createApiToken.id,
      name: d.name,
      roles: d.roles,
      createdBy: '',
      createdAt: '',
      revoked: false,
      token: r.createApiToken.token,
    };
    return { data: record };
  },
  async delete(params: DeleteParams<RaRecord>) {
    await graphql(REVOKE, { id: String(params.id) });
    return { data: { ...(params.previousData ?? {}), id: params.id, revoked: true } };
  },
};
