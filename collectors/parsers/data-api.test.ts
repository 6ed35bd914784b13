import { dataApi } from './data-api';
import { CTX } from './test-support/loghub';

const parse = (record: object) => dataApi.parse({ kind: 'record', record: record as Record<string, unknown> }, CTX);

describe('data-api (data-sharing API access log)', () => {
  test('an export call is an export of the dataset by the user, with records, bytes and department', () => {
    const out = parse({
      timestamp: '2024-03-01T10:00:00+08:00',
      user: { name: 'chen.li', id: 'u-1001', department: '城管局' },
      dataset: 'gongan.hukou',
      action: 'export',
      records: 52000,
      bytes: 7340032,
      classification: '敏感',
      app: 'grid-portal',
      client_ip: '10.6.0.12',
      method: 'POST',
      path: '/v1/datasets/gongan.hukou/export?fmt=csv',
      status: 200,
      request_id: 'r-77',
    });
    expect(out.ok && out.event).toEqual({
      '@timestamp': '2024-03-01T10:00:00.000+08:00',
      message: 'chen.li export gongan.hukou (52000 records)',
      event: {
        kind: 'event',
        dataset: 'data_api.access',
        module: 'data_api',
        action: 'export',
        category: ['web', 'database'],
        type: ['access'],
        outcome: 'success',
      },
      user: { name: 'chen.li', id: 'u-1001' },
      organization: { name: '城管局' },
      source: { ip: '10.6.0.12' },
      http: { request: { method: 'POST', id: 'r-77' }, response: { status_code: 200 } },
      url: { path: '/v1/datasets/gongan.hukou/export', query: 'fmt=csv' },
      service: { name: 'grid-portal' },
      citysoc: {
        data: {
          platform: 'data-sharing-api',
          dataset: 'gongan.hukou',
          resource: 'gongan.hukou',
          action: 'export',
          records: 52000,
          bytes: 7340032,
          classification: '敏感',
        },
      },
    });
  });

  test('a forbidden call is a denied access with outcome failure', () => {
    const out = parse({ timestamp: 1709258400000, user: 'wang', dataset: 'weijian.patients', records: 0, status: 403 });
    expect(out.ok && out.event).toMatchObject({
      '@timestamp': '2024-03-01T02:00:00.000Z',
      event: { type: ['access', 'denied'], outcome: 'failure' },
      citysoc: { data: { action: 'read', records: 0 } },
    });
  });

  test('a negative record count is rejected with the field and reason', () => {
    const out = parse({ timestamp: '2024-03-01T10:00:00Z', user: 'wang', dataset: 'x', records: -5 });
    expect(out.ok).toBe(false);
    expect(!out.ok && out.error).toMatch(/^invalid data-sharing API record: records: /);
  });
});

/**
 * The gateways in front of the data services, as their documentation shows their records:
 * Kong Gateway 3.x "File Log" plugin, "Log format" (docs.konghq.com/hub/kong-inc/file-log/);
 * nginx 1.24 ngx_http_log_module, `log_format ... escape=json` (nginx.org/en/docs/http/ngx_http_log_module.html).
 */
describe('data-api through the API gateways', () => {
  const kong = {
    service: { host: 'ds-hukou.internal', id: '167290ee-c682-4ebf-bdea-e49a3ac5e260', name: 'gongan-hukou-service', path: '/v1', port: 8080, protocol: 'http' },
    route: {
      id: '78f79740-c410-4fd9-a998-0e2c2ee6e9cd',
      name: 'gongan.hukou',
      paths: ['/datasets/gongan.hukou'],
      protocols: ['http'],
      service: { id: '167290ee' },
    },
    request: {
      querystring: { fmt: 'csv' },
      size: 138,
      uri: '/datasets/gongan.hukou/export?fmt=csv',
      url: 'https://api.city.gov:8443/datasets/gongan.hukou/export?fmt=csv',
      headers: { host: 'api.city.gov', 'user-agent': 'grid-portal/2.1', 'x-request-id': 'r-77' },
      method: 'GET',
    },
    tries: [{ balancer_latency: 0, port: 8080, balancer_start: 1709258400120, ip: '10.2.0.5' }],
    client_ip: '10.6.0.12',
    upstream_uri: '/v1/export?fmt=csv',
    response: {
      headers: { 'content-type': 'text/csv', 'content-length': '7340032', 'x-total-count': '52000', 'x-kong-proxy-latency': '1' },
      status: 200,
      size: 7340411,
    },
    authenticated_entity: { id: 'c1f1f1a0-5b8e-4d2e-9c9e-0a1b2c3d4e5f' },
    consumer: { username: 'chen.li', id: 'c1f1f1a0-5b8e-4d2e-9c9e-0a1b2c3d4e5f', custom_id: 'u-1001' },
    latencies: { request: 812, kong: 2, proxy: 810 },
    started_at: 1709258400118,
  };

  test('a Kong file-log record: consumer, route, dataset, records and bytes', () => {
    expect(parse(kong)).toEqual({
      ok: true,
      event: {
        '@timestamp': '2024-03-01T02:00:00.118Z',
        message: 'chen.li GET /datasets/gongan.hukou/export?fmt=csv 200',
        event: {
          kind: 'event',
          dataset: 'data_api.kong',
          module: 'data_api',
          action: 'read',
          category: ['web', 'database'],
          type: ['access'],
          outcome: 'success',
          duration: 812_000_000,
        },
        user: { name: 'chen.li', id: 'c1f1f1a0-5b8e-4d2e-9c9e-0a1b2c3d4e5f' },
        source: { ip: '10.6.0.12' },
        http: { request: { method: 'GET', id: 'r-77' }, response: { status_code: 200, body: { bytes: 7340032 } } },
        url: { path: '/datasets/gongan.hukou/export', query: 'fmt=csv' },
        service: { name: 'gongan-hukou-service' },
        citysoc: {
          data: {
            platform: 'data-sharing-api',
            dataset: 'gongan.hukou',
            resource: 'gongan.hukou',
            route: 'gongan.hukou',
            action: 'read',
            records: 52000,
            bytes: 7340032,
          },
        },
      },
    });
    expect(dataApi.detect({ kind: 'line', line: JSON.stringify(kong) })).toBe(true);
  });

  test('an nginx JSON access log line: remote user, dataset from the path, bytes, a refused call', () => {
    const line = {
      time_iso8601: '2024-03-01T10:00:00+08:00',
      remote_addr: '10.6.0.13',
      remote_user: 'wang.fang',
      request: 'GET /v1/datasets/chengguan.cases/query?page=3 HTTP/1.1',
      status: '403',
      body_bytes_sent: '153',
      request_time: '0.004',
      http_user_agent: 'curl/8.5.0',
      request_id: '9f1c',
    };
    const out = parse(line);
    expect(out).toMatchObject({
      ok: true,
      event: {
        '@timestamp': '2024-03-01T10:00:00.000+08:00',
        event: { dataset: 'data_api.nginx', type: ['access', 'denied'], outcome: 'failure', duration: 4_000_000 },
        user: { name: 'wang.fang' },
        source: { ip: '10.6.0.13' },
        url: { path: '/v1/datasets/chengguan.cases/query', query: 'page=3' },
        citysoc: { data: { dataset: 'chengguan.cases', bytes: 153, action: 'read' } },
      },
    });
    const local = parse({ ...line, time_iso8601: undefined, time_local: '01/Mar/2024:10:00:00 +0800' });
    expect(local.ok && local.event['@timestamp']).toBe('2024-03-01T10:00:00.000+08:00');
  });
});
