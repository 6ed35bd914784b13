/**
 * Local users, sessions and API tokens. Secrets are stored only as hashes (scrypt for
 * passwords, SHA-256 for high-entropy random tokens); a token is shown once, when issued.
 *
 * They live in the profile's StateStore (SQLite when embedded, the search cluster when
 * clustered), so a session opened on one replica is valid on every other. Each replica answers
 * from memory and reloads when a change is announced on citysoc.control; a token it has not heard
 * of yet is looked up in the store before it is refused.
 *
 * Failed sign-ins are counted by claiming numbered slots with the store's create-if-new, which is
 * atomic across processes and replicas: parallel guesses each need a slot of their own, so no more
 * than maxFailedLogins passwords are ever checked before the account locks. Every failure (unknown
 * user, wrong password, locked, disabled) takes the same path through scrypt and gets the same
 * answer, so neither text nor timing tells whether an account exists.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Actor } from '../core/actor';
import { CitySocError } from '../core/errors';
import type { StateStore } from '../core/ports/state-store';
import { isRole, ROLES, type Role } from '../core/roles';
import { checkDisplayName } from './display-name';
import { generatePassword, hashPassword, passwordProblem, verifyPassword } from './passwords';

export interface UserView {
  readonly username: string;
  /** The name people know them by (张伟), null when none is kept. */
  readonly displayName: string | null;
  readonly roles: Role[];
  readonly department: string | null;
  readonly mustChangePassword: boolean;
  readonly disabled: boolean;
  readonly createdAt: string;
  readonly lockedUntil: string | null;
}

export interface ApiTokenView {
  readonly id: string;
  readonly name: string;
  readonly roles: Role[];
  readonly createdBy: string;
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly revoked: boolean;
}

/** Why a sign-in failed: kept for the audit trail only; the caller always gets the same answer. */
export type LoginFailure = 'unknown_user' | 'bad_password' | 'locked' | 'disabled';

export type LoginResult = { ok: true; token: string; expiresAt: string; actor: Actor } | { ok: false; reason: LoginFailure };

interface UserDoc {
  readonly username: string;
  /** Absent in documents written before display names were kept. */
  readonly displayName?: string;
  readonly passwordHash: string;
  readonly roles: Role[];
  readonly department: string | null;
  readonly mustChangePassword: boolean;
  readonly lockedUntil: number;
  /** Failure slots belong to an epoch; a successful sign-in or the end of a lockout starts a new one. */
  readonly loginEpoch?: number;
  readonly disabled: boolean;
  readonly createdAt: string;
}

interface SessionDoc {
  readonly tokenHash: string;
  readonly username: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly sourceIp: string | null;
}

interface TokenDoc {
  readonly id: string;
  readonly name: string;
  readonly tokenHash: string;
  readonly roles: Role[];
  readonly createdBy: string;
  readonly createdAt: string;
  readonly expiresAt?: string;
  readonly revoked: boolean;
}

const USERS = 'users';
const SESSIONS = 'sessions';
const TOKENS = 'api-tokens';
const FAILURES = 'login-failures';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
export const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/;
const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface IdentityOptions {
  readonly sessionTtlMinutes: number;
  readonly maxFailedLogins: number;
  readonly lockoutMinutes: number;
  /** Longest life an API token may be given; absent: tokens may be issued without expiry. */
  readonly maxTokenDays?: number;
  readonly clock?: () => Date;
  /** Announces changes to other replicas and hears theirs. */
  readonly channel?: IdentityChannel;
}

/** The part of policy/store/bus-watcher.ts ControlChannel identity needs. */
export interface IdentityChannel {
  readonly origin: string;
  on(f: (m: { kind: string }) => Promise<void> | void): void;
  publish(m: { kind: 'identity.changed'; origin: string }): Promise<void>;
}

const asDoc = (x: object) => x as unknown as Record<string, unknown>;

