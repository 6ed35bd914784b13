import { rangerAudit } from './ranger-audit';
import { CTX } from './test-support/loghub';

const parse = (line: string) => rangerAudit.parse({ kind: 'line', line }, CTX);
const hive = {
  repoType: 3,
  repo: 'cm_hive',
  reqUser: 'analyst01',
  evtTime: '2024-03-01 10:20:30.456',
  access: 'SELECT',
  resource: 'gongan/hukou/id_no',
  resType: '@column',
  action: 'select',
  result: 1,
  agent: 'hiveServer2',
  policy: 12,
  enforcer: 'ranger-acl',
  sess: 's-1',
  cliType: 'HIVESERVER2',
  cliIP: '10.4.0.21',
  reqData: 'select id_no from gongan.hukou',
  agentHost: 'hs2.city.gov',
  logType: 'RangerAudit',
  id: 'e1f2-1',
  seq_num: 1,
  event_count: 1,
  event_dur_ms: 0,
  cluster_name: 'city',
};

describe('ranger-audit', () => {
  test('an allowed Hive column SELECT is a read of the table dataset with the policy that allowed it', () => {
    const out = parse(JSON.stringify(hive));
    expect(out.ok && out.event).toMatchObject({
      '@timestamp': '2024-03-01T10:20:30.456Z',
      message: 'select id_no from gongan.hukou',
      event: { dataset: 'ranger.audit', action: 'select', category: ['database'], type: ['access', 'allowed'], outcome: 'success' },
      user: { name: 'analyst01' },
      source: { ip: '10.4.0.21' },
      host: { name: 'hs2.city.gov' },
      rule: { id: '12', ruleset: 'ranger-acl' },
      citysoc: { data: { platform: 'hive', resource: 'gongan/hukou/id_no', dataset: 'gongan.hukou', action: 'read' } },
    });
  });

  test('a denied HDFS write is a failed file write', () => {
    const out = parse(
      JSON.stringify({
        ...hive,
        repoType: 1,
        repo: 'cm_hdfs',
        agent: 'hdfs',
        access: 'write',
        action: 'write',
        resource: '/data/gongan',
        resType: 'path',
        result: 0,
        policy: -1,
        reqData: undefined,
      }),
    );
    expect(out.ok && out.event).toMatchObject({
      event: { category: ['file'], type: ['access', 'denied'], outcome: 'failure' },
      citysoc: { data: { platform: 'hdfs', action: 'write', dataset: '/data/gongan' } },
    });
    expect(out.ok && out.event.rule).toEqual({ ruleset: 'ranger-acl' }); // policy -1: no policy matched
  });

  test('a record without evtTime is rejected with the field named', () => {
    expect(parse(JSON.stringify({ ...hive, evtTime: undefined }))).toEqual({ ok: false, error: 'missing or invalid evtTime undefined' });
  });

  test('truncated JSON is rejected as invalid JSON', () => {
    const out = parse('{"reqUser":"a","access":');
    expect(!out.ok && out.error).toMatch(/^invalid JSON: /);
  });
});
