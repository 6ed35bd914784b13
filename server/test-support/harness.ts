import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../core/config';
import { createLogger } from '../../core/logging';
import { moduleSections, type Platform, startPlatform } from '../platform';

export interface GraphqlReply<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string; position?: number } }[];
}

export type GraphqlClient = <T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string) => Promise<GraphqlReply<T>>;

/** GraphQL over HTTP against a running platform, the reply as it came (errors included). */
export function graphqlAt(url: string): GraphqlClient {
  return async (query, variables, token) => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as never;
  };
}

/** A platform the admin can sign in to: in this process (startTestPlatform) or another (startCitySoc). */
export interface SignInTarget {
  readonly adminPassword: string;
  readonly gql: GraphqlClient;
}

export interface Running extends SignInTarget {
  platform: Platform;
  dir: string;
  adminPassword: string;
  gql: GraphqlClient;
  stop(): Promise<void>;
}

/**
 * A real platform on an ephemeral port over a fresh data directory. Playbooks are off unless
 * asked for (`'playbooks.enabled': true`): Node-RED runs once per process, and tests that start
 * several platforms at once would otherwise meet it twice.
 */
export async function startTestPlatform(
  dir = mkdtempSync(path.join(tmpdir(), 'citysoc-platform-')),
  keep = false,
  overrides: Record<string, unknown> = {},
): Promise<Running> {
  const config = loadConfig({
    sections: moduleSections(),
    env: {},
    overrides: { dataDir: dir, 'server.port': 0, 'log.level': 'silent', 'playbooks.enabled': false, ...overrides },
  });
  let announced = '';
  const platform = await startPlatform(config, createLogger('silent'), { announce: (t) => void (announced += t) });
  const adminPassword = /one-time password:\s+(\S+)/.exec(announced)?.[1] ?? '';
  return {
    platform,
    dir,
    adminPassword,
    gql: graphqlAt(platform.url),
    async stop() {
      await platform.close();
      if (!keep) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const STRONG = 'Correct-Horse-42-battery';

/** Signs in as admin, changes the one-time password, and returns a working session token. */
export async function adminSession(r: SignInTarget): Promise<string> {
  const first = await r.gql<{ login: { token: string } }>('mutation($p:String!){login(username:"admin",password:$p){token}}', { p: r.adminPassword });
  await r.gql('mutation($c:String!,$n:String!){changePassword(current:$c,next:$n)}', { c: r.adminPassword, n: STRONG }, first.data!.login.token);
  const second = await r.gql<{ login: { token: string } }>('mutation($p:String!){login(username:"admin",password:$p){token}}', { p: STRONG });
  return second.data!.login.token;
}

/** Issues an API token as admin (e.g. for a collector or a metrics scraper); refused requests throw with the errors. */
export async function issueApiToken(r: SignInTarget, admin: string, name: string, roles: readonly string[]): Promise<string> {
  const res = await r.gql<{ createApiToken: { token: string } }>(
    'mutation($n:String!,$r:[Role!]!){createApiToken(name:$n,roles:$r){token}}',
    { n: name, r: roles },
    admin,
  );
  if (!res.data?.createApiToken) throw new Error(`createApiToken ${name}: ${JSON.stringify(res.errors)}`);
  return res.data.createApiToken.token;
}

/** Creates a user as admin, signs in with the one-time password, sets STRONG, and returns a working session. */
export async function signInAs(r: Running, admin: string, username: string, roles: string, department?: string): Promise<string> {
  const c = await r.gql<{ createUser: { oneTimePassword: string } }>(
    `mutation{createUser(username:"${username}",roles:[${roles}]${department ? `,department:"${department}"` : ''}){oneTimePassword}}`,
    {},
    admin,
  );
  const otp = c.data!.createUser.oneTimePassword;
  const first = await r.gql<{ login: { token: string } }>('mutation($u:String!,$p:String!){login(username:$u,password:$p){token}}', { u: username, p: otp });
  await r.gql('mutation($c:String!,$n:String!){changePassword(current:$c,next:$n)}', { c: otp, n: STRONG }, first.data!.login.token);
  const s = await r.gql<{ login: { token: string } }>('mutation($u:String!,$p:String!){login(username:$u,password:$p){token}}', { u: username, p: STRONG });
  return s.data!.login.token;
}

/**
 * Settings for a platform in the cluster profile on the stack's engines (started by the
 * integration setup), with index and topic names of its own so test runs never meet.
 */
export function clusterOverrides(store: 'elasticsearch' | 'opensearch', tag: string): Record<string, unknown> {
  const run = `${process.pid}-${Date.now().toString(36)}`;
  return {
    profile: 'cluster',
    'cluster.store': store,
    [`cluster.${store}.node`]: store === 'elasticsearch' ? 'http://127.0.0.1:9200' : 'http://127.0.0.1:9210',
    'cluster.kafka.brokers': '127.0.0.1:9092',
    'cluster.indexPrefix': `${tag}-${store.slice(0, 2)}-${run}`,
    'cluster.topicPrefix': `${tag}-${store}-${run}.`,
    'cluster.replicas': 0,
  };
}
