/**
 * react-admin's authProvider on CitySOC sessions: sign-in with the `login` mutation, the forced
 * change of a one-time password (the server refuses everything else with PASSWORD_CHANGE_REQUIRED
 * until then), sign-out that ends the session on the server, and canAccess from the roles.
 */
import type { AuthProvider } from 'ra-core';
import { graphql, isApiError } from '../data/graphql';
import { allowed, permissionsOf } from './access';
import { session, type SessionIdentity } from './session';

export const CHANGE_PASSWORD_PATH = '/change-password';

const LOGIN = /* GraphQL */ `
  mutation Login($username: String!, $password: String!) {
    login(username: $username, password: $password) {
      token
      mustChangePassword
      me {
        name
        kind
        roles
        department
        mustChangePassword
      }
    }
  }
`;
const LOGOUT = /* GraphQL */ `
  mutation Logout {
    logout
  }
`;
const CHANGE_PASSWORD = /* GraphQL */ `
  mutation ChangePassword($current: String!, $next: String!) {
    changePassword(current: $current, next: $next)
  }
`;

interface LoginResult {
  login: { token: string; mustChangePassword: boolean; me: SessionIdentity };
}

export async function signIn(username: string, password: string): Promise<SessionIdentity> {
  const r = await graphql<LoginResult>(LOGIN, { username, password });
  session.start(r.login.token, r.login.me);
  return r.login.me;
}

/** Changes the password; the server ends every session of the user, so this signs in again with the new one. */
export async function changePassword(current: string, next: string): Promise<void> {
  const who = session.identity();
  if (!who) throw new Error('not signed in');
  await graphql(CHANGE_PASSWORD, { current, next });
  await signIn(who.name, next);
}

function statusOf(error: unknown): number | undefined {
  if (isApiError(error)) return error.status;
  const s = (error as { status?: unknown } | null)?.status;
  return typeof s === 'number' ? s : undefined;
}

export const authProvider: AuthProvider = {
  async login(params: { username: string; password: string }) {
    const me = await signIn(params.username, params.password);
    return me.mustChangePassword ? { redirectTo: CHANGE_PASSWORD_PATH } : undefined;
  },
  async logout() {
    if (session.token()) await graphql(LOGOUT).catch(() => undefined);
    session.end();
  },
  async checkAuth() {
    const who = session.identity();
    // A session that owes a password change is still a session: react-admin signs out on any
    // checkAuth refusal, so the layout (PasswordChangeGate) sends it to the change instead.
    if (!session.token() || !who) throw new Error('ra.auth.auth_check_error');
  },
  async checkError(error: unknown) {
    const status = statusOf(error);
    if (status === 401) {
      session.end();
      throw new Error('ra.notification.logged_out');
    }
    if (status === 428) {
      const who = session.identity();
      if (who) session.update({ ...who, mustChangePassword: true });
      throw { redirectTo: CHANGE_PASSWORD_PATH, logoutUser: false, message: false };
    }
  },
  async getIdentity() {
    const who = session.identity();
    if (!who) throw new Error('ra.auth.auth_check_error');
    return { id: who.name, fullName: who.department ? `${who.name} · ${who.department}` : who.name };
  },
  async getPermissions() {
    return permissionsOf(session.identity()?.roles ?? []);
  },
  async canAccess({ resource, action }: { resource: string; action: string }) {
    return allowed(permissionsOf(session.identity()?.roles ?? []), resource, action);
  },
};
