/**
 * The signed-in session, kept in this tab's sessionStorage: closing the tab ends it on this
 * machine, and another tab signs in on its own. The token is never written anywhere else.
 */
export interface SessionIdentity {
  readonly name: string;
  readonly kind: string;
  readonly roles: readonly string[];
  readonly department: string | null;
  readonly mustChangePassword: boolean;
}

const TOKEN = 'citysoc.token';
const IDENTITY = 'citysoc.identity';

function storage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

export const session = {
  token(): string | null {
    return storage()?.getItem(TOKEN) ?? null;
  },
  identity(): SessionIdentity | null {
    const raw = storage()?.getItem(IDENTITY);
    if (!raw) return null;
    try {
      return JSON.parse(raw) as SessionIdentity;
    } catch {
      return null;
    }
  },
  start(token: string, identity: SessionIdentity): void {
    storage()?.setItem(TOKEN, token);
    storage()?.setItem(IDENTITY, JSON.stringify(identity));
  },
  update(identity: SessionIdentity): void {
    storage()?.setItem(IDENTITY, JSON.stringify(identity));
  },
  end(): void {
    storage()?.removeItem(TOKEN);
    storage()?.removeItem(IDENTITY);
  },
};
