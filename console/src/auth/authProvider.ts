/**
 * react-admin's authProvider on CitySOC sessions: sign-in with the `login` mutation, the forced
 * change of a one-time password (the server refuses everything else with PASSWORD_CHANGE_REQUIRED
 * until then), sign-out that ends the session on the server, and canAccess from the permissions
 * the server states for the user (`me { permissions }`).
 */
import type { AuthProvider } from 'ra-core';
import { graphql, isApiError } from '../data/graphql';
import { allowed } from './access';
import { session, type SessionIdentity } from './session';

export const CHANGE_PASSWORD_PATH = '/change-password';

const IDENTITY = /* GraphQL */ `
  fragment Identity on Me {
    name
    kind
    roles
    permissions
    department
    mustChangePassword
  }
`;
const LOGIN = /* GraphQL */ `
  mutation Login($username: String!, $password: String!) {
    login(username: $username, password: $password) {
      token
      mustChangePassword
      me {
        ...Identity
      }
    }
  }
  ${IDENTITY}
`;
const ME = /* GraphQL */ `
  query Me {
    me {
      ...Identity
    }
  }
  ${IDENTITY}
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

let refreshed: Promise<void> | null = null;

/**
 * Asks the server who the session is, once per page load: an administrator may have changed the
 * user's roles since sign-in, and an identity kept by an older console lacks its permissions.
 */
function refreshIdentity(): Promise<void> {
  refreshed ??= graphql<{ me: SessionIdentity }>(ME).then(
    (r) => {
      if (session.token()) session.update(r.me);
    },
    () => {
      // Kept for the next call: a refused session is handled by checkError on the page's own calls.
      refreshed = null;
    },
  );
  return refreshed;
}

interface LoginResult {
  login: { token: string; mustChangePassword: boolean; me: SessionIdentity };
}

export async function signIn(username: string, password: string): Promise<SessionIdentity> {
  const r = await graphql<LoginResult>(LOGIN, { username, password });
  session.start(r.login.token, r.login.me);
  refreshed = Promise.resolve();
  return r.login.me;
}

/** Changes the password; the server ends every session of the user, so this signs in again with the new one. */
export async function changePassword(current: string, next: string): Promise<void> {
  const who = session.identity();
  if (!who) throw new Error('not signed in');
  await graphql(CHANGE_PASSWORD, { current, next });
  await signIn(who.name, next);
}

/** The permissions of the session; asked of the server first when the stored identity has none. */
async function permissions(): Promise<readonly string[]> {
  const who = session.identity();
  if (!who) return [];
  if (who.permissions.length === 0 && !who.mustChangePassword) await refreshIdentity();
  else void refreshIdentity();
  return session.identity()?.permissions ?? [];
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
    refreshed = null;
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
    return permissions();
  },
  async canAccess({ resource, action }: { resource: string; action: string }) {
    return allowed(await permissions(), resource, action);
  },
};
