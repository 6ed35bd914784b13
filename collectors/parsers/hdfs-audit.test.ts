import { hdfsAudit } from './hdfs-audit';
import { CTX } from './test-support/loghub';

const parse = (line: string) => hdfsAudit.parse({ kind: 'line', line }, CTX);

describe('hdfs-audit', () => {
  test('a Kerberos open of a file is an allowed read of that path by that user from that address', () => {
    const out = parse(
      '2024-03-01 10:15:02,123 INFO FSNamesystem.audit: allowed=true\tugi=alice@CITY.GOV (auth:KERBEROS)\tip=/10.1.2.3\tcmd=open\tsrc=/data/gongan/hukou/part-0000.parquet\tdst=null\tperm=null\tproto=rpc',
    );
    expect(out).toEqual({
      ok: true,
      event: {
        '@timestamp': '2024-03-01T10:15:02.123Z',
        message:
          'allowed=true\tugi=alice@CITY.GOV (auth:KERBEROS)\tip=/10.1.2.3\tcmd=open\tsrc=/data/gongan/hukou/part-0000.parquet\tdst=null\tperm=null\tproto=rpc',
        event: { kind: 'event', dataset: 'hdfs.audit', module: 'hdfs', action: 'open', category: ['file'], type: ['access', 'allowed'], outcome: 'success' },
        log: { level: 'info' },
        user: { name: 'alice', domain: 'CITY.GOV' },
        source: { ip: '10.1.2.3' },
        file: { path: '/data/gongan/hukou/part-0000.parquet' },
        network: { protocol: 'rpc' },
        hdfs: { audit: { auth: 'KERBEROS' } },
        citysoc: { data: { platform: 'hdfs', resource: '/data/gongan/hukou/part-0000.parquet', action: 'read' } },
      },
    });
  });

  test('the bare space-separated form without a log4j prefix parses and takes the receive time, having no time of its own', () => {
    const out = parse('allowed=true ugi=alice (auth:KERBEROS) ip=/10.1.2.3 cmd=open src=/data/x dst=null perm=null proto=rpc');
    expect(out.ok && out.event).toMatchObject({
      user: { name: 'alice' },
      source: { ip: '10.1.2.3' },
      citysoc: { data: { action: 'read', resource: '/data/x' } },
    });
    expect(out.ok && out.event['@timestamp']).toBe('2024-12-31T23:00:00.000Z');
  });

  test('a denied delete through a proxy user is a failed deletion that names both users', () => {
    const out = parse(
      '2024-03-01 10:16:00,001 INFO FSNamesystem.audit: allowed=false\tugi=bob (auth:PROXY) via hive/hs2.city.gov@CITY.GOV (auth:KERBEROS)\tip=/10.1.2.4\tcmd=delete\tsrc=/warehouse/t1\tdst=null\tperm=null\tproto=rpc',
    );
    expect(out.ok && out.event).toMatchObject({
      event: { type: ['deletion', 'denied'], outcome: 'failure' },
      user: { name: 'bob' },
      hdfs: { audit: { auth: 'PROXY', proxy_user: 'hive/hs2.city.gov' } },
      citysoc: { data: { action: 'delete' } },
    });
  });

  test('a rename keeps the destination and maps to alter', () => {
    const out = parse(
      '2024-03-01 10:17:00,000 INFO FSNamesystem.audit: allowed=true\tugi=etl (auth:SIMPLE)\tip=/10.1.2.5\tcmd=rename\tsrc=/tmp/a\tdst=/data/a\tperm=etl:supergroup:rw-r--r--\tproto=rpc',
    );
    expect(out.ok && out.event).toMatchObject({
      file: { path: '/tmp/a', target_path: '/data/a' },
      citysoc: { data: { action: 'alter' } },
      hdfs: { audit: { perm: 'etl:supergroup:rw-r--r--' } },
    });
  });

  test('a line without cmd= is rejected with the required fields named', () => {
    expect(parse('allowed=true ugi=alice (auth:KERBEROS) ip=/10.1.2.3 src=/data/x')).toEqual({
      ok: false,
      error: 'not an HDFS audit line: allowed=, ugi= and cmd= are required',
    });
  });
});
