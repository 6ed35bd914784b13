import { detectSource, SOURCES, sourceByName } from './index';
import { loghubSample } from './test-support/loghub';

const LOGHUB: Readonly<Record<string, string>> = {
  OpenSSH: 'openssh',
  Linux: 'linux-syslog',
  HDFS: 'hdfs',
  Hadoop: 'hadoop',
  Spark: 'spark',
  Zookeeper: 'zookeeper',
  OpenStack: 'openstack',
  Apache: 'apache-error',
  Windows: 'windows-cbs',
};

describe('source registry', () => {
  test('every source has a unique name and is found by it', () => {
    expect(new Set(SOURCES.map((s) => s.name)).size).toBe(SOURCES.length);
    for (const s of SOURCES) expect(sourceByName(s.name)).toBe(s);
    expect(sourceByName('nope')).toBeUndefined();
  });

  test.each(Object.entries(LOGHUB))('every line of the loghub %s sample is detected as %s', (sample, name) => {
    const detected = new Map<string, number>();
    for (const line of loghubSample(sample).lines) {
      const n = detectSource({ kind: 'line', line })?.name ?? '(none)';
      detected.set(n, (detected.get(n) ?? 0) + 1);
    }
    expect(Object.fromEntries(detected)).toEqual({ [name]: 2000 });
  });

  test.each([
    ['allowed=true ugi=alice (auth:KERBEROS) ip=/10.1.2.3 cmd=open src=/data/x dst=null perm=null proto=rpc', 'hdfs-audit'],
    [
      '2024-03-01 10:15:02,123 INFO FSNamesystem.audit: allowed=true\tugi=alice (auth:KERBEROS)\tip=/10.1.2.3\tcmd=open\tsrc=/x\tdst=null\tperm=null\tproto=rpc',
      'hdfs-audit',
    ],
    ["type=USER_LOGIN msg=audit(1364481363.243:24287): pid=1 uid=0 msg='op=login res=failed'", 'auditd'],
    ['2024-03-01 10:00:00.123 UTC [4242] a@db LOG:  AUDIT: SESSION,1,1,READ,SELECT,TABLE,t,select 1,<none>', 'pgaudit'],
    ['[2024-03-01 10:00:00,123] INFO Principal = User:alice is Denied Operation = Read from host = 10.2.0.7 on resource = Topic:LITERAL:t', 'kafka-authorizer'],
    ['203.0.113.7 - - [10/Oct/2023:13:55:36 +0800] "GET / HTTP/1.1" 200 1 "-" "curl"', 'http-access'],
    ['{"Event":{"System":{"EventID":4624,"Channel":"Security"},"EventData":{}}}', 'windows-event'],
    ['{"reqUser":"a","repoType":3,"repo":"hive","access":"SELECT","evtTime":"2024-03-01 10:00:00.000","result":1}', 'ranger-audit'],
    ['{"audit_record":{"name":"Query","timestamp":"2024-03-01T13:10:38 UTC"}}', 'mysql-audit'],
    ['{"timestamp":"2024-03-01T10:00:00Z","user":"wang","dataset":"x","records":3}', 'data-api'],
    ['{"msg":"hello"}', 'json'],
  ])('%s is detected as %s', (line, name) => {
    expect(detectSource({ kind: 'line', line })?.name).toBe(name);
  });

  test('a decoded record is detected like its JSON line', () => {
    expect(detectSource({ kind: 'record', record: { Event: { System: { EventID: 1 } } } })?.name).toBe('windows-event');
  });

  test('unrecognisable text is detected as nothing rather than guessed', () => {
    expect(detectSource({ kind: 'line', line: 'hello world' })).toBeUndefined();
  });
});
