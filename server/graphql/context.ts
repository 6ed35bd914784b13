import { GraphQLError } from 'graphql';
import type { AuditInput } from '../../core/audit';
import { CitySocError, isCitySocError } from '../../core/errors';
import type { Logger } from '../../core/logging';
import type { Principal } from '../auth/identity';
import type { IdentityStore } from '../auth/identity';
import { can, type Permission } from '../../core/roles';
import type { PolicyServices } from '../../policy/services';
import type { Ports } from '../profiles';

export interface ApiContext {
  readonly ports: Ports;
  readonly identity: IdentityStore;
  readonly log: Logger;
  readonly principal: Principal | null;
  readonly token: string | null;
  readonly sourceIp: string | undefined;
  readonly policy?: PolicyServices;
  /** The PDP decisions a call made about data, noted for its audit record (set by guarded()). */
  readonly authz?: AuthzNote[];
}

/** What the audit record of an API call keeps of each PDP decision it acted on. */
export interface AuthzNote {
  readonly resource: string;
  readonly reason: string;
  readonly grantId?: string;
  readonly rowFilter?: string;
}

/**
 * Details for the audit record of a call: the decisions it acted on and, at the top, the
 * emergency grant it used, which is how the grant's expiry report finds the accesses made under it.
 */
function authzDetails(notes: readonly AuthzNote[]): Record<string, unknown> {
  if (notes.length === 0) return {};
  const grantId = notes.find((n) => n.grantId)?.grantId;
  return { authz: notes, ...(grantId ? { grantId } : {}) };
}

/** GraphQL errors carry a code and a message; never a stack trace. */
export function toGraphQLError(e: unknown): GraphQLError {
  if (e instanceof GraphQLError) return e;
  if (isCitySocError(e)) return new GraphQLError(e.message, { extensions: { code: e.code, ...pick(e.details, ['position', 'expected', 'found', 'field']) } });
  return new GraphQLError('internal error; the server log has the details', { extensions: { code: 'INTERNAL' }, originalError: e as Error });
}

function pick(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}

export async function audit(ctx: ApiContext, entry: Omit<AuditInput, 'actor' | 'actorType' | 'sourceIp'> & { actor?: string }): Promise<void> {
  await ctx.ports.audit.append({
    actor: entry.actor ?? ctx.principal?.name ?? 'anonymous',
    actorType: ctx.principal ? (ctx.principal.kind === 'token' ? 'token' : 'user') : 'anonymous',
    ...(ctx.sourceIp ? { sourceIp: ctx.sourceIp } : {}),
    ...entry,
  });
}

/**
 * Wraps a resolver: the caller must be signed in, hold the permission, and not owe a password
 * change; the outcome (allowed, denied, failed) goes to the audit trail.
 */
export function guarded<A, R>(
  action: string,
  permission: Permission | null,
  fn: (args: A, ctx: ApiContext) => Promise<R>,
  describe: (args: A) => { resource?: string; details?: Record<string, unknown> } = () => ({}),
) {
  return async (_parent: unknown, args: A, ctx: ApiContext): Promise<R> => {
    const what = describe(args);
    const deny = async (code: string, message: string) => {
      await audit(ctx, { action, decision: 'deny', reason: message, ...what });
      throw new GraphQLError(message, { extensions: { code } });
    };
    if (!ctx.principal) return deny('UNAUTHENTICATED', 'sign in first: send Authorization: Bearer <token>');
    if (ctx.principal.mustChangePassword && action !== 'auth.change_password' && action !== 'auth.me' && action !== 'auth.logout') {
      return deny('PASSWORD_CHANGE_REQUIRED', 'change the one-time password first (mutation changePassword)');
    }
    const isolated = ctx.policy?.isolation.isolation(ctx.principal.name, new Date());
    if (isolated) return deny('FORBIDDEN', `account ${ctx.principal.name} is isolated (${isolated.id})`);
    if (permission && !can(ctx.principal.roles, permission))
      return deny('FORBIDDEN', `${action} needs the permission ${permission}, which roles ${ctx.principal.roles.join(', ')} do not grant`);
    const call: ApiContext = { ...ctx, authz: [] };
    const noted = () => {
      const extra = authzDetails(call.authz!);
      return Object.keys(extra).length ? { details: { ...what.details, ...extra } } : {};
    };
    try {
      const result = await fn(args, call);
      await audit(ctx, { action, decision: 'allow', reason: `role grants ${permission ?? 'signed-in access'}`, ...what, ...noted() });
      return result;
    } catch (e) {
      const err = toGraphQLError(e);
      await audit(ctx, { action, decision: 'failure', reason: err.message, ...what, ...noted() });
      if (err.extensions.code === 'INTERNAL') ctx.log.error({ err: e, action }, 'resolver failed');
      throw err;
    }
  };
}

export function invalid(message: string): CitySocError {
  return new CitySocError('INPUT_INVALID', message);
}
