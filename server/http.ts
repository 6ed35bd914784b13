/**
 * The HTTP edge: one node:http handler for health, readiness, metrics, GraphQL and every module's
 * mounts. It resolves the caller once (bearer token → actor), sets the security headers every
 * answer carries, answers CORS only for configured origins, and never lets an error escape as a
 * crash or a stack trace.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Actor } from '../core/actor';
import { type ErrorCode, isCitySocError } from '../core/errors';
import type { Logger } from '../core/logging';
import type { HttpMount, RequestContext } from '../core/module';
import { can } from '../core/roles';

export interface HttpDeps {
  readonly log: Logger;
  readonly isReady: () => boolean;
  readonly health: () => Promise<{ ok: boolean; detail?: string }>;
  /** Resolves a bearer token to the caller (sessions and API tokens), or null. */
  readonly authenticate: (token: string, sourceIp: string | undefined) => Promise<Actor | null>;
  /** The GraphQL handler (graphql-yoga), given the resolved caller. */
  readonly graphql: (req: IncomingMessage, res: ServerResponse, who: RequestContext) => void;
  /** Prometheus text for GET /metrics (callers with metrics:read only). */
  readonly metrics: () => Promise<string>;
  readonly mounts: readonly HttpMount[];
  /** Origins allowed to call from a browser on another site. */
  readonly corsOrigins: readonly string[];
}

/** Headers every answer carries; mounts that serve pages (the console, the playbook editor) set their own CSP. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cross-origin-resource-policy': 'same-origin',
};

/** Largest GraphQL request body (a query and its variables). */
export const MAX_GRAPHQL_BODY = 1024 * 1024;

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/**
 * The HTTP status of an error a route let through: what a client (a collector above all) should
 * do with it — fix the request (4xx), or retry later (503 with Retry-After).
 */
const STATUS_OF: Partial<Record<ErrorCode, number>> = {
  UNAUTHENTICATED: 401,
  PASSWORD_CHANGE_REQUIRED: 403,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  NOT_IMPLEMENTED: 501,
  UNAVAILABLE: 503,
  STORE_FAILURE: 503,
};

export function errorStatus(code: ErrorCode): number {
  return STATUS_OF[code] ?? 400;
}

export function bearer(req: IncomingMessage): string | null {
  const h = req.headers.authorization;
  if (!h || h.length > 4096) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m ? m[1]! : null;
}

export function createHandler(deps: HttpDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const mounts = [...deps.mounts].sort((a, b) => b.prefix.length - a.prefix.length);
  const cors = new Set(deps.corsOrigins.map((o) => new URL(o).origin));

  const route = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const path = url.pathname;
    if (path === '/healthz' && req.method === 'GET') return send(res, 200, { status: 'ok' });
    if (path === '/readyz' && req.method === 'GET') {
      if (!deps.isReady()) return send(res, 503, { status: 'starting' });
      const h = await deps.health();
      return h.ok ? send(res, 200, { status: 'ready' }) : send(res, 503, { status: 'store unavailable', detail: h.detail });
    }
    const token = bearer(req);
    const sourceIp = req.socket.remoteAddress;
    const actor = token ? await deps.authenticate(token, sourceIp) : null;
    const who: RequestContext = { actor, token, sourceIp };
    if (path === '/graphql') {
      // yoga reads the whole body before any limit applies: the size is checked here first.
      if (req.method === 'POST') {
        const length = Number(req.headers['content-length']);
        if (!Number.isFinite(length)) return send(res, 411, { error: 'INPUT_INVALID', message: 'send the GraphQL request with a Content-Length' });
        if (length > MAX_GRAPHQL_BODY) return send(res, 413, { error: 'LIMIT_EXCEEDED', message: `GraphQL requests are limited to ${MAX_GRAPHQL_BODY} bytes` });
      }
      return deps.graphql(req, res, who);
    }
    if (path === '/metrics' && req.method === 'GET') {
      if (!actor)
        return send(
          res,
          401,
          { error: 'UNAUTHENTICATED', message: 'send Authorization: Bearer <token> of a caller with metrics:read (role monitor)' },
          { 'www-authenticate': 'Bearer' },
        );
      if (!can(actor.roles, 'metrics:read') || actor.mustChangePassword)
        return send(res, 403, { error: 'FORBIDDEN', message: 'metrics:read is needed (role monitor or admin)' });
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(await deps.metrics());
      return;
    }
    for (const m of mounts) {
      if (path !== m.prefix && !path.startsWith(m.prefix.endsWith('/') ? m.prefix : `${m.prefix}/`) && m.prefix !== '/') continue;
      const handled = await m.handle(req, res, url, who);
      if (handled !== false) return;
    }
    return send(res, 404, { error: 'NOT_FOUND', message: `no route ${req.method} ${path}` });
  };

  return (req, res) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    const origin = req.headers.origin;
    if (origin && cors.has(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'Origin');
      res.setHeader('access-control-allow-headers', 'authorization, content-type');
      res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
      res.setHeader('access-control-max-age', '600');
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204);
      res.end();
      return;
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return send(res, 400, { error: 'INPUT_INVALID', message: 'the request target is not a valid path' });
    }
    route(req, res, url).catch((e: unknown) => {
      if (isCitySocError(e)) {
        const status = errorStatus(e.code);
        return send(res, status, { error: e.code, message: e.message }, status === 503 ? { 'retry-after': '5' } : {});
      }
      deps.log.error({ err: e, route: `${req.method} ${url.pathname}` }, 'request failed');
      send(res, 500, { error: 'INTERNAL', message: 'internal error; the server log has the details' });
    });
  };
}
