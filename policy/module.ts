/**
 * The policy module: the PDP for external systems (POST /authz/v1/decide and /batch), and over
 * GraphQL decisions, policy changes, emergency access, isolation and the audit trail. The policy
 * services themselves are part of the platform's kernel (server/kernel.ts): the door needs the PDP
 * before any module starts.
 */
import type { IncomingMessage } from 'node:http';
import { bind } from '../core/door';
import { CitySocError, isCitySocError } from '../core/errors';
import { defineModule, KERNEL } from '../core/module';
import type { IdentityKernel } from '../identity/module';
import { IDENTITY_KERNEL } from '../identity/module';
import { policyActions } from './actions';
import { auditGraphQL } from './audit-graphql';
import { AUDIT_EXPORT_CONFIG_KEY, AuditExportConfig, auditTrailActions } from './audit-trail';
import { auditSigningKey } from './audit/signing-key';
import { policyGraphQL } from './graphql';
import type { PolicyServices } from './services';

export const POLICY_KERNEL = KERNEL.policy;

const MAX_BODY = 1024 * 1024;

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY) throw new CitySocError('LIMIT_EXCEEDED', `request body exceeds ${MAX_BODY} bytes`, { limit: MAX_BODY });
    chunks.push(c);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (e) {
    throw new CitySocError('INPUT_INVALID', `body is not JSON: ${(e as Error).message}`);
  }
}

const STATUS: Record<string, number> = {
  INPUT_INVALID: 400,
  UNAUTHENTICATED: 401,
  PASSWORD_CHANGE_REQUIRED: 403,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  LIMIT_EXCEEDED: 413,
  RATE_LIMITED: 429,
};

export const policyModule = defineModule({
  name: 'policy',
  dependsOn: [POLICY_KERNEL, IDENTITY_KERNEL],
  config: { key: AUDIT_EXPORT_CONFIG_KEY, schema: AuditExportConfig },
  async start(ctx) {
    const policy = ctx.services.get<PolicyServices>(POLICY_KERNEL);
    const identity = ctx.services.get<IdentityKernel>(IDENTITY_KERNEL);
    const svc = bind(
      ctx.door,
      policyActions({
        policy,
        resolveDepartment: (v, where) => identity.departments.resolve(v, where),
        account: (user) => {
          const u = identity.store.user(user);
          return u ? { roles: u.roles, department: u.department } : null;
        },
      }),
    );
    const audit = bind(ctx.door, auditTrailActions(ctx.ports.audit, { signer: auditSigningKey(ctx.platform), ...ctx.config }));
    const policyGql = policyGraphQL(svc);
    const auditGql = auditGraphQL(audit);
    const auditDays = ctx.platform.retention.auditDays;
    return {
      services: { policy: svc, audit },
      jobs: [
        {
          name: 'audit.retention',
          intervalMs: ctx.platform.retention.intervalMinutes * 60_000,
          async run(now) {
            const { deleted } = await ctx.ports.audit.prune(new Date(now.getTime() - auditDays * 86_400_000));
            await ctx.ports.audit.append({
              actor: 'system',
              actorType: 'system',
              action: 'retention.enforce',
              resource: 'audit',
              decision: 'success',
              reason: `retention: audit ${auditDays} days`,
              details: { deleted },
            });
          },
        },
        {
          name: 'emergency.sweep',
          intervalMs: 60_000,
          async run() {
            await policy.grants.sweep();
          },
        },
      ],
      graphql: {
        typeDefs: `${policyGql.typeDefs}\n${auditGql.typeDefs}`,
        resolvers: { Query: { ...policyGql.resolvers.Query, ...auditGql.resolvers.Query }, Mutation: { ...policyGql.resolvers.Mutation } },
      },
      http: [
        {
          prefix: '/authz/v1/decide',
          async handle(req, res, url, who) {
            if (req.method !== 'POST' || (url.pathname !== '/authz/v1/decide' && url.pathname !== '/authz/v1/decide/batch')) return false;
            const send = (status: number, body: unknown) => {
              res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...(status === 401 ? { 'www-authenticate': 'Bearer' } : {}) });
              res.end(JSON.stringify(body));
            };
            try {
              const body = await readJson(req);
              const r = await svc.decideExternal(who.actor, { body, batch: url.pathname.endsWith('/batch') }, who.sourceIp ? { sourceIp: who.sourceIp } : {});
              send(200, r);
            } catch (e) {
              if (!isCitySocError(e)) throw e;
              send(STATUS[e.code] ?? 500, { error: e.code, message: e.message });
            }
            return true;
          },
        },
      ],
    };
  },
});
