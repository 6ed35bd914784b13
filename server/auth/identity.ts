/**
 * Local users, sessions and API tokens. Secrets are stored only as hashes (scrypt for
 * passwords, SHA-256 for high-entropy random tokens); a token is shown once, when issued.
 *
 * They live in the profile's StateStore (SQLite when embedded, the search cluster when
 * clustered), so a session opened on one replica is valid on every other. Each replica answers
 * from memory and reloads when a change is announced on citysoc.control; a token it has not heard
 * of yet is looked up in the store before it is refused.
 */
import { createHash, randomBytes } from 'node:crypto';
import { CitySocError } from '../../core/errors';
import type { StateStore } from '../../core/ports/state-store';
import type { ControlChannel } from '../../policy/store/bus-watcher';
import { generatePassword, hashPassword, passwordProblem, verifyPassword } from './passwords';
import { ROLES, type Role } from '../../core/roles';

export interface Principal {
  readonly kind: 'user' | 'token';
  readonly name: string;
  readonly roles: readonly Role[];
  readonly department?: string;
  readonly mustChangePassword: boolean;
}

export interface UserView {
  readonly username: string;
  readonly roles: Role[];
  readonly department: string | null;
  readonly mustChangePassword: boolean;
  readonly disabled: boolean;
  readonly createdAt: string;
}

export type LoginResult =
  { ok: true; token: string; expiresAt: string; principal: Principal } | { ok: false; reason: 'unknown_user' | 'bad_password' | 'locked' | 'disabled' };

interface UserDoc {
  readonly username: string;
  readonly passwordHash: string;
  readonly roles: Role[];
  readonly department: string | null;
  readonly mustChangePassword: boolean;
  readonly failedLogins: number;
  readonly lockedUntil: number;
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
  readonly revoked: boolean;
}

const USERS = 'users';
const SESSIONS = 'sessions';
const TOKENS = 'api-tokens';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/;

export interface IdentityOptions {
  readonly sessionTtlMinutes: number;
  readonly maxFailedLogins: number;
  readonly lockoutMinutes: number;
  readonly clock?: () => Date;
  /** Announces changes to other replicas and hears theirs. */
  readonly channel?: ControlChannel;
}

const asDoc = (x: object) => x as unknown as Record<string, unknown>;

export class IdentityStore {
  private readonly clock: () => Date;
  /** A hash to compare against when the user does not exist, so timing does not reveal names. */
  private dummyHash: Promise<string> | null = null;
  private users = new Map<string, UserDoc>();
  private sessions = new Map<string, SessionDoc>();
  private tokens = new Map<string, TokenDoc>();
  private tokensByHash = new Map<string, TokenDoc>();