function checkRoles(roles: readonly string[]): Role[] {
  if (roles.length === 0 || roles.some((r) => !isRole(r))) throw new CitySocError('INPUT_INVALID', `roles must be some of ${ROLES.join(', ')}`);
  return [...new Set(roles as Role[])];
}

export class IdentityStore {
  private readonly clock: () => Date;
  /** A hash to compare against when there is no real one, so every failure costs one scrypt. */
  private dummyHash: Promise<string> | null = null;
  private users = new Map<string, UserDoc>();
  private sessions = new Map<string, SessionDoc>();
  private tokens = new Map<string, TokenDoc>();
  private tokensByHash = new Map<string, TokenDoc>();
  private readonly changeListeners = new Set<() => void>();

  private constructor(
    private readonly state: StateStore,
    private readonly opts: IdentityOptions,
  ) {
    this.clock = opts.clock ?? (() => new Date());
    opts.channel?.on(async (m) => {
      if (m.kind !== 'identity.changed') return;
      await this.reload();
      this.tell();
    });
  }

  static async open(state: StateStore, opts: IdentityOptions): Promise<IdentityStore> {
    const s = new IdentityStore(state, opts);
    await s.reload();
    return s;
  }

  async reload(): Promise<void> {
    const [users, sessions, tokens] = await Promise.all([this.state.all(USERS), this.state.all(SESSIONS), this.state.all(TOKENS)]);
    const now = this.clock().getTime();
    this.users = new Map(users.map((d) => [d.id, d.doc as unknown as UserDoc]));
    this.sessions = new Map(
      sessions
        .map((d) => d.doc as unknown as SessionDoc)
        .filter((s) => s.expiresAt > now)
        .map((s) => [s.tokenHash, s]),
    );
    this.tokens = new Map(tokens.map((d) => [d.id, d.doc as unknown as TokenDoc]));
    this.tokensByHash = new Map([...this.tokens.values()].map((t) => [t.tokenHash, t]));
  }

  /**
   * Calls `listener` after every change of users, sessions or tokens: made here, or made by another
   * replica and reloaded here. Whoever holds something on a credential's strength (a live stream)
   * judges it again at once, rather than on its next timer. The returned function stops it.
   */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  private tell(): void {
    for (const l of [...this.changeListeners]) {
      try {
        l();
      } catch {
        // A listener's fault is its own: the change it follows has been made.
      }
    }
  }

  /** Tells this replica's listeners (the change is made in memory already), then the other replicas. */
  private async announce(): Promise<void> {
    this.tell();
    await this.opts.channel?.publish({ kind: 'identity.changed', origin: this.opts.channel.origin });
  }

  private async saveUser(u: UserDoc): Promise<void> {
    this.users.set(u.username, u);
    await this.state.put(USERS, u.username, asDoc(u));
  }

  private async saveToken(t: TokenDoc): Promise<void> {
    this.tokens.set(t.id, t);
    this.tokensByHash.set(t.tokenHash, t);
    await this.state.put(TOKENS, t.id, asDoc(t));
  }

  private userOrThrow(username: string): UserDoc {
    const u = this.users.get(username);
    if (!u) throw new CitySocError('NOT_FOUND', `no user ${username}`);
    return u;
  }

  hasUsers(): boolean {
    return this.users.size > 0;
  }

  /**
   * First start: the admin with a random one-time password, which the caller shows once. When
   * replicas start together, only the one whose create lands shows a password.
   */
  async bootstrapAdmin(): Promise<{ username: string; password: string } | null> {
    if (this.hasUsers()) return null;
    const password = generatePassword();
    try {
      await this.createUser('admin', ['admin'], null, password);
    } catch (e) {
      if (e instanceof CitySocError && e.code === 'CONFLICT') return null;
      throw e;
    }
    return { username: 'admin', password };
  }

