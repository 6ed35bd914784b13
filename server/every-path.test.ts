/**
 * Every GraphQL root field is a thin adapter over one service action, and every call of every
 * field goes through the door (which authorizes it and writes its audit record). A resolver that
 * reaches a port itself would be found here.
 */
import {
  type GraphQLArgument,
  type GraphQLInputType,
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLScalarType,
  type GraphQLSchema,
} from 'graphql';
import { SERVICE_ADAPTER } from '../core/module';
import { startTestPlatform, type Running } from './test-support/harness';

/** Root fields whose resolver is not a service adapter (viaService). */
export function bypassingFields(resolvers: Readonly<Record<string, Readonly<Record<string, unknown>>>>): string[] {
  const out: string[] = [];
  for (const root of ['Query', 'Mutation', 'Subscription']) {
    for (const [name, r] of Object.entries(resolvers[root] ?? {})) {
      const fn = typeof r === 'function' ? r : (r as { subscribe?: unknown; resolve?: unknown } | undefined)?.subscribe;
      if (!(fn && (fn as unknown as Record<symbol, unknown>)[SERVICE_ADAPTER] === true)) out.push(`${root}.${name}`);
    }
  }
  return out;
}

/** A value the schema accepts for an argument type (required fields filled, optional ones left out). */
function sample(t: GraphQLInputType): unknown {
  if (t instanceof GraphQLNonNull) return sample(t.ofType);
  if (t instanceof GraphQLList) return [sample(t.ofType)];
  if (t instanceof GraphQLEnumType) return t.getValues()[0]!.value;
  if (t instanceof GraphQLInputObjectType)
    return Object.fromEntries(Object.values(t.getFields()).flatMap((f) => (f.type instanceof GraphQLNonNull ? [[f.name, sample(f.type)]] : [])));
  if (t instanceof GraphQLScalarType) return ({ String: 'x', ID: 'x', Int: 1, Float: 1, Boolean: false, JSON: {} } as Record<string, unknown>)[t.name] ?? 'x';
  return null;
}

function typeText(t: GraphQLInputType): string {
  return t.toString();
}

function call(schema: GraphQLSchema, root: 'Query' | 'Mutation', field: string): { query: string; variables: Record<string, unknown> } {
  const type = root === 'Query' ? schema.getQueryType()! : schema.getMutationType()!;
  const f = type.getFields()[field]!;
  const args = f.args.filter((a: GraphQLArgument) => a.type instanceof GraphQLNonNull);
  const vars = args.map((a) => `$${a.name}: ${typeText(a.type)}`).join(', ');
  const pass = args.map((a) => `${a.name}: $${a.name}`).join(', ');
  // __typename is valid on any object; scalars have no selection.
  let named = f.type;
  while ('ofType' in named && named.ofType) named = named.ofType as typeof named;
  const selection = named instanceof GraphQLScalarType || named instanceof GraphQLEnumType ? '' : '{ __typename }';
  const op = root === 'Query' ? 'query' : 'mutation';
  return {
    query: `${op}${vars ? `(${vars})` : ''} { ${field}${pass ? `(${pass})` : ''} ${selection} }`,
    variables: Object.fromEntries(args.map((a) => [a.name, sample(a.type)])),
  };
}

describe('every path goes through a service that authorizes and audits', () => {
  let r: Running;
  beforeAll(async () => {
    r = await startTestPlatform(undefined, false, { 'server.limits.anonymousPerMinute': 100_000, 'server.limits.loginPerMinute': 100_000 });
  });
  afterAll(async () => r.stop());

  it('every GraphQL root field is a service adapter', () => {
    expect(bypassingFields(r.platform.surface.resolvers)).toEqual([]);
    const fields = Object.keys(r.platform.surface.resolvers.Query ?? {}).length + Object.keys(r.platform.surface.resolvers.Mutation ?? {}).length;
    expect(fields).toBeGreaterThan(30);
  });

  it('the check finds a resolver that bypasses the services', () => {
    const resolvers = { ...r.platform.surface.resolvers, Query: { ...r.platform.surface.resolvers.Query, sneaky: async () => 42 } };
    expect(bypassingFields(resolvers)).toEqual(['Query.sneaky']);
  });

  it('every field called without a session reaches the door once, and is refused (or, for sign-in, answered) with a code', async () => {
    const schema = r.platform.schema;
    const door = r.platform.kernel.door;
    for (const root of ['Query', 'Mutation'] as const) {
      const type = root === 'Query' ? schema.getQueryType()! : schema.getMutationType()!;
      for (const field of Object.keys(type.getFields())) {
        const before = [...door.performed.values()].reduce((a, b) => a + b, 0);
        const { query, variables } = call(schema, root, field);
        const res = await r.gql(query, variables);
        const after = [...door.performed.values()].reduce((a, b) => a + b, 0);
        expect({ field, doorCalls: after - before }).toEqual({ field, doorCalls: 1 });
        const code = res.errors?.[0]?.extensions?.code;
        expect({ field, code }).toEqual({ field, code: 'UNAUTHENTICATED' });
      }
    }
  });
});
