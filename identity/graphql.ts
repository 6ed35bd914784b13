/** GraphQL over the identity service: thin adapters, one service call per root field. */
import type { Bound } from '../core/door';
import { type GraphQLContribution, viaService } from '../core/module';
import { permissionName } from '../core/roles';
import type { IdentityActions } from './service';

export const identityTypeDefs = /* GraphQL */ `
  "A local account."
  type User {
    "Unique sign-in name."
    username: String!
    "The name people know them by (张伟), shown beside the username; null when none is kept."
    displayName: String
    roles: [Role!]!
    "Display name of the department the user belongs to; null for the city SOC's platform roles."
    department: String
    "True until the one-time password given at creation or reset has been changed."
    mustChangePassword: Boolean!
    "A disabled user cannot sign in and its sessions and tokens stop working."
    disabled: Boolean!
    createdAt: String!
    "Until when sign-in is refused after repeated failures; null when not locked."
    lockedUntil: String
  }
  "The caller as CitySOC sees it."
  type Me {
    "User name, token:<name> for an API token, playbook:<id> for a playbook run."
    name: String!
    "user, token, playbook or system."
    kind: String!
    roles: [Role!]!
    "What the roles allow the caller to attempt (the PDP still decides rows and fields)."
    permissions: [Permission!]!
    department: String
    departmentCode: String
    mustChangePassword: Boolean!
  }
  "A new session: send the token as Authorization: Bearer <token>."
  type Session {
    token: String!
    expiresAt: String!
    mustChangePassword: Boolean!
    me: Me!
  }
  "A created (or reset) account and its one-time password."
  type NewUser {
    user: User!
    "Shown once; the user must change it at first sign-in."
    oneTimePassword: String!
  }
  "An API token for a machine (collector, PDP client). The secret is shown only when issued."
  type ApiToken {
    id: String!
    name: String!
    roles: [Role!]!
    "The person accountable for the token; it acts within their department."
    createdBy: String!
    createdAt: String!
    expiresAt: String
    revoked: Boolean!
  }
  "An issued API token: the secret is shown only in this answer."
  type NewApiToken {
    id: String!
    "cst_...: shown once."
    token: String!
    expiresAt: String
  }
  "A department of the city: a short code (collectors tag events with it) and a display name."
  type Department {
    code: String!
    name: String!
  }

  extend type Query {
    "Who the caller is. Allowed before the first password change."
    me: Me!
    "Every local account (users:manage)."
    users: [User!]!
    "Every API token, without its secret (tokens:manage)."
    apiTokens: [ApiToken!]!
    "The department catalogue; either the code or the name is accepted wherever a department is named."
    departments: [Department!]!
  }

  extend type Mutation {
    "Sign in. Every failure answers the same (wrong name, wrong password, locked, disabled)."
    login(username: String!, password: String!): Session!
    "Ends the caller's session."
    logout: Boolean!
    "Changes the caller's password (at least 12 characters, three character classes); ends every session of the caller."
    changePassword(current: String!, next: String!): Boolean!
    "Creates a user with a one-time password. department: code or name from the catalogue. displayName: 1-64 printable characters (no invisible or blank-looking ones, no space but U+0020, never two in a row); several users may share one."
    createUser(username: String!, roles: [Role!]!, department: String, displayName: String): NewUser!
    "Changes roles, department (null removes it), display name (null or blank removes it; as for createUser) or the disabled flag; disabling ends the user's sessions."
    updateUser(username: String!, roles: [Role!], department: String, displayName: String, disabled: Boolean): User!
    "Renames an account; its sessions end, its tokens keep working."
    renameUser(username: String!, to: String!): User!
    "A new one-time password; every session of the user ends and a lock is lifted."
    resetPassword(username: String!): NewUser!
    "Issues an API token; expiresInDays may be required by auth.maxTokenDays."
    createApiToken(name: String!, roles: [Role!]!, expiresInDays: Int): NewApiToken!
    "Revokes an API token at once on every replica; false when it was unknown or revoked already."
    revokeApiToken(id: String!): Boolean!
    "Adds a department to the catalogue (names are kept for good once stored data carries them)."
    putDepartment(code: String!, name: String!): Department!
  }
`;

export function identityGraphQL(svc: Bound<IdentityActions>): GraphQLContribution {
  return {
    typeDefs: identityTypeDefs,
    resolvers: {
      Me: { permissions: (me: { permissions: readonly string[] }) => me.permissions.map(permissionName) },
      Query: {
        me: viaService(svc.me, () => ({})),
        users: viaService(svc.listUsers, () => ({})),
        apiTokens: viaService(svc.listTokens, () => ({})),
        departments: viaService(svc.listDepartments, () => ({})),
      },
      Mutation: {
        login: viaService(svc.login, (a) => ({ username: a.username as string, password: a.password as string })),
        logout: viaService(svc.logout, (_a, who) => ({ token: who.token })),
        changePassword: viaService(svc.changePassword, (a) => ({ current: a.current as string, next: a.next as string })),
        createUser: viaService(svc.createUser, (a) => ({
          username: a.username as string,
          roles: a.roles as string[],
          department: (a.department as string | null | undefined) ?? null,
          displayName: (a.displayName as string | null | undefined) ?? null,
        })),
        updateUser: viaService(svc.updateUser, (a) => ({
          username: a.username as string,
          ...(a.roles !== undefined ? { roles: a.roles as string[] | null } : {}),
          ...('department' in a ? { department: a.department as string | null } : {}),
          ...('displayName' in a ? { displayName: a.displayName as string | null } : {}),
          ...(a.disabled !== undefined ? { disabled: a.disabled as boolean | null } : {}),
        })),
        renameUser: viaService(svc.renameUser, (a) => ({ username: a.username as string, to: a.to as string })),
        resetPassword: viaService(svc.resetPassword, (a) => ({ username: a.username as string })),
        createApiToken: viaService(svc.createToken, (a) => ({
          name: a.name as string,
          roles: a.roles as string[],
          expiresInDays: (a.expiresInDays as number | null | undefined) ?? null,
        })),
        revokeApiToken: viaService(svc.revokeToken, (a) => ({ id: a.id as string })),
        putDepartment: viaService(svc.putDepartment, (a) => ({ code: a.code as string, name: a.name as string })),
      },
    },
  };
}
