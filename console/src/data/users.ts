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

/** Someone a case or an alert may be assigned to, as the server lists them. */
export interface AssignableUser {
  username: string;
  displayName: string | null;
}

const ASSIGNABLE = /* GraphQL */ `
  query AssignableUsers($caseId: ID, $alertId: ID, $text: String, $size: Int) {
    assignableUsers(caseId: $caseId, alertId: $alertId, text: $text, size: $size) {
      username
      displayName
    }
  }
`;

/**
 * The users who may work this case or alert and see it (the server's own judgement, the one
 * assignment makes), matching text; at most 20. Any signed-in analyst may ask, no users:manage needed.
 */
export async function assignableUsers(target: { caseId: string } | { alertId: string }, text = ''): Promise<AssignableUser[]> {
  const vars = { ...target, size: 20, ...(text.trim() ? { text: text.trim() } : {}) };
  return (await graphql<{ assignableUsers: AssignableUser[] }>(ASSIGNABLE, vars)).assignableUsers;
}
