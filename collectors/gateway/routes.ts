/**
 * The gateway's HTTP routes: ECS events (`POST /ingest/v1/events`), Fluent Bit (`POST /ingest/v1/fluent-bit[/<tag>]`), the
 * Elasticsearch-compatible `POST [/<index>]/_bulk` with its probes, and `GET /metrics`.
 * Every batch is acknowledged only after its durable publish.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createAdmission, type GatewayDeps } from './admission';
import { bulkRoute, esLicense, esRoot } from './es-routes';
import { eventsRoute } from './events-route';
import { fluentBitRoute } from './fluent-bit-route';

export type { GatewayDeps } from './admission';

/** A malformed %-escape in a URL is the sender's typo, not a reason to throw in the request handler. */
function decodePart(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function createGatewayRoutes(deps: GatewayDeps) {
  const admit = createAdmission(deps);

  async function metrics(res: ServerResponse): Promise<void> {
    const m = await deps.metrics.text();
    res.writeHead(200, { 'content-type': m.contentType });
    res.end(m.body);
  }

  /** Handles the request when it is a gateway route; false lets the caller route it. */
  return function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> | false {
    const p = url.pathname;
    const m = req.method;
    if (m === 'POST' && (p === '/ingest/v1/fluent-bit' || p.startsWith('/ingest/v1/fluent-bit/'))) {
      const rest = p.slice('/ingest/v1/fluent-bit/'.length);
      return fluentBitRoute(deps, admit, req, res, url, rest ? decodePart(rest) : undefined);
    }
    if (m === 'POST' && p === '/ingest/v1/events') return eventsRoute(deps, admit, req, res);
    if ((m === 'POST' || m === 'PUT') && (p === '/_bulk' || /^\/[^/_][^/]*\/_bulk$/.test(p))) {
      return bulkRoute(deps, admit, req, res, url, p === '/_bulk' ? undefined : decodePart(p.slice(1, -'/_bulk'.length)));
    }
    if ((m === 'GET' || m === 'HEAD') && p === '/') return Promise.resolve(esRoot(req, res));
    if (m === 'GET' && (p === '/_license' || p === '/_xpack/license')) return Promise.resolve(esLicense(res));
    if (m === 'GET' && p === '/metrics') return metrics(res);
    return false;
  };
}

export type GatewayRoutes = ReturnType<typeof createGatewayRoutes>;
