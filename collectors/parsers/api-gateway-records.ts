/**
 * Access records of the API gateways the data-sharing platform runs behind, read into the
 * data-api shape (who took which dataset through which route, how many records and bytes):
 * - Kong Gateway's file-log / http-log plugins (Kong 3.x "File Log" plugin, "Log format"):
 *   consumer, route, service, request, response, latencies, client_ip, started_at;
 * - nginx JSON access logs (`log_format ... escape=json`, ngx_http_log_module), keyed by the
 *   nginx variable names: time_iso8601|time_local|msec, remote_addr, remote_user, request|
 *   request_method+request_uri, status, body_bytes_sent, request_time, $http_x_… and $upstream_http_x_… headers.
 * The dataset and record count come from what the data service tells the gateway (response
 * headers X-CitySOC-Dataset / X-Total-Count), else from the route (Kong route name, or a
 * /datasets/<name> path).
 */
import { type Doc, isPlainObject } from '../../core/doc';
import { isoFromAny, isoFromParts, monthNumber, normalizeOffset } from './timestamps';
import type { ParseContext } from './source';

export interface GatewayAccess {
  readonly flavour: 'kong' | 'nginx';
  readonly timestamp?: string;
  readonly user?: { readonly name: string; readonly id?: string };
  readonly dataset?: string;
  readonly route?: string;
  readonly records?: number;
  readonly bytes?: number;
  readonly clientIp?: string;
  readonly method?: string;
  readonly path?: string;
  readonly status?: number;
  readonly requestId?: string;
  readonly app?: string;
  readonly durationMs?: number;
}

const obj = (v: unknown): Doc => (isPlainObject(v) ? v : {});
const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' && v !== '-' ? v : typeof v === 'number' ? String(v) : undefined);
const count = (v: unknown): number | undefined => {
  const s = text(v);
  return s !== undefined && /^\d+$/.test(s) ? Number(s) : undefined;
};
const header = (headers: Doc, name: string): string | undefined => {
  const v = headers[name];
  return text(Array.isArray(v) ? v[0] : v);
};
const datasetInPath = (path: string | undefined): string | undefined => (path ? /\/datasets?\/([^/?#]+)/.exec(path)?.[1] : undefined);

export function isKongRecord(r: Doc): boolean {
  return isPlainObject(r.request) && isPlainObject(r.response) && r.started_at !== undefined && (isPlainObject(r.route) || isPlainObject(r.service));
}

export function isNginxJson(r: Doc): boolean {
  return (
    typeof r.status !== 'undefined' &&
    (typeof r.request === 'string' || typeof r.request_uri === 'string') &&
    (r.remote_addr !== undefined || r.time_local !== undefined || r.time_iso8601 !== undefined)
  );
}

export function fromKong(r: Doc, ctx: ParseContext): GatewayAccess {
  const req = obj(r.request);
  const res = obj(r.response);
  const resHeaders = obj(res.headers);
  const consumer = obj(r.consumer);
  const route = obj(r.route);
  const service = obj(r.service);
  const name = text(consumer.username) ?? text(consumer.custom_id) ?? text(consumer.id) ?? text(obj(r.authenticated_entity).id);
  const path = text(req.uri);
  return {
    flavour: 'kong',
    timestamp: isoFromAny(r.started_at, ctx),
    user: name ? { name, id: text(consumer.id) } : undefined,
    dataset: header(resHeaders, 'x-citysoc-dataset') ?? text(route.name) ?? datasetInPath(path) ?? text(service.name),
    route: text(route.name) ?? text(route.id),
    records: count(header(resHeaders, 'x-total-count') ?? header(resHeaders, 'x-record-count')),
    bytes: count(header(resHeaders, 'content-length')) ?? count(res.size),
    clientIp: text(r.client_ip),
    method: text(req.method),
    path,
    status: count(res.status),
    requestId: header(obj(req.headers), 'x-request-id') ?? header(resHeaders, 'x-kong-request-id'),
    app: text(service.name),
    durationMs: count(obj(r.latencies).request),
  };
}

/** nginx's $time_local: 01/Mar/2024:10:00:00 +0800. */
function timeLocal(v: string | undefined): string | undefined {
  const m = v === undefined ? null : /^(\d{2})\/(\w{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-]\d{4})$/.exec(v);
  const month = m ? monthNumber(m[2]!) : undefined;
  return m && month ? isoFromParts(+m[3]!, month, +m[1]!, +m[4]!, +m[5]!, +m[6]!, undefined, normalizeOffset(m[7]) ?? 'Z') : undefined;
}

export function fromNginxJson(r: Doc, ctx: ParseContext): GatewayAccess {
  const request = text(r.request);
  const req = request ? /^([A-Z]+) (\S+)/.exec(request) : null;
  const path = text(r.request_uri) ?? req?.[2] ?? text(r.uri);
  const seconds = text(r.request_time);
  const name = text(r.remote_user) ?? text(r.http_x_consumer_username) ?? text(r.http_x_citysoc_user);
  return {
    flavour: 'nginx',
    timestamp:
      (text(r.time_iso8601) ? isoFromAny(text(r.time_iso8601), ctx) : undefined) ??
      timeLocal(text(r.time_local)) ??
      (r.msec !== undefined ? isoFromAny(text(r.msec), ctx) : undefined),
    user: name ? { name } : undefined,
    dataset: text(r.dataset) ?? text(r.upstream_http_x_citysoc_dataset) ?? text(r.sent_http_x_citysoc_dataset) ?? datasetInPath(path),
    route: text(r.route) ?? text(r.server_name),
    records: count(r.records) ?? count(r.upstream_http_x_total_count) ?? count(r.sent_http_x_total_count),
    bytes: count(r.body_bytes_sent) ?? count(r.bytes_sent),
    clientIp: text(r.remote_addr),
    method: text(r.request_method) ?? req?.[1],
    path,
    status: count(r.status),
    requestId: text(r.request_id),
    app: text(r.server_name),
    durationMs: seconds !== undefined && /^\d+(\.\d+)?$/.test(seconds) ? Math.round(Number(seconds) * 1000) : undefined,
  };
}
