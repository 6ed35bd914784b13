/**
 * The identity application service: sign-in and sign-out, the caller's own account, users, API
 * tokens and the department catalogue. Every action goes through the door (core/door.ts), which
 * authorizes it and writes its one audit record; nothing here appends to the trail itself.
 */
import { z } from 'zod';
import type { Actor } from '../core/actor';
import { defineAction, Refusal } from '../core/door';
import { CitySocError } from '../core/errors';
import { describeIssues } from '../core/event';
import { permissionsOf, ROLES, type Role } from '../core/roles';
import type { Department, DepartmentCatalogue } from './departments';
import { DISPLAY_NAME_MAX } from './display-name';
import type { IdentityStore } from './store';

export interface IdentityDeps {
  readonly store: IdentityStore;
  readonly departments: DepartmentCatalogue;
}

function parse<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const r = schema.safeParse(input);
  if (!r.success) throw new CitySocError('INPUT_INVALID', `${what}: ${describeIssues(r.error)}`);
  return r.data;
}

const RoleList = z.array(z.enum(ROLES)).min(1).max(ROLES.length);
/** The one answer to every failed sign-in: neither text nor timing says whether the account exists. */
export const SIGN_IN_REFUSED = 'wrong user name or password, or the account is locked or disabled';

export interface MeView {
  readonly name: string;
  readonly kind: Actor['kind'];
  readonly roles: readonly Role[];
  readonly permissions: readonly string[];
  readonly department: string | null;
  readonly departmentCode: string | null;
  readonly mustChangePassword: boolean;
}

interface CreateUserInput {
  readonly username: string;
  readonly roles: readonly string[];
  readonly department?: string | null;
  readonly displayName?: string | null;
}
interface UpdateUserInput {
  readonly username: string;
  readonly roles?: readonly string[] | null;
  readonly department?: string | null;
  /** null or blank removes it; absent leaves it. */
  readonly displayName?: string | null;
  readonly disabled?: boolean | null;
}
interface RenameInput {
  readonly username: string;
  readonly to: string;
}
interface TokenInput {
  readonly name: string;
  readonly roles: readonly string[];
  readonly expiresInDays?: number | null;
}

/** The display name as the audit record keeps it: the text when within bounds, its length otherwise (the store refuses it). */
function auditedDisplayName(v: unknown): Record<string, unknown> {
  if (v === undefined) return {};
  if (typeof v === 'string' && v.length > DISPLAY_NAME_MAX * 2) return { displayNameLength: v.length };
  return { displayName: v };
}

