/**
 * The GraphQL API: the base schema (shared scalars and enums, generated from the one role and
 * permission list) merged with every module's contribution, served by graphql-yoga with the cost
 * of each request bounded before it runs (graphql-armor: depth, aliases, tokens, cost, directives),
 * introspection only for signed-in admins, and errors answered with a stable code and a message.
 */
import { EnvelopArmor } from '@escape.tech/graphql-armor';
import { GraphQLError, NoSchemaIntrospectionCustomRule } from 'graphql';
import { createSchema, createYoga, type Plugin } from 'graphql-yoga';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CitySocError, isCitySocError } from '../../core/errors';
import type { Logger } from '../../core/logging';
import type { GraphQLContribution, RequestContext } from '../../core/module';
import { PERMISSIONS, permissionName, ROLE_DESCRIPTIONS, ROLES } from '../../core/roles';
import { JSONScalar } from './json-scalar';

export interface GraphQLLimits {
  readonly maxDepth: number;
  readonly maxAliases: number;
  readonly maxTokens: number;
  readonly maxCost: number;
}

export function baseTypeDefs(): string {
  return /* GraphQL */ `
  "Any JSON value: ECS events, bucket keys, query DSL."
  scalar JSON

  "The platform's roles; what each may attempt is the Permission list (the PDP decides rows and fields)."
  enum Role {
${ROLES.map((r) => `    "${ROLE_DESCRIPTIONS[r].replace(/"/g, "'")}"\n    ${r}`).join('\n')}
  }

  "What a role allows a caller to attempt, <domain>_<verb>."
  enum Permission {
${PERMISSIONS.map((p) => `    ${permissionName(p)}`).join('\n')}
  }

  type Query
  type Mutation
`;
}

/** All contributions as one schema's type definitions and resolvers. */
export function mergeContributions(contributions: readonly GraphQLContribution[]) {
  const resolvers: Record<string, Record<string, unknown>> = {
    JSON: JSONScalar as unknown as Record<string, unknown>,
  };
  for (const c of contributions) {
    for (const [type, fields] of Object.entries(c.resolvers)) {
      const into = (resolvers[type] ??= {});
      for (const [name, fn] of Object.entries(fields)) {
        if (name in into) throw new CitySocError('INTERNAL', `GraphQL field ${type}.${name} is defined by two modules`);
        into[name] = fn;
      }
    }
  }
  return { typeDefs: [baseTypeDefs(), ...contributions.map((c) => c.typeDefs)], resolvers };
}

const PUBLIC_DETAILS = ['position', 'expected', 'found', 'field', 'limit'];

/** A CitySOC error as GraphQL answers it: the code and the message; never a stack or an internal detail. */
function toGraphQLError(raw: unknown, log: Logger): GraphQLError {
  if (!(raw instanceof GraphQLError)) {
    if (raw instanceof RangeError)
      // A document so deeply nested that walking it overflows the stack: the client's mistake, refused as such.
      return new GraphQLError('the request is nested too deeply', { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    log.error({ err: raw }, 'unexpected error serving GraphQL');
    return new GraphQLError('internal error; the server log has the details', { extensions: { code: 'INTERNAL' } });
  }
  const err = raw;
  const original = err.originalError;
  if (isCitySocError(original)) {
    if (original.code === 'INTERNAL') log.error({ err: original }, 'internal error in a GraphQL field');
    const extensions: Record<string, unknown> = { code: original.code };
    for (const k of PUBLIC_DETAILS) if (original.details[k] !== undefined) extensions[k] = original.details[k];
    return new GraphQLError(original.message, { ...(err.nodes ? { nodes: err.nodes } : {}), ...(err.path ? { path: err.path } : {}), extensions });
  }
  if (!original) {
    // Validation and parse errors (unknown field, armor limits): the client's own mistake, said as is.
    return new GraphQLError(err.message, {
      ...(err.nodes ? { nodes: err.nodes } : {}),
      extensions: { code: err.extensions.code ?? 'GRAPHQL_VALIDATION_FAILED' },
    });
  }
  log.error({ err: original, path: err.path }, 'unexpected error in a GraphQL field');
  return new GraphQLError('internal error; the server log has the details', { ...(err.path ? { path: err.path } : {}), extensions: { code: 'INTERNAL' } });
}

type ServerContext = { req: IncomingMessage; res: ServerResponse; who: RequestContext };

/** Introspection (and GraphiQL's schema view) only for signed-in admins: anonymous callers learn nothing of the schema. */
function introspectionForAdmins(): Plugin<ServerContext> {
  return {
    onValidate({ addValidationRule, context }) {
      const who = (context as Partial<ServerContext>).who;
      if (!who?.actor?.roles.includes('admin') || who.actor.mustChangePassword) addValidationRule(NoSchemaIntrospectionCustomRule);
    },
  };
}

export function createGraphQL(contributions: readonly GraphQLContribution[], limits: GraphQLLimits, log: Logger) {
  const { typeDefs, resolvers } = mergeContributions(contributions);
  const armor = new EnvelopArmor({
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true },
    maxAliases: { n: limits.maxAliases },
    maxTokens: { n: limits.maxTokens },
    maxDirectives: { n: 20 },
    costLimit: { maxCost: limits.maxCost, objectCost: 2, scalarCost: 1, depthCostFactor: 1.5, ignoreIntrospection: true },
    blockFieldSuggestion: { enabled: true },
  });
  const schema = createSchema<ServerContext>({ typeDefs, resolvers });
  const yoga = createYoga<ServerContext, RequestContext>({
    schema: schema as never,
    graphqlEndpoint: '/graphql',
    graphiql: false,
    landingPage: false,
    // CORS is answered once, at the HTTP edge, from the configured allow-list (yoga would reflect any origin).
    cors: false,
    logging: false,
    maskedErrors: { maskError: (error) => toGraphQLError(error, log) },
    plugins: [...armor.protect().plugins, introspectionForAdmins()],
    context: ({ who }) => who,
  });
  return { yoga, schema, typeDefs, resolvers };
}
