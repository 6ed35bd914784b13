/**
 * Who performs an action: a person (session), an API token, a playbook run, or the platform
 * itself. Every application service takes one; the PDP, the role table and the audit trail see
 * the same actor whether the call came from GraphQL, HTTP, the CLI or a Node-RED node.
 */
import type { Role } from './roles';

export type ActorKind = 'user' | 'token' | 'playbook' | 'system';

export interface Actor {
  readonly kind: ActorKind;
  /** user name; `token:<name>`; `playbook:<id>`; `system` or `cli:<os user>` */
  readonly name: string;
  readonly roles: readonly Role[];
  readonly department?: string;
  readonly sourceIp?: string;
  /** A person who still owes the change of a one-time password may do nothing else. */
  readonly mustChangePassword?: boolean;
  /**
   * The person accountable for the actor: the user themself, a token's creator, the user who
   * started a playbook run. The two-person rule compares persons, not credentials.
   */
  readonly person: string;
  /** Set for playbook runs: which playbook, which run, which step. */
  readonly run?: { readonly playbookId: string; readonly runId: string; readonly step?: string };
}

export const SYSTEM_ACTOR: Actor = { kind: 'system', name: 'system', roles: ['admin'], person: 'system' };

/** The host operator at the command line (local access to the data directory). */
export function cliActor(osUser: string): Actor {
  return { kind: 'system', name: `cli:${osUser}`, roles: ['admin'], person: `cli:${osUser}` };
}