export function identityActions(d: IdentityDeps) {
  const { store, departments } = d;
  const dept = (v: string | null | undefined, where: string): string | null =>
    v === null || v === undefined || v === '' ? null : departments.resolve(v, where);
  const meOf = (a: Actor): MeView => ({
    name: a.name,
    kind: a.kind,
    roles: a.roles,
    permissions: permissionsOf(a.roles),
    department: a.department ?? null,
    departmentCode: a.department ? (departments.find(a.department)?.code ?? null) : null,
    mustChangePassword: a.mustChangePassword === true,
  });
  return {
    login: defineAction({
      name: 'auth.login',
      permission: null,
      public: true,
      resource: (i: { username: string; password: string }) => `user:${String(i.username).slice(0, 64)}`,
      run: async (ctx, i: { username: string; password: string }) => {
        if (typeof i.username !== 'string' || typeof i.password !== 'string' || i.username.length > 64 || i.password.length > 256)
          throw new CitySocError('INPUT_INVALID', 'user name (at most 64 characters) and password (at most 256) are required');
        const r = await store.login(i.username, i.password, ctx.sourceIp);
        if (!r.ok) throw new Refusal('UNAUTHENTICATED', SIGN_IN_REFUSED, `sign-in failed: ${r.reason}`);
        ctx.identify(r.actor);
        return { token: r.token, expiresAt: r.expiresAt, mustChangePassword: r.actor.mustChangePassword === true, me: meOf(r.actor) };
      },
    }),
    logout: defineAction({
      name: 'auth.logout',
      permission: null,
      beforePasswordChange: true,
      run: async (ctx, i: { token: string | null }) => (i.token && ctx.actor.kind === 'user' ? store.logout(i.token) : false),
    }),
    me: defineAction({
      name: 'auth.me',
      permission: null,
      beforePasswordChange: true,
      run: async (ctx) => meOf(ctx.actor),
    }),
    changePassword: defineAction({
      name: 'auth.change_password',
      permission: null,
      beforePasswordChange: true,
      resource: () => '',
      run: async (ctx, i: { current: string; next: string }) => {
        if (ctx.actor.kind !== 'user') throw new CitySocError('INPUT_INVALID', 'API tokens and playbooks have no password');
        ctx.setResource(`user:${ctx.actor.name}`);
        await store.changePassword(ctx.actor.name, i.current, i.next);
        await store.revokeSessions(ctx.actor.name);
        return true;
      },
    }),
    listUsers: defineAction({ name: 'users.list', permission: 'users:manage', run: async () => store.listUsers() }),
    createUser: defineAction({
      name: 'users.create',
      permission: 'users:manage',
      resource: (i: CreateUserInput) => `user:${i.username}`,
      details: (i: CreateUserInput) => ({ roles: i.roles, department: i.department ?? null, ...auditedDisplayName(i.displayName) }),
      run: async (_ctx, i: CreateUserInput) => {
        const roles = parse(RoleList, i.roles, 'roles');
        const { password } = await store.createUser(i.username, roles, dept(i.department, 'department'), undefined, { displayName: i.displayName ?? null });
        return { user: store.user(i.username)!, oneTimePassword: password };
      },
    }),
    updateUser: defineAction({
      name: 'users.update',
      permission: 'users:manage',
      resource: (i: UpdateUserInput) => `user:${i.username}`,
      details: (i: UpdateUserInput) => ({ roles: i.roles, department: i.department, disabled: i.disabled, ...auditedDisplayName(i.displayName) }),
      run: async (ctx, i: UpdateUserInput) => {
        if (i.username === ctx.actor.name && i.disabled) throw new CitySocError('INPUT_INVALID', 'an account cannot disable itself');
        return store.updateUser(i.username, {
          ...(i.roles ? { roles: parse(RoleList, i.roles, 'roles') } : {}),
          ...(i.department !== undefined ? { department: dept(i.department, 'department') } : {}),
          ...(i.displayName !== undefined ? { displayName: i.displayName } : {}),
          ...(i.disabled !== undefined && i.disabled !== null ? { disabled: i.disabled } : {}),
        });
      },
    }),
    renameUser: defineAction({
      name: 'users.rename',
      permission: 'users:manage',
      resource: (i: RenameInput) => `user:${i.username}`,
      details: (i: RenameInput) => ({ to: i.to }),
      run: async (_ctx, i: RenameInput) => store.renameUser(i.username, i.to),
    }),
    resetPassword: defineAction({
      name: 'users.reset_password',
      permission: 'users:manage',
      resource: (i: { username: string }) => `user:${i.username}`,
      run: async (_ctx, i: { username: string }) => {
        const { password } = await store.resetPassword(i.username);
        return { user: store.user(i.username)!, oneTimePassword: password };
      },
    }),
    listTokens: defineAction({ name: 'tokens.list', permission: 'tokens:manage', run: async () => store.listApiTokens() }),
    createToken: defineAction({
      name: 'tokens.create',
      permission: 'tokens:manage',
      resource: (i: TokenInput) => `token:${i.name}`,
      details: (i: TokenInput) => ({ roles: i.roles, expiresInDays: i.expiresInDays ?? null }),
      run: async (ctx, i: TokenInput) => {
        const roles = parse(RoleList, i.roles, 'roles');
        const r = await store.issueApiToken(i.name, roles, ctx.actor.person, i.expiresInDays ?? undefined);
        ctx.note({ tokenId: r.id });
        return r;
      },
    }),
    revokeToken: defineAction({
      name: 'tokens.revoke',
      permission: 'tokens:manage',
      resource: (i: { id: string }) => `token:${i.id}`,
      run: async (_ctx, i: { id: string }) => store.revokeApiToken(i.id),
    }),
    listDepartments: defineAction({ name: 'departments.list', permission: null, run: async () => departments.list() }),
    putDepartment: defineAction({
      name: 'departments.put',
      permission: 'users:manage',
      resource: (i: Department) => `department:${i.code}`,
      details: (i: Department) => ({ name: i.name }),
      run: async (_ctx, i: Department) => departments.put(i),
    }),
  };
}

export type IdentityActions = ReturnType<typeof identityActions>;
