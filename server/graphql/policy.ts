/**
 * GraphQL over the policy services: decisions, policy changes (with a dry run), emergency access
 * and account isolation. Inputs are validated with the same schemas as the HTTP PDP.
 */
import { GraphQLError } from 'graphql';
import { z } from 'zod';
import { CitySocError } from '../../core/errors';
import { describeIssues } from '../../core/event';
import { DecisionRequestSchema } from '../../policy/decision';
import { decideValue, toRequest } from '../../policy/http-decide';
import type { Actor, PolicyChange } from '../../policy/policy-service';
import type { PolicyServices } from '../../policy/services';
import { type ApiContext, guarded } from './context';

export const policyTypeDefs = /* GraphQL */ `
  type PolicyLine {
    ptype: String!
    values: [String!]!
  }
  type PolicyFlip {
    index: Int!
    before: JSON!
    after: JSON!
  }

  extend type Query {
    "The PDP's answer for a request (subject, resource, action, context), as POST /authz/v1/decide gives it."
    decide(request: JSON!): JSON!
    policies(ptype: String): [PolicyLine!]!
    emergencyGrants: [JSON!]!
    isolations: [JSON!]!
  }

  extend type Mutation {
    "Which of the sample requests would be decided differently after the change; changes nothing."
    previewPolicyChange(change: JSON!, samples: [JSON!]!): [PolicyFlip!]!
    applyPolicyChange(change: JSON!): Boolean!
    requestEmergencyAccess(reason: String!, department: String!, resource: String, actions: String, durationMinutes: Int!): JSON!
    approveEmergencyAccess(id: ID!): JSON!
    isolateAccount(user: String!, reason: String!, until: String): JSON!
    releaseAccount(user: String!, reason: String!): Boolean!
  }
`;

const Line = z.strictObject({ ptype: z.string().regex(/^(p|p2|g|g2)$/, 'p, p2, g or g2'), values: z.array(z.string().max(512)).min(1).max(16) });
const Change = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('add'), line: Line }),
  z.strictObject({ op: z.literal('remove'), line: Line }),
  z.strictObject({ op: z.literal('update'), before: Line, after: Line }),
]);

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new CitySocError('INPUT_INVALID', `${what}: ${describeIssues(r.error)}`);
  return r.data;
}

function services(ctx: ApiContext): PolicyServices {
  if (!ctx.policy) throw new GraphQLError('the policy services are not running', { extensions: { code: 'UNAVAILABLE' } });
  return ctx.policy;
}

function actor(ctx: ApiContext): Actor {
  return { name: ctx.principal!.name, type: ctx.principal!.kind === 'token' ? 'token' : 'user' };
}

export const policyResolvers = {
  Query: {
    decide: guarded('authz.decide', 'policy:read', async (a: { request: unknown }, ctx) => {
      const p = ctx.principal!;
      const r = await decideValue(
        a.request,
        false,
        { name: p.name, kind: p.kind, ...(ctx.sourceIp ? { sourceIp: ctx.sourceIp } : {}) },
        services(ctx).pdp,
        ctx.ports.audit,
      );
      if (r.status === 400) throw new CitySocError('INPUT_INVALID', r.body.message);
      return r.body;
    }),
    policies: guarded('policy.list', 'policy:read', async (a: { ptype?: string }, ctx) => services(ctx).policies.list(a.ptype as never)),
    emergencyGrants: guarded('emergency.list', 'grants:request', async (_a: object, ctx) => services(ctx).grants.list()),
    isolations: guarded('isolation.list', 'accounts:isolate', async (_a: object, ctx) => services(ctx).isolation.list()),
  },
  Mutation: {
    previewPolicyChange: guarded('policy.preview', 'policy:manage', async (a: { change: unknown; samples: unknown[] }, ctx) => {
      const change = parse(Change, a.change, 'change') as PolicyChange;
      if (a.samples.length > 1000) throw new CitySocError('INPUT_INVALID', 'samples: at most 1000');
      const samples = a.samples.map((s, i) => toRequest(parse(DecisionRequestSchema, s, `samples[${i}]`)));
      const svc = services(ctx);
      return svc.policies.dryRun(change, samples, (p, r) => svc.pdp.decideWith(p, r));
    }),
    applyPolicyChange: guarded(
      'policy.change',
      'policy:manage',
      async (a: { change: unknown }, ctx) => {
        await services(ctx).policies.apply(actor(ctx), parse(Change, a.change, 'change') as PolicyChange);
        return true;
      },
      (a) => ({ details: { change: a.change } }),
    ),
    requestEmergencyAccess: guarded(
      'emergency.request',
      'grants:request',
      async (a: { reason: string; department: string; resource?: string; actions?: string; durationMinutes: number }, ctx) =>
        services(ctx).grants.request(actor(ctx), {
          reason: a.reason,
          department: a.department,
          durationMinutes: a.durationMinutes,
          ...(a.resource ? { resource: a.resource } : {}),
          ...(a.actions ? { actions: a.actions } : {}),
        }),
    ),
    approveEmergencyAccess: guarded('emergency.approve', null, async (a: { id: string }, ctx) => {
      const p = ctx.principal!;
      return services(ctx).grants.approve({ ...actor(ctx), roles: p.roles, ...(p.department ? { department: p.department } : {}) }, a.id);
    }),
    isolateAccount: guarded(
      'isolation.isolate',
      'accounts:isolate',
      async (a: { user: string; reason: string; until?: string }, ctx) => {
        const until = a.until ? new Date(a.until) : undefined;
        if (until && Number.isNaN(until.getTime())) throw new CitySocError('INPUT_INVALID', `until '${a.until}' is not an ISO 8601 date`);
        if (a.user === ctx.principal!.name) throw new CitySocError('INPUT_INVALID', 'an account cannot isolate itself');
        return services(ctx).isolation.isolate(actor(ctx), a.user, a.reason, until);
      },
      (a) => ({ resource: `user:${a.user}` }),
    ),
    releaseAccount: guarded(
      'isolation.release',
      'accounts:isolate',
      async (a: { user: string; reason: string }, ctx) => services(ctx).isolation.release(actor(ctx), a.user, a.reason),
      (a) => ({ resource: `user:${a.user}` }),
    ),
  },
};
