/**
 * The events every EventStore contract run writes: two departments (城管, 公安), SSH logins,
 * web requests and data-platform reads over two days, with the edge cases the query language
 * must get right (missing fields, arrays, IPv6, Chinese text, case, wildcard characters).
 */
import type { EcsEvent } from '../event';

type Spec = {
  id: string;
  t: string;
  msg?: string;
  host?: string;
  user?: string;
  ip?: string;
  outcome?: 'success' | 'failure';
  action?: string;
  category?: string[];
  dept?: string;
  status?: number;
  bytes?: number;
  extra?: Record<string, unknown>;
};

const SPECS: Spec[] = [
  { id: 'e01', t: '2026-11-01T00:05:00Z', msg: 'Failed password for root from 10.1.1.1 port 4022 ssh2', host: 'web-01', user: 'root', ip: '10.1.1.1', outcome: 'failure', action: 'ssh_login', category: ['authentication'], dept: '城管' },
  { id: 'e02', t: '2026-11-01T00:06:00Z', msg: 'Failed password for root from 10.1.1.1 port 4023 ssh2', host: 'web-01', user: 'root', ip: '10.1.1.1', outcome: 'failure', action: 'ssh_login', category: ['authentication'], dept: '城管' },
  { id: 'e03', t: '2026-11-01T00:07:00Z', msg: 'Failed password for invalid user admin from 10.1.1.2 port 5000 ssh2', host: 'web-02', user: 'admin', ip: '10.1.1.2', outcome: 'failure', action: 'ssh_login', category: ['authentication'], dept: '城管' },
  { id: 'e04', t: '2026-11-01T00:30:00Z', msg: 'Accepted publickey for alice from 10.1.1.1 port 4100 ssh2', host: 'web-01', user: 'alice', ip: '10.1.1.1', outcome: 'success', action: 'ssh_login', category: ['authentication', 'session'], dept: '城管' },
  { id: 'e05', t: '2026-11-01T01:10:00Z', msg: 'GET /api/v1/datasets HTTP/1.1', host: 'gw-01', user: 'bob', ip: '192.168.5.20', outcome: 'success', action: 'http_request', category: ['web'], dept: '公安', status: 200, bytes: 5120 },
  { id: 'e06', t: '2026-11-01T01:11:00Z', msg: 'GET /api/v1/datasets/户籍 HTTP/1.1', host: 'gw-01', user: 'bob', ip: '192.168.5.20', outcome: 'success', action: 'http_request', category: ['web'], dept: '公安', status: 200, bytes: 10240 },
  { id: 'e07', t: '2026-11-01T01:12:00Z', msg: 'POST /login HTTP/1.1', host: 'gw-01', ip: '192.168.5.21', outcome: 'failure', action: 'http_request', category: ['web', 'authentication'], dept: '公安', status: 401, bytes: 120 },
  { id: 'e08', t: '2026-11-01T01:13:00Z', msg: 'GET /admin/../../etc/passwd HTTP/1.1', host: 'gw-02', ip: '203.0.113.9', outcome: 'failure', action: 'http_request', category: ['web'], dept: '公安', status: 404, bytes: 0 },
  { id: 'e09', t: '2026-11-01T01:14:00Z', msg: 'GET /healthz HTTP/1.1', host: 'gw-02', ip: '2001:db8::10', outcome: 'success', action: 'http_request', category: ['web'], dept: '公安', status: 200, bytes: 15 },
  { id: 'e10', t: '2026-11-01T01:15:00Z', msg: 'server error while reading upstream', host: 'gw-02', ip: '2001:db8:0:0:0:0:0:11', outcome: 'failure', action: 'http_request', category: ['web'], dept: '公安', status: 502, bytes: 300 },
  { id: 'e11', t: '2026-11-01T02:00:00Z', msg: 'read /warehouse/公安/户籍/part-0001', host: 'nn-01', user: 'carol', ip: '10.2.0.5', outcome: 'success', action: 'hdfs_open', category: ['file'], dept: '公安', extra: { citysoc: { data: { dataset: '户籍', classification: '涉密', action: 'read', records: 120000, owner_department: '公安' } } } },
  { id: 'e12', t: '2026-11-01T02:01:00Z', msg: 'read /warehouse/城管/违章/part-0002', host: 'nn-01', user: 'dave', ip: '10.2.0.6', outcome: 'success', action: 'hdfs_open', category: ['file'], dept: '城管', extra: { citysoc: { data: { dataset: '违章', classification: '内部', action: 'read', records: 3000, owner_department: '城管' } } } },
  { id: 'e13', t: '2026-11-01T02:02:00Z', msg: 'delete /warehouse/城管/违章/tmp', host: 'nn-01', user: 'dave', ip: '10.2.0.6', outcome: 'success', action: 'hdfs_delete', category: ['file'], dept: '城管', extra: { citysoc: { data: { dataset: '违章', classification: '内部', action: 'delete', records: 0, owner_department: '城管' } } } },
  { id: 'e14', t: '2026-11-01T02:03:00Z', msg: 'export 户籍 to csv', host: 'share-01', user: 'erin', ip: '10.3.0.7', outcome: 'success', action: 'api_export', category: ['database'], dept: '公安', extra: { citysoc: { data: { dataset: '户籍', classification: '敏感', action: 'export', records: 500000, owner_department: '公安' } } } },
  { id: 'e15', t: '2026-11-01T03:00:00Z', msg: 'Disk Full on /var', host: 'db-01', outcome: 'failure', category: ['host'], extra: { log: { level: 'ERROR' } } },
  { id: 'e16', t: '2026-11-01T03:30:00Z', msg: 'disk full warning cleared', host: 'db-01', category: ['host'], extra: { log: { level: 'warn' } } },
  { id: 'e17', t: '2026-11-01T04:00:00Z', msg: 'user_login ok', host: 'app-*-1', user: 'Alice', ip: '10.1.1.3', outcome: 'success', action: 'app_login', category: ['authentication'], dept: '城管', extra: { labels: { env: 'prod' } } },
  { id: 'e18', t: '2026-11-01T04:01:00Z', msg: 'user login ok', host: 'app-db-1', user: 'alice', ip: '10.1.1.3', outcome: 'success', action: 'app_login', category: ['authentication'], dept: '城管', extra: { labels: { env: 'test' } } },
  { id: 'e19', t: '2026-11-01T05:00:00Z', msg: 'privilege granted to frank on 户籍', host: 'ranger-01', user: 'root', action: 'grant', category: ['iam'], dept: '公安', extra: { citysoc: { data: { dataset: '户籍', action: 'grant', classification: '涉密' } }, 'user.target.name': 'frank' } },
  { id: 'e20', t: '2026-11-02T09:00:00Z', msg: 'Failed password for root from 10.1.1.1 port 4200 ssh2', host: 'web-01', user: 'root', ip: '10.1.1.1', outcome: 'failure', action: 'ssh_login', category: ['authentication'], dept: '城管' },
  { id: 'e21', t: '2026-11-02T09:00:00Z', msg: 'Failed password for guest from 10.9.9.9 port 4201 ssh2', host: 'web-03', user: 'guest', ip: '10.9.9.9', outcome: 'failure', action: 'ssh_login', category: ['authentication'], dept: '城管' },
  { id: 'e22', t: '2026-11-02T10:30:00Z', msg: 'GET /api/v1/datasets?page=2 HTTP/1.1', host: 'gw-01', user: 'bob', ip: '192.168.5.20', outcome: 'success', action: 'http_request', category: ['web'], dept: '公安', status: 200, bytes: 2048 },
  { id: 'e23', t: '2026-11-02T11:00:00Z', msg: 'session opened for user root by (uid=0)', host: 'web-01', user: 'root', category: ['session'], dept: '城管' },
  { id: 'e24', t: '2026-11-02T12:00:00Z', msg: 'raw line that no parser understood', extra: { citysoc: { dead_letter: true, source: 'unknown' } } },
];

export function fixtureEvents(): EcsEvent[] {
  return SPECS.map((s) => {
    const doc: Record<string, unknown> = {
      '@timestamp': s.t,
      message: s.msg,
      event: { id: s.id, kind: 'event', ...(s.category ? { category: s.category } : {}), ...(s.outcome ? { outcome: s.outcome } : {}), ...(s.action ? { action: s.action } : {}), original: s.msg },
      ...(s.host ? { host: { name: s.host } } : {}),
      ...(s.user ? { user: { name: s.user } } : {}),
      ...(s.ip ? { source: { ip: s.ip } } : {}),
      ...(s.dept ? { organization: { name: s.dept, id: s.dept === '城管' ? 'cg' : 'ga' } } : {}),
      ...(s.status !== undefined ? { http: { response: { status_code: s.status, body: { bytes: s.bytes } } } } : {}),
    };
    for (const [k, v] of Object.entries(s.extra ?? {})) {
      if (typeof v === 'object' && v !== null && typeof doc[k] === 'object' && doc[k] !== null) Object.assign(doc[k] as object, v);
      else doc[k] = v;
    }
    return doc as EcsEvent;
  });
}

export const FIXTURE_IDS = SPECS.map((s) => s.id);
