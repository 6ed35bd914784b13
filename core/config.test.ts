import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from './config';

const dir = mkdtempSync(path.join(tmpdir(), 'citysoc-config-'));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('configuration', () => {
  it('defaults: embedded profile on 127.0.0.1:8080, 180 days of events, 365 of audit', () => {
    const c = loadConfig({ env: {} });
    expect(c.profile).toBe('embedded');
    expect(c.server).toMatchObject({ host: '127.0.0.1', port: 8080, corsOrigins: [] });
    expect(c.server.graphql).toEqual({ maxDepth: 12, maxAliases: 15, maxTokens: 5000, maxCost: 20_000 });
    expect(c.retention).toMatchObject({ eventsDays: 180, auditDays: 365 });
  });

  it('file < environment < command line', () => {
    const f = file('a.yaml', 'server:\n  port: 9000\nretention:\n  eventsDays: 200\n');
    expect(loadConfig({ file: f, env: {} }).server.port).toBe(9000);
    expect(loadConfig({ file: f, env: { CITYSOC_PORT: '9100' } }).server.port).toBe(9100);
    expect(loadConfig({ file: f, env: { CITYSOC_PORT: '9100' }, overrides: { 'server.port': '9200' } }).server.port).toBe(9200);
    expect(loadConfig({ file: f, env: {} }).retention.eventsDays).toBe(200);
  });

  it('a bad environment value names the key, the value, its origin and what is expected', () => {
    expect(() => loadConfig({ env: { CITYSOC_PORT: 'eighty' } })).toThrow(
      'server.port = "eighty" (from environment variable CITYSOC_PORT): expected a whole number 0..65535 (0 picks a free port)',
    );
  });

  it('a bad file value names the file', () => {
    const f = file('b.yaml', 'profile: cloud\n');
    expect(() => loadConfig({ file: f, env: {} })).toThrow(`profile = "cloud" (from config file ${f}): Invalid option: expected one of "embedded"|"cluster"`);
  });

  it('unknown keys are refused, so typos do not pass silently', () => {
    const f = file('c.yaml', 'server:\n  prot: 1\n');
    expect(() => loadConfig({ file: f, env: {} })).toThrow(/server = .* unknown key\(s\) prot/);
  });

  it('audit retention below 180 days is refused (等保 requires at least six months)', () => {
    expect(() => loadConfig({ env: { CITYSOC_AUDIT_RETENTION_DAYS: '30' } })).toThrow(/retention.auditDays = "30"/);
  });

  it('secrets are never echoed in errors', () => {
    let first = '';
    try {
      loadConfig({ env: { CITYSOC_ES_URL: 'not a url', CITYSOC_ES_PASSWORD: 'hunter2' } });
    } catch (e) {
      first = (e as Error).message;
    }
    expect(first).toContain('cluster.elasticsearch.node = "not a url"');
    expect(first).not.toContain('hunter2');
    const f = file('d.yaml', 'cluster:\n  kafka:\n    brokers: [a]\n    sasl: {mechanism: plain, username: u, password: 5}\n');
    let message = '';
    try {
      loadConfig({ file: f, env: {} });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('cluster.kafka.sasl.password = (hidden)');
    expect(message).not.toContain('password = 5');
  });

  it('an unreadable or malformed file is reported as such', () => {
    expect(() => loadConfig({ file: path.join(dir, 'missing.yaml'), env: {} })).toThrow(/cannot be read/);
    expect(() => loadConfig({ file: file('e.yaml', 'a: [unclosed\n'), env: {} })).toThrow(/is not valid YAML/);
  });

  it('policy: zones by CIDR, the two-person rule, a policy folder; a bad block or count is refused with the key', () => {
    const f = file(
      'p.yaml',
      'policy:\n  approversRequired: 2\n  dir: /etc/citysoc/policies\n  zones:\n    - { cidr: 10.20.0.0/16, zone: 指挥网 }\n    - { cidr: "fd00::/8", zone: 政务外网 }\n',
    );
    expect(loadConfig({ file: f, env: {} }).policy).toEqual({
      approversRequired: 2,
      dir: '/etc/citysoc/policies',
      zones: [
        { cidr: '10.20.0.0/16', zone: '指挥网' },
        { cidr: 'fd00::/8', zone: '政务外网' },
      ],
    });
    expect(loadConfig({ env: {} }).policy).toEqual({ approversRequired: 1 });
    const bad = file('q.yaml', 'policy:\n  zones:\n    - { cidr: 10.20.0.0/33, zone: 指挥网 }\n');
    expect(() => loadConfig({ file: bad, env: {} })).toThrow(
      `policy.zones.0.cidr = "10.20.0.0/33" (from config file ${bad}): expected an IPv4 or IPv6 CIDR block such as 10.20.0.0/16`,
    );
    expect(() => loadConfig({ env: { CITYSOC_APPROVERS_REQUIRED: '3' } })).toThrow(
      'policy.approversRequired = "3" (from environment variable CITYSOC_APPROVERS_REQUIRED): Too big: expected number to be <=2',
    );
  });

  it('the data directory becomes absolute', () => {
    expect(path.isAbsolute(loadConfig({ env: { CITYSOC_DATA_DIR: 'rel/dir' } }).dataDir)).toBe(true);
  });
});
