/**
 * Local users, sessions and API tokens. Secrets are stored only as hashes (scrypt for
 * passwords, SHA-256 for high-entropy random tokens); a token is shown once, when issued.
 */
import { createHash, randomBytes } from 'node:crypto';
import { CitySocError } from '../../core/errors';
import { type Db, openDatabase } from '../../core/adapters/sqlite/database';
import { generatePassword, hashPassword, passwordProblem, verifyPassword } from './passwords';
import { ROLES, type Role } from './roles';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS users (
  username TEXT PRIMARY KEY,
  password_hash TEXT NOT NULL,
  roles TEXT NOT NULL,
  department TEXT,
  must_change_password INTEGER NOT NULL DEFAULT 1,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER NOT NULL DEFAULT 0,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
  token_hash TEXT PRIMARY KEY,
  username TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  source_ip TEXT
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions(username);
CREATE TABLE IF NOT EXISTS api_tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  roles TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0
);
`;

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

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/;

export interface IdentityOptions {
  readonly sessionTtlMinutes: number;
  readonly maxFailedLogins: number;
  readonly lockoutMinutes: number;
  readonly clock?: () => Date;
}

export class IdentityStore {
  private readonly db: Db;
  private readonly clock: () => Date;
  /** A hash to compare against when the user does not exist, so timing does not reveal names. */
  private dummyHash: Promise<string> | null = null;

  constructor(
    file: string,
    private readonly opts: IdentityOptions,
  ) {
    this.db = openDatabase(file, { synchronous: 'FULL' });
    this.db.exec(SCHEMA);
    this.clock = opts.clock ?? (() => new Date());
  }

  hasUsers(): boolean {
    return (this.db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n > 0;
  }

  /** First start: the admin with a random one-time password, which the caller shows once. */
  async bootstrapAdmin(): Promise<{ username: string; password: string } | null> {
    if (this.hasUsers()) return null;
    const password = generatePassword();
    await this.createUser('admin', ['admin'], null, password);
    return { username: 'admin', password };
  }

  async createUser(username: string, roles: readonly Role[], department: string | null, oneTimePassword?: string): Promise<{ password: string }> {
    if (!USERNAME.test(username))
      throw new CitySocError('INPUT_INVALID', `username '${username}' is not valid: 2-64 characters, letters, digits, . _ -, starting with a letter or digit`);
    if (roles.length === 0 || roles.some((r) => !ROLES.includes(r))) throw new CitySocError('INPUT_INVALID', `roles must be some of ${ROLES.join(', ')}`);
    if (roles.includes('department_admin') && !department) throw new CitySocError('INPUT_INVALID', 'a department_admin needs a department');
    const password = oneTimePassword ?? generatePassword();
    const hash = await hashPassword(password);
    try {
      this.db
        .prepare('INSERT INTO users (username, password_hash, roles, department, must_change_password, created_at) VALUES (?, ?, ?, ?, 1, ?)')
        .run(username, hash, JSON.stringify(roles), department, this.clock().toISOString());
    } catch (e) {
      if (String(e).includes('UNIQUE')) throw new CitySocError('CONFLICT', `user ${username} already exists`);
      throw e;
    }
    return { password };
  }

  listUsers(): UserView[] {
    const rows = this.db.prepare('SELECT * FROM users ORDER BY username').all() as Record<string, unknown>[];
    return rows.map((r) => ({
      username: r.username as string,
      roles: JSON.parse(r.roles as string) as Role[],
      department: (r.department as string | null) ?? null,
      mustChangePassword: r.must_change_password === 1,
      disabled: r.disabled === 1,
      createdAt: r.created_at as string,
    }));
  }

  async login(username: string, password: string, sourceIp?: string): Promise<LoginResult> {
    const row = this.db.prepare('SELECT * FROM users WHERE username = ?').get(username) as Record<string, unknown> | undefined;
    if (!row) {
      this.dummyHash ??= hashPassword(generatePassword());
      await verifyPassword(password, await this.dummyHash);
      return { ok: false, reason: 'unknown_user' };
    }
    const now = this.clock().getTime();
    if (row.disabled === 1) return { ok: false, reason: 'disabled' };
    if ((row.locked_until as number) > now) return { ok: false, reason: 'locked' };
    if (!(await verifyPassword(password, row.password_hash as string))) {
      const failed = (row.failed_logins as number) + 1;
      const lock = failed >= this.opts.maxFailedLogins ? now + this.opts.lockoutMinutes * 60_000 : 0;
      this.db.prepare('UPDATE users SET failed_logins = ?, locked_until = ? WHERE username = ?').run(lock ? 0 : failed, lock, username);
      return { ok: false, reason: lock ? 'locked' : 'bad_password' };
    }
    this.db.prepare('UPDATE users SET failed_logins = 0, locked_until = 0 WHERE username = ?').run(username);
    const token = 'css_' + randomBytes(32).toString('base64url');
    const expires = now + this.opts.sessionTtlMinutes * 60_000;
    this.db
      .prepare('INSERT INTO sessions (token_hash, username, created_at, expires_at, source_ip) VALUES (?, ?, ?, ?, ?)')
      .run(sha256(token), username, now, expires, sourceIp ?? null);
    return { ok: true, token, expiresAt: new Date(expires).toISOString(), principal: this.principalOf(row) };
  }

  private principalOf(row: Record<string, unknown>): Principal {
    return {
      kind: 'user',
      name: row.username as string,
      roles: JSON.parse(row.roles as string) as Role[],
      ...(row.department ? { department: row.department as string } : {}),
      mustChangePassword: row.must_change_password === 1,
    };
  }

  /** Resolves a bearer token (session or API token) to who is calling, or null. */
  authenticate(token: string): Principal | null {
    const hash = sha256(token);
    if (token.startsWith('css_')) {
      const row = this.db
        .prepare('SELECT u.* FROM sessions s JOIN users u ON u.username = s.username WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled = 0')
        .get(hash, this.clock().getTime()) as Record<string, unknown> | undefined;
      return row ? this.principalOf(row) : null;
    }
    if (token.startsWith('cst_')) {
      const row = this.db.prepare('SELECT * FROM api_tokens WHERE token_hash = ? AND revoked = 0').get(hash) as Record<string, unknown> | undefined;
      return row ? { kind: 'token', name: `token:${row.name as string}`, roles: JSON.parse(row.roles as string) as Role[], mustChangePassword: false } : null;
    }
    return null;
  }

  logout(token: string): boolean {
    return this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(sha256(token)).changes > 0;
  }

  /** Ends every session of a user (password change, isolation). */
  revokeSessions(username: string): number {
    return this.db.prepare('DELETE FROM sessions WHERE username = ?').run(username).changes;
  }

  /** Revokes the API tokens a user created (isolation): machine access must stop with the person's. */
  revokeApiTokensCreatedBy(username: string): number {
    return this.db.prepare('UPDATE api_tokens SET revoked = 1 WHERE created_by = ? AND revoked = 0').run(username).changes;
  }

  async changePassword(username: string, current: string, next: string): Promise<void> {
    const row = this.db.prepare('SELECT password_hash FROM users WHERE username = ?').get(username) as { password_hash: string } | undefined;
    if (!row || !(await verifyPassword(current, row.password_hash))) throw new CitySocError('FORBIDDEN', 'the current password is not correct');
    const problem = passwordProblem(next, username);
    if (problem) throw new CitySocError('INPUT_INVALID', `new password ${problem}`);
    if (current === next) throw new CitySocError('INPUT_INVALID', 'new password must differ from the current one');
    this.db.prepare('UPDATE users SET password_hash = ?, must_change_password = 0 WHERE username = ?').run(await hashPassword(next), username);
  }

  issueApiToken(name: string, roles: readonly Role[], createdBy: string): { id: string; token: string } {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name))
      throw new CitySocError('INPUT_INVALID', `token name '${name}' is not valid: 1-64 letters, digits, . _ -`);
    if (roles.length === 0 || roles.some((r) => !ROLES.includes(r))) throw new CitySocError('INPUT_INVALID', `roles must be some of ${ROLES.join(', ')}`);
    const id = randomBytes(6).toString('hex');
    const token = `cst_${id}_${randomBytes(32).toString('base64url')}`;
    this.db
      .prepare('INSERT INTO api_tokens (id, name, token_hash, roles, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(id, name, sha256(token), JSON.stringify(roles), createdBy, this.clock().toISOString());
    return { id, token };
  }

  revokeApiToken(id: string): boolean {
    return this.db.prepare('UPDATE api_tokens SET revoked = 1 WHERE id = ? AND revoked = 0').run(id).changes > 0;
  }

  listApiTokens(): { id: string; name: string; roles: Role[]; createdBy: string; createdAt: string; revoked: boolean }[] {
    return (this.db.prepare('SELECT * FROM api_tokens ORDER BY created_at').all() as Record<string, unknown>[]).map((r) => ({
      id: r.id as string,
      name: r.name as string,
      roles: JSON.parse(r.roles as string) as Role[],
      createdBy: r.created_by as string,
      createdAt: r.created_at as string,
      revoked: r.revoked === 1,
    }));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