  async createUser(
    username: string,
    roles: readonly string[],
    department: string | null,
    oneTimePassword?: string,
    profile: { readonly displayName?: string | null } = {},
  ): Promise<{ password: string }> {
    if (!USERNAME.test(username))
      throw new CitySocError('INPUT_INVALID', `username '${username}' is not valid: 2-64 characters, letters, digits, . _ -, starting with a letter or digit`);
    const checked = checkRoles(roles);
    const displayName = checkDisplayName(profile.displayName);
    if (checked.includes('department_admin') && !department) throw new CitySocError('INPUT_INVALID', 'a department_admin needs a department');
    const password = oneTimePassword ?? generatePassword();
    const user: UserDoc = {
      username,
      ...(displayName !== null ? { displayName } : {}),
      passwordHash: await hashPassword(password),
      roles: checked,
      department,
      mustChangePassword: true,
      lockedUntil: 0,
      loginEpoch: 0,
      disabled: false,
      createdAt: this.clock().toISOString(),
    };
    if (this.users.has(username) || !(await this.state.create(USERS, username, asDoc(user))))
      throw new CitySocError('CONFLICT', `user ${username} already exists`);
    this.users.set(username, user);
    await this.announce();
    return { password };
  }

  user(username: string): UserView | null {
    const u = this.users.get(username);
    return u ? this.view(u) : null;
  }

  private view(u: UserDoc): UserView {
    const now = this.clock().getTime();
    return {
      username: u.username,
      displayName: u.displayName ?? null,
      roles: [...u.roles],
      department: u.department,
      mustChangePassword: u.mustChangePassword,
      disabled: u.disabled,
      createdAt: u.createdAt,
      lockedUntil: u.lockedUntil > now ? new Date(u.lockedUntil).toISOString() : null,
    };
  }

  listUsers(): UserView[] {
    return [...this.users.values()].sort((a, b) => (a.username < b.username ? -1 : 1)).map((u) => this.view(u));
  }

  /** Changes roles, department, display name (null or blank removes it) or the disabled flag; disabling ends the user's sessions at once. */
  async updateUser(
    username: string,
    change: { roles?: readonly string[]; department?: string | null; displayName?: string | null; disabled?: boolean },
  ): Promise<UserView> {
    const u = this.userOrThrow(username);
    const roles = change.roles ? checkRoles(change.roles) : u.roles;
    const department = change.department !== undefined ? change.department : u.department;
    if (roles.includes('department_admin') && !department) throw new CitySocError('INPUT_INVALID', 'a department_admin needs a department');
    const displayName = change.displayName !== undefined ? checkDisplayName(change.displayName) : (u.displayName ?? null);
    const { displayName: _old, ...rest } = u;
    const next: UserDoc = { ...rest, ...(displayName !== null ? { displayName } : {}), roles, department, disabled: change.disabled ?? u.disabled };
    await this.saveUser(next);
    if (next.disabled && !u.disabled) await this.revokeSessions(username);
    else await this.announce();
    return this.view(next);
  }

  /** Renames an account; its sessions end (they name the old account) and its tokens keep working under the new creator name. */
  async renameUser(from: string, to: string): Promise<UserView> {
    const u = this.userOrThrow(from);
    if (!USERNAME.test(to)) throw new CitySocError('INPUT_INVALID', `username '${to}' is not valid: 2-64 characters, letters, digits, . _ -`);
    const next: UserDoc = { ...u, username: to };
    if (this.users.has(to) || !(await this.state.create(USERS, to, asDoc(next)))) throw new CitySocError('CONFLICT', `user ${to} already exists`);
    this.users.set(to, next);
    await this.revokeSessions(from);
    this.users.delete(from);
    await this.state.remove(USERS, from);
    for (const t of [...this.tokens.values()]) if (t.createdBy === from) await this.saveToken({ ...t, createdBy: to });
    await this.announce();
    return this.view(next);
  }

  /** The host operator's or an admin's reset: a new one-time password, a forced change, every session ended, the lock lifted. */
  async resetPassword(username: string): Promise<{ password: string }> {
    const u = this.userOrThrow(username);
    const password = generatePassword();
    await this.saveUser({ ...u, passwordHash: await hashPassword(password), mustChangePassword: true, lockedUntil: 0, loginEpoch: (u.loginEpoch ?? 0) + 1 });
    await this.revokeSessions(username);
    return { password };
  }