  private constructor(
    private readonly state: StateStore,
    private readonly opts: IdentityOptions,
  ) {
    this.clock = opts.clock ?? (() => new Date());
    opts.channel?.on(async (m) => {
      if (m.kind === 'identity.changed') await this.reload();
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

  private async announce(): Promise<void> {
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

  async createUser(username: string, roles: readonly Role[], department: string | null, oneTimePassword?: string): Promise<{ password: string }> {
    if (!USERNAME.test(username))
      throw new CitySocError('INPUT_INVALID', `username '${username}' is not valid: 2-64 characters, letters, digits, . _ -, starting with a letter or digit`);
    if (roles.length === 0 || roles.some((r) => !ROLES.includes(r))) throw new CitySocError('INPUT_INVALID', `roles must be some of ${ROLES.join(', ')}`);
    if (roles.includes('department_admin') && !department) throw new CitySocError('INPUT_INVALID', 'a department_admin needs a department');
    const password = oneTimePassword ?? generatePassword();
    const user: UserDoc = {
      username,
      passwordHash: await hashPassword(password),
      roles: [...roles],
      department,
      mustChangePassword: true,
      failedLogins: 0,
      lockedUntil: 0,
      disabled: false,
      createdAt: this.clock().toISOString(),
    };
    if (this.users.has(username) || !(await this.state.create(USERS, username, asDoc(user))))
      throw new CitySocError('CONFLICT', `user ${username} already exists`);
    this.users.set(username, user);
    await this.announce();
    return { password };
  }

  listUsers(): UserView[] {
    return [...this.users.values()]
      .sort((a, b) => (a.username < b.username ? -1 : 1))
      .map((u) => ({
        username: u.username,
        roles: [...u.roles],
        department: u.department,
        mustChangePassword: u.mustChangePassword,
        disabled: u.disabled,
        createdAt: u.createdAt,
      }));
  }

  async login(username: string, password: string, sourceIp?: string): Promise<LoginResult> {
    const user = this.users.get(username);
    if (!user) {
      this.dummyHash ??= hashPassword(generatePassword());
      await verifyPassword(password, await this.dummyHash);
      return { ok: false, reason: 'unknown_user' };
    }
    const now = this.clock().getTime();
    if (user.disabled) return { ok: false, reason: 'disabled' };
    if (user.lockedUntil > now) return { ok: false, reason: 'locked' };
    if (!(await verifyPassword(password, user.passwordHash))) {
      const failed = user.failedLogins + 1;
      const lock = failed >= this.opts.maxFailedLogins ? now + this.opts.lockoutMinutes * 60_000 : 0;
      await this.saveUser({ ...user, failedLogins: lock ? 0 : failed, lockedUntil: lock });
      await this.announce();
      return { ok: false, reason: lock ? 'locked' : 'bad_password' };
    }
    if (user.failedLogins !== 0 || user.lockedUntil !== 0) await this.saveUser({ ...user, failedLogins: 0, lockedUntil: 0 });
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
    return { ok: true, token, expiresAt: new Date(session.expiresAt).toISOString(), principal: this.principalOf(user) };
  }

  private principalOf(u: UserDoc): Principal {
    return {
      kind: 'user',
      name: u.username,
      roles: [...u.roles],
      ...(u.department ? { department: u.department } : {}),
      mustChangePassword: u.mustChangePassword,
    };
  }

  /** Resolves a bearer token (session or API token) to who is calling, or null, from what this replica knows. */
  authenticate(token: string): Principal | null {
    const hash = sha256(token);
    if (token.startsWith('css_')) {
      const s = this.sessions.get(hash);
      const u = s ? this.users.get(s.username) : undefined;
      return s && u && s.expiresAt > this.clock().getTime() && !u.disabled ? this.principalOf(u) : null;
    }
    if (token.startsWith('cst_')) {
      const t = this.tokensByHash.get(hash);
      return t && !t.revoked ? { kind: 'token', name: `token:${t.name}`, roles: [...t.roles], mustChangePassword: false } : null;
    }
    return null;
  }

  /**
   * As authenticate(), but a token this replica has not heard of yet is looked up in the shared
   * store first: that one document (and its user), so unknown tokens cost one read each, not a reload.
   */
  async authenticateFresh(token: string): Promise<Principal | null> {
    const known = this.authenticate(token);
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
    return this.authenticate(token);
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

  async changePassword(username: string, current: string, next: string): Promise<void> {
    const user = this.users.get(username);
    if (!user || !(await verifyPassword(current, user.passwordHash))) throw new CitySocError('FORBIDDEN', 'the current password is not correct');
    const problem = passwordProblem(next, username);
    if (problem) throw new CitySocError('INPUT_INVALID', `new password ${problem}`);
    if (current === next) throw new CitySocError('INPUT_INVALID', 'new password must differ from the current one');
    await this.saveUser({ ...user, passwordHash: await hashPassword(next), mustChangePassword: false });
    await this.announce();
  }

  async issueApiToken(name: string, roles: readonly Role[], createdBy: string): Promise<{ id: string; token: string }> {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name))
      throw new CitySocError('INPUT_INVALID', `token name '${name}' is not valid: 1-64 letters, digits, . _ -`);
    if (roles.length === 0 || roles.some((r) => !ROLES.includes(r))) throw new CitySocError('INPUT_INVALID', `roles must be some of ${ROLES.join(', ')}`);
    const id = randomBytes(6).toString('hex');
    const token = `cst_${id}_${randomBytes(32).toString('base64url')}`;
    await this.saveToken({ id, name, tokenHash: sha256(token), roles: [...roles], createdBy, createdAt: this.clock().toISOString(), revoked: false });
    await this.announce();
    return { id, token };
  }

  async revokeApiToken(id: string): Promise<boolean> {
    const t = this.tokens.get(id);
    if (!t || t.revoked) return false;
    await this.saveToken({ ...t, revoked: true });
    await this.announce();
    return true;
  }

  listApiTokens(): { id: string; name: string; roles: Role[]; createdBy: string; createdAt: string; revoked: boolean }[] {
    return [...this.tokens.values()]
      .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0))
      .map((t) => ({ id: t.id, name: t.name, roles: [...t.roles], createdBy: t.createdBy, createdAt: t.createdAt, revoked: t.revoked }));
  }

  /** Removes expired sessions from the store; run it now and then. */
  async purgeExpiredSessions(): Promise<number> {
    const now = this.clock().getTime();
    let n = 0;
    for (const d of await this.state.all(SESSIONS)) {
      if ((d.doc as unknown as SessionDoc).expiresAt > now) continue;
      await this.state.remove(SESSIONS, d.id);
      n++;
    }
    return n;
  }
}
