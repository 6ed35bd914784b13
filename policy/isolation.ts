/**
 * Account isolation: a deny the PDP applies before any policy. Effective in this process the
 * moment isolate() is called (memory first), then persisted, the user's sessions and API tokens
 * revoked, audited, and announced on citysoc.control so other replicas reload within a second.
 */
import { randomUUID } from 'node:crypto';
import { type Db, openDatabase } from '../core/adapters/sqlite/database';
import { CitySocError } from '../core/errors';
import type { AuditLog } from '../core/ports/audit-log';
import type { IsolationView } from './pdp';
import type { Actor } from './policy-service';
import type { ControlChannel } from './store/bus-watcher';

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
  revokeAll(user: string): { sessions: number; tokens: number };
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS isolations (
  user TEXT PRIMARY KEY, id TEXT NOT NULL, reason TEXT NOT NULL, by TEXT NOT NULL, at TEXT NOT NULL, until TEXT
);`;

export class AccountIsolation implements IsolationView {
  private readonly db: Db;
  private active = new Map<string, Isolation>();

  constructor(
    file: string,
    private readonly deps: { audit: AuditLog; revoker: CredentialRevoker; clock?: () => Date; channel?: ControlChannel },
  ) {
    this.db = openDatabase(file, { synchronous: 'FULL' });
    this.db.exec(SCHEMA);
    this.reload();
    deps.channel?.on((m) => {
      if (m.kind === 'isolation.changed') this.reload();
    });
  }

  private now(): Date {
    return (this.deps.clock ?? (() => new Date()))();
  }

  reload(): void {
    const rows = this.db.prepare('SELECT * FROM isolations').all() as (Omit<Isolation, 'until'> & { until: string | null })[];
    this.active = new Map(rows.map(({ until, ...r }) => [r.user, { ...r, ...(until ? { until } : {}) }]));
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

  async isolate(actor: Actor, user: string, reason: string, until?: Date): Promise<Isolation> {
    if (reason.trim() === '') throw new CitySocError('INPUT_INVALID', 'isolate: give a reason, it goes to the audit trail');
    const now = this.now();
    if (until && until.getTime() <= now.getTime()) throw new CitySocError('INPUT_INVALID', `isolate: until ${until.toISOString()} is not in the future`);
    const iso: Isolation = { id: randomUUID(), user, reason, by: actor.name, at: now.toISOString(), ...(until ? { until: until.toISOString() } : {}) };
    this.active.set(user, iso);
    this.db
      .prepare('INSERT OR REPLACE INTO isolations (user, id, reason, by, at, until) VALUES (?, ?, ?, ?, ?, ?)')
      .run(user, iso.id, reason, actor.name, iso.at, iso.until ?? null);
    const revoked = this.deps.revoker.revokeAll(user);
    await this.deps.audit.append({
      actor: actor.name,
      actorType: actor.type,
      action: 'isolation.isolate',
      resource: `user:${user}`,
      decision: 'success',
      reason,
      details: { isolationId: iso.id, until: iso.until ?? null, revoked },
    });
    await this.deps.channel?.publish({ kind: 'isolation.changed', origin: this.deps.channel.origin, user });
    return iso;
  }

  async release(actor: Actor, user: string, reason: string): Promise<boolean> {
    const existing = this.active.get(user);
    if (!existing) return false;
    this.active.delete(user);
    this.db.prepare('DELETE FROM isolations WHERE user = ?').run(user);
    await this.deps.audit.append({
      actor: actor.name,
      actorType: actor.type,
      action: 'isolation.release',
      resource: `user:${user}`,
      decision: 'success',
      reason,
      details: { isolationId: existing.id },
    });
    await this.deps.channel?.publish({ kind: 'isolation.changed', origin: this.deps.channel.origin, user });
    return true;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
