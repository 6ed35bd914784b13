/**
 * One sign-on for the editor: Node-RED's adminAuth asks CitySOC who a bearer token belongs to
 * (the platform's `authenticate`), and the actor's roles decide what the editor allows. Node-RED's
 * own user list and password login are never used: its login always fails, so no Node-RED
 * session or token is ever issued. The actor rides on the user object (not enumerable, so it is
 * never logged or serialized) down to the storage module, which audits the deploy as that actor.
 */
import type { Actor } from '../../core/actor';
import { can } from '../../core/roles';

export type Authenticate = (token: string) => Actor | null | Promise<Actor | null>;

export const ACTOR = Symbol('citysoc.actor');

export interface RedUser {
  readonly username: string;
  /** `*` (read and write everything in the editor) or `read`. */
  readonly permissions: string;
}

/** What the editor lets an actor do: authors everything, readers only look; others nothing. */
export function editorPermissions(actor: Actor): '*' | 'read' | null {
  if (can(actor.roles, 'playbooks:author')) return '*';
  if (can(actor.roles, 'playbooks:read')) return 'read';
  return null;
}

export function redUser(actor: Actor): RedUser | null {
  const permissions = editorPermissions(actor);
  if (!permissions) return null;
  const user: RedUser = { username: actor.name, permissions };
  Object.defineProperty(user, ACTOR, { value: actor, enumerable: false });
  return user;
}

export function actorOf(user: unknown): Actor | null {
  return user && typeof user === 'object' ? ((user as Record<symbol, Actor | undefined>)[ACTOR] ?? null) : null;
}

/** `refuse` names actors who may not in, whatever their session says (an isolated account). */
export function adminAuth(authenticate: Authenticate, refuse: (actor: Actor) => boolean, sessionExpirySeconds: number): Record<string, unknown> {
  return {
    type: 'credentials',
    sessionExpiryTime: sessionExpirySeconds,
    // Only ever called for Node-RED's own sessions, of which there are none.
    users: async () => null,
    // Node-RED's password login: always refused, the console signs people in.
    authenticate: async () => null,
    tokens: async (token: string) => {
      const actor = await authenticate(token);
      if (!actor || actor.mustChangePassword || refuse(actor)) return null;
      return redUser(actor);
    },
    tokenHeader: 'authorization',
  };
}
