/** The HTTP edge: health, readiness, the ingest gateway's routes, the PDP and the GraphQL API, on one node:http server. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createSchema, createYoga } from 'graphql-yoga';
import { isCitySocError } from '../core/errors';
import type { Logger } from '../core/logging';
import type { IdentityStore, Principal } from './auth/identity';
import type { ApiContext } from './graphql/context';
import { createResolvers } from './graphql/resolvers';
import { typeDefs } from './graphql/schema.graphql';
import type { GatewayRoutes } from '../collectors/gateway/routes';
import { BodyTooLarge, readBody, sendJson } from '../collectors/gateway/http-io';
import { handleDecide } from '../policy/http-decide';
import type { PolicyServices } from '../policy/services';
import type { Ports } from './profiles';

export interface HttpDeps {
  readonly ports: Ports;
  readonly identity: IdentityStore;
  readonly log: Logger;
  readonly isReady: () => boolean;
  /** ECS events, Fluent Bit, _bulk, the ES probe and /metrics, served by the ingest gateway. */
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

export function createHandler(deps: HttpDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const yoga = createYoga<{ req: IncomingMessage; res: ServerResponse }, ApiContext>({
    schema: createSchema<ApiContext & { req: IncomingMessage; res: ServerResponse }>({ typeDefs, resolvers: createResolvers() }),
    graphqlEndpoint: '/graphql',
    graphiql: false,
    landingPage: false,
    maskedErrors: true,
    logging: false,
    context: async ({ req }) => {
      const token = bearer(req);
      const principal: Principal | null = token ? await deps.identity.authenticateFresh(token) : null;
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
        case 'POST /authz/v1/decide':
        case 'POST /authz/v1/decide/batch': {
          const token = bearer(req);
          const who = token?.startsWith('cst_') ? await deps.identity.authenticateFresh(token) : null;
          if (!who || !deps.policy)
            return send(res, 401, { error: 'UNAUTHENTICATED', message: 'send Authorization: Bearer <API token>' }, { 'www-authenticate': 'Bearer' });
          const body = await readBody(req, 1024 * 1024).then(
            (b) => b.toString('utf8'),
            (e: unknown) => (e instanceof BodyTooLarge ? null : Promise.reject(e)),
          );
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
