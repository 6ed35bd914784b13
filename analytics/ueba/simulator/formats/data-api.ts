/**
 * The data-sharing API gateway's access log: one JSON record per call, the shape CitySOC's
 * `data-api` parser documents (collectors/parsers/data-api.ts): who (user, department), which
 * dataset, the action (read or export), records and bytes returned, the calling app and address,
 * HTTP method, path and status, request id; time in ISO 8601 with the city's offset.
 */
import type { ApiCall } from '../activity';
import { CITY_OFFSET, local, pad } from '../activity';

export function apiLine(a: ApiCall): string {
  const p = local(a.t);
  const ts = `${p.y}-${pad(p.mo)}-${pad(p.d)}T${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}.${pad(p.ms, 3)}${CITY_OFFSET}`;
  const verb = a.action === 'export' ? 'export' : 'records';
  return JSON.stringify({
    timestamp: ts,
    user: { name: a.user, id: a.userId, department: a.department },
    dataset: a.dataset.id,
    action: a.action,
    records: a.records,
    bytes: a.bytes,
    classification: a.dataset.classification,
    owner_department: a.dataset.department,
    app: a.app,
    client_ip: a.ip,
    method: a.action === 'export' ? 'POST' : 'GET',
    path: `/v1/datasets/${a.dataset.id}/${verb}${a.action === 'export' ? '?fmt=csv' : `?limit=${a.records}`}`,
    status: a.status,
    request_id: a.requestId,
  });
}
