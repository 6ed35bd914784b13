/**
 * Account isolation: a deny the PDP applies before any policy. Effective in this process the
 * moment isolate() is called (memory first), then persisted, the user's sessions and API tokens
 * revoked, and announced on citysoc.control so other replicas reload within a second. The action
 * that calls it (policy/actions.ts, through the door) writes the one audit record.
 */
import { randomUUID } from 'node:crypto';
import { CitySocError } from '../core/errors';
import type { StateStore } from '../core/ports/state-store';
import type { IsolationView } from './pdp';
import type { ControlChannel } from '../core/control';

export interface Isolation {
  readonly id: string;
  readonly user: string;
  readonly reason: string;
  readonly by: string;
  readonly at: string;
  /** ISO time it lifts by itself; absent: until released. */
  readonly until?: string;
}

export interface CredentialRevoker {
  /** Ends the user's sessions and revokes its API tokens; returns how many of each. */
  revokeAll(user: string): { sessions: number; tokens: number } | Promise<{ sessions: number; tokens: number }>;
}

const COLLECTION = 'isolations';

export class AccountIsolation implements IsolationView {
  private active = new Map<string, Isolation>();

  private constructor(
    private readonly state: StateStore,
    private readonly deps: { revoker: CredentialRevoker; clock?: () => Date; channel?: ControlChannel },
  ) {
    deps.channel?.on(async (m) => {
      if (m.kind === 'isolation.changed') await this.reload();
    });
  }

  static async open(state: StateStore, deps: { revoker: CredentialRevoker; clock?: () => Date; channel?: ControlChannel }): Promise<AccountIsolation> {
    const i = new AccountIsolation(state, deps);
    await i.reload();
    return i;
  }

  private now(): Date {
    return (this.deps.clock ?? (() => new Date()))();
  }

  async reload(): Promise<void> {
    const docs = await this.state.all(COLLECTION);
    this.active = new Map(docs.map((d) => [d.id, d.doc as unknown as Isolation]));
  }

  isolation(user: string, now: Date): Isolation | null {
    const i = this.active.get(user);
    if (!i || (i.until !== undefined && Date.parse(i.until) <= now.getTime())) return null;
    return i;
  }

  list(): Isolation[] {
    const now = this.now();
    return [...this.active.values()].filter((i) => this.isolation(i.user, now));
  }

  /** Isolates the account; `by` is who did it (kept with the isolation). */
  async isolate(by: string, user: string, reason: string, until?: Date): Promise<{ isolation: Isolation; revoked: { sessions: number; tokens: number } }> {
    if (reason.trim() === '') throw new CitySocError('INPUT_INVALID', 'isolate: give a reason, it goes to the audit trail');
    const now = this.now();
    if (until && until.getTime() <= now.getTime()) throw new CitySocError('INPUT_INVALID', `isolate: until ${until.toISOString()} is not in the future`);
    const iso: Isolation = { id: randomUUID(), user, reason, by, at: now.toISOString(), ...(until ? { until: until.toISOString() } : {}) };
    this.active.set(user, iso);
    await this.state.put(COLLECTION, user, { ...iso });
    const revoked = await this.deps.revoker.revokeAll(user);
    await this.deps.channel?.publish({ kind: 'isolation.changed', origin: this.deps.channel.origin, user });
    return { isolation: iso, revoked };
  }

  /** Lifts the isolation; null when the account was not isolated. */
  async release(user: string): Promise<Isolation | null> {
    const existing = this.active.get(user);
    if (!existing) return null;
    this.active.delete(user);
    await this.state.remove(COLLECTION, user);
    await this.deps.channel?.publish({ kind: 'isolation.changed', origin: this.deps.channel.origin, user });
    return existing;
  }
}
