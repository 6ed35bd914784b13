/**
 * Users: the list, creation (which answers the new user's one-time password, shown once) and the
 * change of a display name.
 */
import type { CreateParams, GetOneParams, UpdateParams } from 'ra-core';
import { graphql } from './graphql';
import { present, type ResourceAdapter } from './resource';

/** The roles the API's Role enum accepts today. */
export const USER_ROLES = ['admin', 'analyst', 'auditor', 'department_admin', 'collector'] as const;

export interface UserRecord {
  id: string;
  username: string;
  /** The name colleagues pick them by (张伟); null when none is kept. */
  displayName: string | null;
  roles: string[];
  department: string | null;
  mustChangePassword: boolean;
  disabled: boolean;
  createdAt: string;
  /** Only on the answer to a creation. */
  oneTimePassword?: string;
}

const USER = 'username displayName roles department mustChangePassword disabled createdAt';
const LIST = /* GraphQL */ `
  query Users {
    users { ${USER} }
  }
`;
const CREATE = /* GraphQL */ `
  mutation CreateUser($username: String!, $roles: [Role!]!, $department: String, $displayName: String) {
    createUser(username: $username, roles: $roles, department: $department, displayName: $displayName) {
      user { ${USER} }
      oneTimePassword
    }
  }
`;
const UPDATE_DISPLAY_NAME = /* GraphQL */ `
  mutation UpdateUserDisplayName($username: String!, $displayName: String) {
    updateUser(username: $username, displayName: $displayName) { ${USER} }
  }
`;

async function listUsers(): Promise<UserRecord[]> {
  return (await graphql<{ users: Omit<UserRecord, 'id'>[] }>(LIST)).users.map((u) => ({ ...u, id: u.username }));
}

export const users: ResourceAdapter = {
  async getList() {
    const rows = await listUsers();
    return { data: rows, total: rows.length };
  },
  async getOne(params: GetOneParams) {
    const found = (await listUsers()).find((u) => u.username === String(params.id));
    if (!found) throw new Error(`no user ${String(params.id)}`);
    return { data: found };
  },
  /** Only the display name is edited here; a blank one clears it (the server says so too). */
  async update(params: UpdateParams) {
    const d = params.data as { displayName?: string | null };
    const r = await graphql<{ updateUser: Omit<UserRecord, 'id'> }>(UPDATE_DISPLAY_NAME, {
      username: String(params.id),
      displayName: present(d.displayName) ? d.displayName : null,
    });
    return { data: { ...r.updateUser, id: r.updateUser.username } };
  },
  async create(params: CreateParams) {
    const d = params.data as { username: string; roles: string[]; department?: string; displayName?: string };
    const r = await graphql<{ createUser: { user: Omit<UserRecord, 'id'>; oneTimePassword: string } }>(CREATE, {
      username: d.username,
      roles: d.roles,
      ...(present(d.department) ? { department: d.department } : {}),
      ...(present(d.displayName) ? { displayName: d.displayName } : {}),
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
  query AssignableUsers($caseId: ID, $alertId: ID, $alertIds: [ID!], $text: String, $size: Int) {
    assignableUsers(caseId: $caseId, alertId: $alertId, alertIds: $alertIds, text: $text, size: $size) {
      username
      displayName
    }
  }
`;

/** Alerts one question may name (the server refuses more). */
export const MAX_ASSIGNABLE_ALERTS = 50;

/**
 * The users who may work this case, this alert or every one of these alerts and see it (the
 * server's own judgement, the one assignment makes), matching text on the username or display
 * name; at most 20. Any signed-in analyst may ask, no users:manage needed.
 */
export async function assignableUsers(
  target: { caseId: string } | { alertId: string } | { alertIds: readonly string[] },
  text = '',
): Promise<AssignableUser[]> {
  const vars = { ...target, size: 20, ...(text.trim() ? { text: text.trim() } : {}) };
  return (await graphql<{ assignableUsers: AssignableUser[] }>(ASSIGNABLE, vars)).assignableUsers;
}