  private async failure(reason: LoginFailure): Promise<LoginResult> {
    return { ok: false, reason };
  }

  private async burnScrypt(password: string): Promise<void> {
    this.dummyHash ??= hashPassword(generatePassword());
    await verifyPassword(password, await this.dummyHash);
  }

  /**
   * Claims the first free failure slot of the user's current epoch; null when every slot is
   * taken (the account is at its limit). Claiming before the password is checked is what makes
   * parallel guesses count.
   */
  private async claimSlot(u: UserDoc): Promise<number | null> {
    const epoch = u.loginEpoch ?? 0;
    for (let n = 1; n <= this.opts.maxFailedLogins; n++) {
      if (await this.state.create(FAILURES, `${u.username}#${epoch}#${n}`, { user: u.username, epoch, n, at: this.clock().toISOString() })) return n;
    }
    return null;
  }

  async login(username: string, password: string, sourceIp?: string): Promise<LoginResult> {
    // Read from the store, not memory: a lock set by another replica a moment ago must hold here.
    const stored = (await this.state.get(USERS, username)) as UserDoc | null;
    if (stored) this.users.set(username, stored);
    const user = stored;
    if (!user) {
      await this.burnScrypt(password);
      return this.failure('unknown_user');
    }
    const now = this.clock().getTime();
    if (user.disabled) {
      await this.burnScrypt(password);
      return this.failure('disabled');
    }
    if (user.lockedUntil > now) {
      await this.burnScrypt(password);
      return this.failure('locked');
    }
    let current = user;
    if (user.lockedUntil !== 0) {
      // a lockout that has run out: a fresh epoch of failure slots
      current = { ...user, lockedUntil: 0, loginEpoch: (user.loginEpoch ?? 0) + 1 };
      await this.saveUser(current);
    }
    const slot = await this.claimSlot(current);
    if (slot === null) {
      await this.lock(current, now);
      await this.burnScrypt(password);
      return this.failure('locked');
    }
    if (!(await verifyPassword(password, current.passwordHash))) {
      if (slot >= this.opts.maxFailedLogins) await this.lock(current, now);
      return this.failure(slot >= this.opts.maxFailedLogins ? 'locked' : 'bad_password');
    }
    await this.saveUser({ ...current, lockedUntil: 0, loginEpoch: (current.loginEpoch ?? 0) + 1 });
    const token = 'css_' + randomBytes(32).toString('base64url');
    const session: SessionDoc = {
      tokenHash: sha256(token),
      username,
      createdAt: now,
      expiresAt: now + this.opts.sessionTtlMinutes * 60_000,
      sourceIp: sourceIp ?? null,
    };
    this.sessions.set(session.tokenHash, session);
    await this.state.put(SESSIONS, session.tokenHash, asDoc(session));
    await this.announce();
    return { ok: true, token, expiresAt: new Date(session.expiresAt).toISOString(), actor: this.actorOf(current, sourceIp) };
  }

  private async lock(u: UserDoc, now: number): Promise<void> {
    const latest = ((await this.state.get(USERS, u.username)) as UserDoc | null) ?? u;
    if (latest.lockedUntil > now || (latest.loginEpoch ?? 0) !== (u.loginEpoch ?? 0)) return;
    await this.saveUser({ ...latest, lockedUntil: now + this.opts.lockoutMinutes * 60_000 });
    await this.announce();
  }

  private actorOf(u: UserDoc, sourceIp?: string): Actor {
    return {
      kind: 'user',
      name: u.username,
      roles: [...u.roles],
      ...(u.department ? { department: u.department } : {}),
      ...(u.mustChangePassword ? { mustChangePassword: true } : {}),
      ...(sourceIp ? { sourceIp } : {}),
      person: u.username,
    };
  }

