/** The HTTP edge: health, readiness, ingest and the GraphQL API, on one node:http server. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createSchema, createYoga } from 'graphql-yoga';
import { isCitySocError } from '../core/errors';
import type { EcsEvent } from '../core/event';
import type { Logger } from '../core/logging';
import type { IdentityStore, Principal } from './auth/identity';
import { can } from './auth/roles';
import type { ApiContext } from './graphql/context';
import { createResolvers } from './graphql/resolvers';
import { typeDefs } from './graphql/schema.graphql';
import type { GatewayRoutes } from '../collectors/gateway/routes';
import { ingestEvents } from './ingest';
import { sendJson } from '../collectors/gateway/http-io';
import { handleDecide } from '../policy/http-decide';
import type { PolicyServices } from '../policy/services';
import type { Ports } from './profiles';

export interface HttpDeps {
  readonly ports: Ports;
  readonly identity: IdentityStore;
  readonly log: Logger;
  readonly maxRequestBytes: number;
  readonly spoolMaxBytes: number;
  readonly isReady: () => boolean;
  /** Detection on each accepted event. */
  readonly onEvent?: (event: EcsEvent) => void;
  /** Fluent Bit, _bulk, the ES probe and /metrics, served by the ingest gateway. */
  readonly gateway?: GatewayRoutes;
  /** The PDP for POST /authz/v1/decide and for GraphQL. */
  readonly policy?: PolicyServices;
}

const send = sendJson;

function bearer(req: IncomingMessage): string | null {
  const h = req.headers.authorization;
  if (!h) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m ? m[1]! : null;
}

class TooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) return reject(new TooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.destroy();
        reject(new TooLarge());
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function createHandler(deps: HttpDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const yoga = createYoga<{ req: IncomingMessage; res: ServerResponse }, ApiContext>({
    schema: createSchema<ApiContext & { req: IncomingMessage; res: ServerResponse }>({ typeDefs, resolvers: createResolvers() }),
    graphqlEndpoint: '/graphql',
    graphiql: false,
    landingPage: false,
    maskedErrors: true,
    logging: false,
    context: ({ req }) => {
      const token = bearer(req);
      const principal: Principal | null = token ? deps.identity.authenticate(token) : null;
      return {
        ports: deps.ports,
        identity: deps.identity,
        log: deps.log,
        principal,
        token,
        sourceIp: req.socket.remoteAddress,
        ...(deps.policy ? { policy: deps.policy } : {}),
      };
    },
  });

  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = `${req.method} ${url.pathname}`;
    if (url.pathname === '/graphql') {
      void yoga(req, res, { req, res });
      return;
    }
    const handled = deps.gateway?.(req, res, url);
    if (handled) {
      handled.catch((e: unknown) => {
        deps.log.error({ err: e, route }, 'ingest request failed');
        if (!res.headersSent) send(res, 500, { error: 'INTERNAL', message: 'the batch was not stored; retry it' });
      });
      return;
    }
    void (async () => {
      switch (route) {
        case 'GET /healthz':
          return send(res, 200, { status: 'ok' });
        case 'GET /readyz': {
          if (!deps.isReady()) return send(res, 503, { status: 'starting' });
          const h = await deps.ports.events.health();
          return h.ok ? send(res, 200, { status: 'ready' }) : send(res, 503, { status: 'store unavailable', detail: h.detail });
        }
        case 'POST /ingest/v1/events': {
          const token = bearer(req);
          const who = token ? deps.identity.authenticate(token) : null;
          if (!who)
            return send(res, 401, { error: 'UNAUTHENTICATED', message: 'send Authorization: Bearer <collector token>' }, { 'www-authenticate': 'Bearer' });
          if (!can(who.roles, 'events:ingest'))
            return send(res, 403, { error: 'FORBIDDEN', message: 'this token may not ingest events (role collector needed)' });
          if (deps.ports.backlogBytes() > deps.spoolMaxBytes)
            return send(res, 429, { error: 'BACKPRESSURE', message: 'the spool is full; retry later' }, { 'retry-after': '5' });
          let body: string;
          try {
            body = await readBody(req, deps.maxRequestBytes);
          } catch (e) {
            if (e instanceof TooLarge) return send(res, 413, { error: 'TOO_LARGE', message: `request body exceeds ${deps.maxRequestBytes} bytes` });
            throw e;
          }
          const result = await ingestEvents(deps.ports.bus, body, who.name, new Date(), deps.onEvent);
          return send(res, result.accepted === 0 && result.errors.length > 0 ? 400 : 200, result);
        }
        case 'POST /authz/v1/decide':
        case 'POST /authz/v1/decide/batch': {
          const token = bearer(req);
          const who = token?.startsWith('cst_') ? deps.identity.authenticate(token) : null;
          if (!who || !deps.policy)
            return send(res, 401, { error: 'UNAUTHENTICATED', message: 'send Authorization: Bearer <API token>' }, { 'www-authenticate': 'Bearer' });
          const body = await readBody(req, 1024 * 1024).catch((e: unknown) => (e instanceof TooLarge ? null : Promise.reject(e)));
          if (body === null) return send(res, 413, { error: 'TOO_LARGE', message: 'request body exceeds 1 MiB' });
          const r = await handleDecide(
            body,
            route.endsWith('/batch'),
            { name: who.name, kind: who.kind, ...(req.socket.remoteAddress ? { sourceIp: req.socket.remoteAddress } : {}) },
            deps.policy.pdp,
            deps.ports.audit,
          );
          return send(res, r.status, r.body);
        }
        default:
          return send(res, 404, { error: 'NOT_FOUND', message: `no route ${route}` });
      }
    })().catch((e: unknown) => {
      deps.log.error({ err: e, route }, 'request failed');
      if (!res.headersSent)
        send(res, isCitySocError(e) ? 400 : 500, { error: isCitySocError(e) ? e.code : 'INTERNAL', message: isCitySocError(e) ? e.message : 'internal error' });
    });
  };
}
