/**
 * Access log of the city's data-sharing API gateway: one JSON record per call, saying who
 * (user, department, app) took which dataset, how many records and bytes, and whether it was
 * allowed. This is the record auditors trace "who accessed which data" through.
 */
import { z } from 'zod';
import { describeIssues } from '../../core/event';
import { Classification, CLASSIFICATIONS, DATA_ACTIONS, DataAction } from '../../core/event';
import { type Doc } from '../../core/doc';
import type { LogSource, ParseContext, RawInput } from './source';
import { endpoint, fail, ok } from './event-doc';
import { jsonRecord, peekRecord } from './json-input';
import { fromKong, fromNginxJson, type GatewayAccess, isKongRecord, isNginxJson } from './api-gateway-records';
import { isoFromAny } from './timestamps';

const Count = z.number().int().nonnegative();
export const DataApiRecord = z.looseObject({
  timestamp: z.union([z.string(), z.number()]),
  user: z.union([z.string().min(1), z.looseObject({ name: z.string().min(1), id: z.string().optional(), department: z.string().optional() })]),
  dataset: z.string().min(1),
  records: Count.optional(),
  bytes: Count.optional(),
  action: DataAction.optional(),
  department: z.string().optional(),
  classification: Classification.optional(),
  app: z.string().optional(),
  client_ip: z.string().optional(),
  method: z.string().optional(),
  path: z.string().optional(),
  status: z.number().int().optional(),
  request_id: z.string().optional(),
  owner_department: z.string().optional(),
});

type DataApiRecord = z.infer<typeof DataApiRecord>;

const ACTIONS = new Set<unknown>(DATA_ACTIONS);
const LEVELS = new Set<unknown>(CLASSIFICATIONS);
const plain = (v: unknown): v is Doc => typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
const optText = (v: unknown) => v === undefined || typeof v === 'string';
const optCount = (v: unknown) => v === undefined || (Number.isSafeInteger(v) && (v as number) >= 0);
// Two units or more: zod measures one-unit texts in code points for min(1); those go to zod.
const name = (v: unknown) => typeof v === 'string' && v.length >= 2;

/**
 * True only when DataApiRecord certainly accepts the record as it is: the parser then reads the
 * record itself (zod's parse would only copy it); anything else goes to zod and its error text.
 */
export function plainlyValid(r: Doc): boolean {
  const t = r.timestamp;
  const u = r.user;
  return (
    (typeof t === 'string' || (typeof t === 'number' && Number.isFinite(t))) &&
    (name(u) || (plain(u) && name(u.name) && optText(u.id) && optText(u.department))) &&
    name(r.dataset) &&
    optCount(r.records) &&
    optCount(r.bytes) &&
    (r.action === undefined || ACTIONS.has(r.action)) &&
    optText(r.department) &&
    (r.classification === undefined || LEVELS.has(r.classification)) &&
    optText(r.app) &&
    optText(r.client_ip) &&
    optText(r.method) &&
    optText(r.path) &&
    (r.status === undefined || Number.isSafeInteger(r.status)) &&
    optText(r.request_id) &&
    optText(r.owner_department)
  );
}

export const dataApi: LogSource = {
  name: 'data-api',
  description: 'Data-sharing API gateway access log (JSON: user, dataset, records, ...)',
  detect(input: RawInput): boolean {
    const r = peekRecord(input);
    return r !== undefined && (('dataset' in r && 'user' in r && ('records' in r || 'path' in r || 'app' in r)) || isKongRecord(r) || isNginxJson(r));
  },
  parse(input: RawInput, ctx: ParseContext) {
    const j = jsonRecord(input);
    if (!j.ok) return fail(j.error);
    if (isKongRecord(j.record)) return gatewayEvent(fromKong(j.record, ctx));
    if (isNginxJson(j.record)) return gatewayEvent(fromNginxJson(j.record, ctx));
    let r: DataApiRecord;
    if (plain(j.record) && plainlyValid(j.record)) r = j.record as DataApiRecord;
    else {
      const parsed = DataApiRecord.safeParse(j.record);
      if (!parsed.success) return fail(`invalid data-sharing API record: ${describeIssues(parsed.error)}`);
      r = parsed.data;
    }
    const ts = isoFromAny(r.timestamp, ctx);
    if (!ts) return fail(`invalid timestamp ${JSON.stringify(r.timestamp)}`);
    const user = typeof r.user === 'string' ? { name: r.user } : r.user;
    const denied = r.status === 401 || r.status === 403;
    const failed = r.status !== undefined && r.status >= 400;
    const q = r.path?.indexOf('?') ?? -1;
    return ok({
      '@timestamp': ts,
      message: `${user.name} ${r.action ?? 'read'} ${r.dataset}${r.records === undefined ? '' : ` (${r.records} records)`}`,
      event: {
        kind: 'event',
        dataset: 'data_api.access',
        module: 'data_api',
        action: r.action ?? 'read',
        category: ['web', 'database'],
        type: denied ? ['access', 'denied'] : ['access'],
        outcome: r.status === undefined ? 'unknown' : failed ? 'failure' : 'success',
      },
      user: { name: user.name, id: user.id },
      organization: { name: r.department ?? user.department },
      source: endpoint(r.client_ip),
      http: { request: { method: r.method, id: r.request_id }, response: { status_code: r.status } },
      url: { path: q >= 0 ? r.path!.slice(0, q) : r.path, query: q >= 0 ? r.path!.slice(q + 1) : undefined },
      service: { name: r.app },
      citysoc: {
        data: {
          platform: 'data-sharing-api',
          dataset: r.dataset,
          resource: r.dataset,
          action: r.action ?? 'read',
          records: r.records,
          bytes: r.bytes,
          classification: r.classification,
          owner_department: r.owner_department,
        },
      },
    });
  },
};

/** A Kong or nginx JSON record, in the same shape as the platform's own access log. */
function gatewayEvent(a: GatewayAccess) {
  if (!a.timestamp) return fail(`the ${a.flavour} record has no readable time (${a.flavour === 'kong' ? 'started_at' : 'time_iso8601, time_local or msec'})`);
  const denied = a.status === 401 || a.status === 403;
  const failed = a.status !== undefined && a.status >= 400;
  const q = a.path?.indexOf('?') ?? -1;
  return ok({
    '@timestamp': a.timestamp,
    message: `${a.user?.name ?? 'anonymous'} ${a.method ?? ''} ${a.path ?? ''} ${a.status ?? ''}`.replace(/\s+/g, ' ').trim(),
    event: {
      kind: 'event',
      dataset: `data_api.${a.flavour}`,
      module: 'data_api',
      action: 'read',
      category: ['web', 'database'],
      type: denied ? ['access', 'denied'] : ['access'],
      outcome: a.status === undefined ? 'unknown' : failed ? 'failure' : 'success',
      duration: a.durationMs === undefined ? undefined : a.durationMs * 1_000_000,
    },
    user: a.user ? { name: a.user.name, id: a.user.id } : undefined,
    source: endpoint(a.clientIp),
    http: { request: { method: a.method, id: a.requestId }, response: { status_code: a.status, body: { bytes: a.bytes } } },
    url: { path: q >= 0 ? a.path!.slice(0, q) : a.path, query: q >= 0 ? a.path!.slice(q + 1) : undefined },
    service: { name: a.app },
    citysoc: {
      data: {
        platform: 'data-sharing-api',
        dataset: a.dataset,
        resource: a.dataset ?? a.path,
        route: a.route,
        action: 'read',
        records: a.records,
        bytes: a.bytes,
      },
    },
  });
}