  private tokenActor(t: TokenDoc, sourceIp?: string): Actor | null {
    if (t.revoked) return null;
    if (t.expiresAt && Date.parse(t.expiresAt) <= this.clock().getTime()) return null;
    const creator = this.users.get(t.createdBy);
    // A token acts within its creator's department; a disabled creator's tokens stop with them.
    if (creator?.disabled) return null;
    return {
      kind: 'token',
      name: `token:${t.name}`,
      roles: [...t.roles],
      ...(creator?.department ? { department: creator.department } : {}),
      ...(sourceIp ? { sourceIp } : {}),
      person: t.createdBy,
    };
  }

  /** Resolves a bearer token (session or API token) to who is calling, or null, from what this replica knows. */
  authenticate(token: string, sourceIp?: string): Actor | null {
    const hash = sha256(token);
    if (token.startsWith('css_')) {
      const s = this.sessions.get(hash);
      const u = s ? this.users.get(s.username) : undefined;
      return s && u && s.expiresAt > this.clock().getTime() && !u.disabled ? this.actorOf(u, sourceIp) : null;
    }
    if (token.startsWith('cst_')) {
      const t = this.tokensByHash.get(hash);
      return t ? this.tokenActor(t, sourceIp) : null;
    }
    return null;
  }

  /**
   * As authenticate(), but a token this replica has not heard of yet is looked up in the shared
   * store first: that one document (and its user), so unknown tokens cost one read each, not a reload.
   */
  async authenticateFresh(token: string, sourceIp?: string): Promise<Actor | null> {
    const known = this.authenticate(token, sourceIp);
    if (known) return known;
    const hash = sha256(token);
    if (token.startsWith('css_')) {
      const s = (await this.state.get(SESSIONS, hash)) as SessionDoc | null;
      if (!s) return null;
      const u = this.users.get(s.username) ?? ((await this.state.get(USERS, s.username)) as UserDoc | null);
      if (u) this.users.set(u.username, u);
      this.sessions.set(hash, s);
    } else if (token.startsWith('cst_')) {
      const id = /^cst_([0-9a-f]{12})_/.exec(token)?.[1];
      const t = id ? ((await this.state.get(TOKENS, id)) as TokenDoc | null) : null;
      if (!t || t.tokenHash !== hash) return null;
      this.tokens.set(t.id, t);
      this.tokensByHash.set(t.tokenHash, t);
    }
    return this.authenticate(token, sourceIp);
  }

  /** For a check at the moment of a durable write: the token read from the store itself, not this replica's memory. */
  async stillValid(token: string): Promise<boolean> {
    const hash = sha256(token);
    if (token.startsWith('cst_')) {
      const id = /^cst_([0-9a-f]{12})_/.exec(token)?.[1];
      const t = id ? ((await this.state.get(TOKENS, id)) as TokenDoc | null) : null;
      return !!t && t.tokenHash === hash && this.tokenActor(t) !== null;
    }
    if (token.startsWith('css_')) return (await this.state.get(SESSIONS, hash)) !== null && this.authenticate(token) !== null;
    return false;
  }

  async logout(token: string): Promise<boolean> {
    const hash = sha256(token);
    this.sessions.delete(hash);
    const removed = await this.state.remove(SESSIONS, hash);
    await this.announce();
    return removed;
  }

  /** Ends every session of a user (password change, isolation). */
  async revokeSessions(username: string): Promise<number> {
    // the store, not this replica's memory, knows sessions opened elsewhere a moment ago
    const all = (await this.state.all(SESSIONS)).map((d) => d.doc as unknown as SessionDoc).filter((s) => s.username === username);
    for (const s of all) {
      this.sessions.delete(s.tokenHash);
      await this.state.remove(SESSIONS, s.tokenHash);
    }
    for (const [hash, s] of this.sessions) if (s.username === username) this.sessions.delete(hash);
    await this.announce();
    return all.length;
  }

