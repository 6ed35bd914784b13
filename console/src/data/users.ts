/** Users: the list and creation (which answers the new user's one-time password, shown once). */
import type { CreateParams } from 'ra-core';
import { graphql } from './graphql';
import { present, type ResourceAdapter } from './resource';

/** The roles the API's Role enum accepts today. */
export const USER_ROLES = ['admin', 'analyst', 'auditor', 'department_admin', 'collector'] as const;

export interface UserRecord {
  id: string;
  username: string;
  roles: string[];
  department: string | null;
  mustChangePassword: boolean;
  disabled: boolean;
  createdAt: string;
  /** Only on the answer to a creation. */
  oneTimePassword?: string;
}

const USER = 'username roles department mustChangePassword disabled createdAt';
const LIST = /* GraphQL */ `
  query Users {
    users { ${USER} }
  }
`;
const CREATE = /* GraphQL */ `
  mutation CreateUser($username: String!, $roles: [Role!]!, $department: String) {
    createUser(username: $username, roles: $roles, department: $department) {
      user { ${USER} }
      oneTimePassword
    }
  }
`;

export const users: ResourceAdapter = {
  async getList() {
    const rows = (await graphql<{ users: Omit<UserRecord, 'id'>[] }>(LIST)).users.map((u) => ({ ...u, id: u.username }));
    return { data: rows, total: rows.length };
  },
  async create(params: CreateParams) {
    const d = params.data as { username: string; roles: string[]; department?: string };
    const r = await graphql<{ createUser: { user: Omit<UserRecord, 'id'>; oneTimePassword: string } }>(CREATE, {
      username: d.username,
      roles: d.roles,
      ...(present(d.department) ? { department: d.department } : {}),
    });
    return { data: { ...r.createUser.user, id: r.createUser.user.username, oneTimePassword: r.createUser.oneTimePassword } };
  },
};
