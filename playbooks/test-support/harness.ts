/**
 * The playbooks capability running for real on loopback: Node-RED embedded through the module's
 * HttpMounts on a node:http server, the GraphQL contribution served by graphql-yoga, the test
 * host (real policy services, SQLite audit trail and alert store through the Door), a spool bus,
 * and sessions as a token → actor table (the platform's identity store is the server's). A few
 * /test routes let a test in another process publish alerts and read the host's state.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createSchema, createYoga } from 'graphql-yoga';
import { SpoolBus } from '../../adapters/embedded/spool-bus';
import type { Actor } from '../../core/actor';
import type { Alert } from '../../core/alert';
import type { RequestContext } from '../../core/module';
import { type PlaybooksConfig, PlaybooksConfigSchema } from '../config';
import { openPlaybooks, type Playbooks } from '../playbooks';
import { openTestHost, type TestHost } from './test-host';

export interface HarnessOptions {
  readonly dir: string;
  readonly config?: Record<string, unknown>;
  /** Users and datasets the enrich call knows. */
  readonly directory?: { users?: Record<string, unknown>[]; datasets?: Record<string, unknown>[] };
  readonly sessions?: Record<string, Actor>;
  readonly quiet?: boolean;
}

export interface Harness {
  readonly url: string;
  readonly dir: string;
  readonly t: TestHost;
  readonly bus: SpoolBus;
  readonly pb: Playbooks;
  readonly sessions: Map<string, Actor>;
  readonly logs: { level: string; msg: string; obj: object }[];
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<{ data?: T; errors?: { message: string }[] }>;
  publish(alert: Alert): Promise<void>;
  stop(): Promise<void>;
}

const BASE_SDL = /* GraphQL */ `
  "Any JSON value."
  scalar JSON
  type Query {
    _empty: Boolean
  }
  type Mutation {
    _empty: Boolean
  }
`;

function bearer(req: IncomingMessage): string | null {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return m ? m[1]! : null;
}

async function body(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
}

function json(res: ServerResponse, status: number, v: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(v));
}

export async function startHarness(o: HarnessOptions): Promise<Harness> {
  const bus = new SpoolBus({ file: path.join(o.dir, 'bus.db'), pollMs: 20 });
  const t = await openTestHost(o.dir, { bus });
  for (const u of o.directory?.users ?? []) t.directory.users.set(String(u.name), u as never);
  for (const d of o.directory?.datasets ?? []) t.directory.datasets.set(String(d.id), d as never);
  const sessions = new Map<string, Actor>(Object.entries(o.sessions ?? {}));
  const logs: Harness['logs'] = [];
  const keep = (level: string) => (obj: object, msg: string) => {
    logs.push({ level, msg, obj });
    if (!o.quiet && (level === 'error' || level === 'warn'))
      process.stderr.write(`[playbooks ${level}] ${msg} ${JSON.stringify(obj, (_k, v: unknown) => (v instanceof Error ? v.stack : v))}\n`);
  };
  const config: PlaybooksConfig = PlaybooksConfigSchema.parse(o.config ?? {});
  const pb = await openPlaybooks({
    config,
    dataDir: o.dir,
    state: t.state,
    bus,
    door: t.door,
    host: t.host,
    authenticate: (token) => sessions.get(token) ?? null,
    log: { error: keep('error'), warn: keep('warn'), info: keep('info'), debug: process.env.CITYSOC_PLAYBOOKS_DEBUG ? keep('warn') : () => undefined },
  });
  const yoga = createYoga<{ req: IncomingMessage; res: ServerResponse }, Pick<RequestContext, 'actor' | 'sourceIp'>>({
    schema: createSchema({ typeDefs: [BASE_SDL, pb.graphql.typeDefs], resolvers: [pb.graphql.resolvers as never] }),
    graphqlEndpoint: '/graphql',
    graphiql: false,
    landingPage: false,
    maskedErrors: false,
    logging: false,
    context: ({ req }) => {
      const token = bearer(req);
      return { actor: token ? (sessions.get(token) ?? null) : null, sourceIp: req.socket.remoteAddress };
    },
  });
  const mounts = [...pb.mounts].sort((a, b) => b.prefix.length - a.prefix.length);

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    void (async () => {
      if (url.pathname === '/graphql') return yoga(req, res, { req, res });
      if (url.pathname === '/test/alerts' && req.method === 'POST') {
        const alert = (await body(req)) as Alert;
        await t.alerts.upsert(alert, 0);
        await bus.publish('citysoc.alerts', [{ key: alert.id, value: alert }]);
        return json(res, 200, { ok: true });
      }
      if (url.pathname === '/test/decide') {
        const user = url.searchParams.get('user') ?? '';
        const now = new Date();
        const d = t.policy.authorizer.decide({ subject: { user, roles: ['analyst'] }, resource: { type: 'events' }, action: 'read', context: { time: now } });
        return json(res, 200, { isolated: t.policy.authorizer.isolation(user, now) !== null, decision: d.decision, reason: d.reason });
      }
      if (url.pathname === '/test/state') {
        const audit = (await t.audit.query({ size: 10_000 })).sort((a, b) => a.seq - b.seq);
        return json(res, 200, { cases: [...t.cases.values()], calls: t.calls, audit });
      }
      const token = bearer(req);
      const who: RequestContext = {
        actor: token ? (sessions.get(token) ?? null) : null,
        token,
        sourceIp: req.socket.remoteAddress,
      };
      const m = mounts.find((x) => url.pathname === x.prefix || url.pathname.startsWith(`${x.prefix}/`));
      if (m && (await m.handle(req, res, url, who)) !== false) return;
      json(res, 404, { error: 'NOT_FOUND', message: `no route ${req.method} ${url.pathname}` });
    })().catch((e: unknown) => {
      if (!res.headersSent) json(res, 500, { error: 'INTERNAL', message: (e as Error).message });
    });
  });
  server.on('upgrade', (req, socket, head) => {
    if (!pb.upgrade(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    dir: o.dir,
    t,
    bus,
    pb,
    sessions,
    logs,
    async gql(query, variables, token) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as never;
    },
    async publish(alert) {
      await t.alerts.upsert(alert, 0);
      await bus.publish('citysoc.alerts', [{ key: alert.id, value: alert }]);
    },
    async stop() {
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
      await pb.stop();
      await bus.close();
      await t.close();
    },
  };
}
