import { mysqlAudit } from './mysql-audit';
import { CTX } from './test-support/loghub';

const parse = (line: string) => mysqlAudit.parse({ kind: 'line', line }, CTX);

describe('mysql-audit', () => {
  test('a MySQL Enterprise general record is a read of the database by the account, with the statement as message', () => {
    const out = parse(
      '{"timestamp":"2024-03-01 10:00:00","id":1,"class":"general","event":"status","connection_id":11,"account":{"user":"report","host":"10.5.0.3"},"login":{"user":"report","os":"","ip":"10.5.0.3","proxy":""},"general_data":{"command":"Query","sql_command":"select","query":"SELECT * FROM residents","status":0}}',
    );
    expect(out.ok && out.event).toMatchObject({
      '@timestamp': '2024-03-01T10:00:00.000Z',
      message: 'SELECT * FROM residents',
      event: { action: 'select', category: ['database'], type: ['access'], outcome: 'success' },
      user: { name: 'report' },
      source: { ip: '10.5.0.3' },
      citysoc: { data: { platform: 'mysql', action: 'read' } },
    });
  });

  test('a failed MySQL Enterprise connect is a failed authentication', () => {
    const out = parse(
      '{"timestamp":"2024-03-01 10:00:01","id":2,"class":"connection","event":"connect","connection_id":12,"account":{"user":"root","host":"203.0.113.5"},"login":{"user":"root","os":"","ip":"203.0.113.5","proxy":""},"connection_data":{"connection_type":"tcp/ip","status":1045,"db":""}}',
    );
    expect(out.ok && out.event).toMatchObject({
      event: { category: ['authentication', 'database'], type: ['start'], outcome: 'failure' },
      mysql: { audit: { status: 1045 } },
    });
  });

  test('a Percona JSON query record keeps the user without the bracketed host part and the UTC time', () => {
    const out = parse(
      '{"audit_record":{"name":"Query","record":"4_1970-01-01T00:00:00","timestamp":"2024-03-01T13:10:38 UTC","command_class":"drop_table","connection_id":"11","status":0,"sqltext":"DROP TABLE tmp","user":"etl[etl] @ localhost []","host":"localhost","os_user":"","ip":"","db":"city"}}',
    );
    expect(out.ok && out.event).toMatchObject({
      '@timestamp': '2024-03-01T13:10:38.000Z',
      user: { name: 'etl' },
      citysoc: { data: { action: 'delete', resource: 'city' } },
      mysql: { audit: { flavour: 'percona' } },
    });
  });

  test('a JSON object of another shape is rejected with the accepted shapes named', () => {
    const out = parse('{"ts":1,"msg":"x"}');
    expect(!out.ok && out.error).toMatch(/^not a MySQL audit record: expected/);
  });
});
