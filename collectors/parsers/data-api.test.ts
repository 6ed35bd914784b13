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
