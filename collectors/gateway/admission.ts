/**
 * What every ingest request passes before its body is parsed: a collector token with the
 * collector role, room in the spool (else 429 + Retry-After), and a body within the size limit.
 * Refusals are answered here, in the caller's dialect (CitySOC JSON or Elasticsearch errors).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../core/logging';
import type { IdLedger } from '../pipeline/id-ledger';
import type { Publisher } from '../pipeline/publisher';
import { collectorToken } from './credentials';
import { BodyTooLarge, BodyUnreadable, readBody, sendJson } from './http-io';
import type { IngestMetrics } from './metrics';

export interface GatewayDeps {
  readonly publisher: Publisher;
  /** Repeats and same-id duplicates, decided before the acknowledgement. */
  readonly ledger: IdLedger;
  readonly metrics: IngestMetrics;
  readonly log: Logger;
  /** The collector's name when the token is valid and may ingest; null when unknown; 'forbidden' when it lacks the role. */
  readonly authorize: (token: string) => string | null | 'forbidden';
  readonly maxRequestBytes: number;
  /** Deepest nesting of a JSON record (ingest.maxJsonDepth). */
  readonly maxJsonDepth: number;
  /** Most records one request may carry (ingest.maxItemsPerRequest). */
  readonly maxItemsPerRequest: number;
  readonly spoolMaxBytes: number;
  readonly backlogBytes: () => number;
}

export const ES_HEADERS = { 'x-elastic-product': 'Elasticsearch' };
const RETRY_AFTER_SECONDS = 5;

export type Style = 'citysoc' | 'es';

export interface Admitted {
  readonly collector: string;
  /** Checked again at the durable write (batch.ts). */
  readonly token: string;
  readonly body: string;
}

export function refuse(res: ServerResponse, style: Style, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  if (style === 'es') {
    const type =
      { 401: 'security_exception', 403: 'security_exception', 413: 'content_too_long_exception', 429: 'es_rejected_execution_exception' }[status] ??
      'illegal_argument_exception';
    sendJson(res, status, { error: { root_cause: [{ type, reason: message }], type, reason: message }, status }, { ...ES_HEADERS, ...headers });
  } else sendJson(res, status, { error: code, message }, headers);
}

/**
 * Refuses a request that carries more records than one may (`count` may stop at the first past the
 * limit); true when it did. Nothing of such a request is processed or stored: the collector splits it.
 */
export function refusedTooMany(deps: GatewayDeps, res: ServerResponse, style: Style, count: number, unit: string): boolean {
  if (count <= deps.maxItemsPerRequest) return false;
  deps.metrics.refused('too_large');
  refuse(
    res,
    style,
    413,
    'TOO_MANY_ITEMS',
    `request carries more than ${deps.maxItemsPerRequest} ${unit} (ingest.maxItemsPerRequest); send at most ${deps.maxItemsPerRequest} per request`,
  );
  return true;
}

/** Returns admit(): the admitted collector and body, or undefined when the request was already answered. */
export function createAdmission(deps: GatewayDeps) {
  // The backlog is a SUM over the spool; re-reading it for every request would cost more than the request.
  let backlog = { at: 0, bytes: 0 };
  const overLimit = () => {
    const now = Date.now();
    if (now - backlog.at > 250) backlog = { at: now, bytes: deps.backlogBytes() };
    return backlog.bytes > deps.spoolMaxBytes;
  };

  /** Authenticates, applies backpressure, reads the body; answers the request itself when any of that fails. */
  async function admit(req: IncomingMessage, res: ServerResponse, style: Style): Promise<Admitted | undefined> {
    const token = collectorToken(req);
    const who = token ? deps.authorize(token) : null;
    if (who === null) {
      deps.metrics.refused('unauthenticated');
      refuse(
        res,
        style,
        401,
        'UNAUTHENTICATED',
        'send the collector token as Authorization: Bearer <token>, ApiKey base64(id:token) or Basic with the token as password',
        { 'www-authenticate': 'Bearer, ApiKey, Basic realm="citysoc"' },
      );
      return undefined;
    }
    if (who === 'forbidden') {
      deps.metrics.refused('forbidden');
      refuse(res, style, 403, 'FORBIDDEN', 'this token may not ingest events (role collector needed)');
      return undefined;
    }
    if (overLimit()) {
      deps.metrics.refused('backpressure');
      req.resume();
      refuse(
        res,
        style,
        429,
        'BACKPRESSURE',
        `the ingest spool holds more than ${deps.spoolMaxBytes} bytes not yet indexed; retry after ${RETRY_AFTER_SECONDS} s`,
        { 'retry-after': String(RETRY_AFTER_SECONDS) },
      );
      return undefined;
    }
    try {
      return { collector: who, token: token!, body: (await readBody(req, deps.maxRequestBytes)).toString('utf8') };
    } catch (e) {
      if (e instanceof BodyTooLarge) {
        deps.metrics.refused('too_large');
        refuse(res, style, 413, 'TOO_LARGE', `request body exceeds ${deps.maxRequestBytes} bytes (ingest.maxRequestBytes); send smaller batches`);
        return undefined;
      }
      if (e instanceof BodyUnreadable) {
        deps.metrics.refused('bad_request');
        refuse(res, style, 400, 'INPUT_INVALID', e.message);
        return undefined;
      }
      throw e;
    }
  }

  return admit;
}

export type Admit = ReturnType<typeof createAdmission>;
