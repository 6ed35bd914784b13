/**
 * Access log of the city's data-sharing API gateway: one JSON record per call, saying who
 * (user, department, app) took which dataset, how many records and bytes, and whether it was
 * allowed. This is the record auditors trace "who accessed which data" through.
 */
import { z } from 'zod';
import { describeIssues } from '../../core/event';
import { Classification, DataAction } from '../../core/event';
import type { LogSource, ParseContext, RawInput } from './source';
import { endpoint, fail, ok } from './event-doc';
import { jsonRecord, peekRecord } from './json-input';
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

export const dataApi: LogSource = {
  name: 'data-api',
  description: 'Data-sharing API gateway access log (JSON: user, dataset, records, ...)',
  detect(input: RawInput): boolean {
    const r = peekRecord(input);
    return r !== undefined && 'dataset' in r && 'user' in r && ('records' in r || 'path' in r || 'app' in r);
  },
  parse(input: RawInput, ctx: ParseContext) {
    const j = jsonRecord(input);
    if (!j.ok) return fail(j.error);
    const parsed = DataApiRecord.safeParse(j.record);
    if (!parsed.success) return fail(`invalid data-sharing API record: ${describeIssues(parsed.error)}`);
    const r = parsed.data;
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