  /** Revokes the API tokens a user created (isolation): machine access must stop with the person's. */
  async revokeApiTokensCreatedBy(username: string): Promise<number> {
    let n = 0;
    for (const t of this.tokens.values()) {
      if (t.createdBy !== username || t.revoked) continue;
      await this.saveToken({ ...t, revoked: true });
      n++;
    }
    await this.announce();
    return n;
  }

  /** The token whose actor name is `token:<name>`, for isolating a machine account. */
  tokenByActorName(name: string): ApiTokenView | null {
    const t = [...this.tokens.values()].find((x) => `token:${x.name}` === name && !x.revoked);
    return t ? tokenView(t) : null;
  }

  async changePassword(username: string, current: string, next: string): Promise<void> {
    const user = this.users.get(username);
    if (!user || !(await verifyPassword(current, user.passwordHash))) throw new CitySocError('FORBIDDEN', 'the current password is not correct');
    const problem = passwordProblem(next, username);
    if (problem) throw new CitySocError('INPUT_INVALID', `new password ${problem}`);
    if (current === next) throw new CitySocError('INPUT_INVALID', 'new password must differ from the current one');
    await this.saveUser({ ...user, passwordHash: await hashPassword(next), mustChangePassword: false });
    await this.announce();
  }

  async issueApiToken(
    name: string,
    roles: readonly string[],
    createdBy: string,
    expiresInDays?: number,
  ): Promise<{ id: string; token: string; expiresAt: string | null }> {
    if (!TOKEN_NAME.test(name)) throw new CitySocError('INPUT_INVALID', `token name '${name}' is not valid: 1-64 letters, digits, . _ -`);
    const checked = checkRoles(roles);
    const max = this.opts.maxTokenDays;
    if (expiresInDays !== undefined && (!Number.isInteger(expiresInDays) || expiresInDays < 1))
      throw new CitySocError('INPUT_INVALID', 'expiresInDays must be a whole number of days ≥ 1');
    if (max !== undefined && (expiresInDays === undefined || expiresInDays > max))
      throw new CitySocError('INPUT_INVALID', `API tokens must expire within ${max} days (auth.maxTokenDays): give expiresInDays 1..${max}`);
    const id = randomBytes(6).toString('hex');
    const token = `cst_${id}_${randomBytes(32).toString('base64url')}`;
    const expiresAt = expiresInDays !== undefined ? new Date(this.clock().getTime() + expiresInDays * 86_400_000).toISOString() : undefined;
    await this.saveToken({
      id,
      name,
      tokenHash: sha256(token),
      roles: checked,
      createdBy,
      createdAt: this.clock().toISOString(),
      ...(expiresAt ? { expiresAt } : {}),
      revoked: false,
    });
    await this.announce();
    return { id, token, expiresAt: expiresAt ?? null };
  }

  async revokeApiToken(id: string): Promise<boolean> {
    const t = this.tokens.get(id);
    if (!t || t.revoked) return false;
    await this.saveToken({ ...t, revoked: true });
    await this.announce();
    return true;
  }

  listApiTokens(): ApiTokenView[] {
    return [...this.tokens.values()].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0)).map(tokenView);
  }

  /** Removes expired sessions and spent failure slots from the store; run it now and then. */
  async purgeExpiredSessions(): Promise<number> {
    const now = this.clock().getTime();
    let n = 0;
    for (const d of await this.state.all(SESSIONS)) {
      if ((d.doc as unknown as SessionDoc).expiresAt > now) continue;
      await this.state.remove(SESSIONS, d.id);
      n++;
    }
    for (const d of await this.state.all(FAILURES)) {
      const f = d.doc as { user: string; epoch: number };
      const u = this.users.get(f.user);
      if (!u || f.epoch < (u.loginEpoch ?? 0)) await this.state.remove(FAILURES, d.id);
    }
    return n;
  }
}

function tokenView(t: TokenDoc): ApiTokenView {
  return {
    id: t.id,
    name: t.name,
    roles: [...t.roles],
    createdBy: t.createdBy,
    createdAt: t.createdAt,
    expiresAt: t.expiresAt ?? null,
    revoked: t.revoked,
  };
}
