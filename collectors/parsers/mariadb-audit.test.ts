/**
 * Samples written from MariaDB's own documentation: "MariaDB Audit Plugin - Log Format"
 * (mariadb.com/kb/en/mariadb-audit-plugin-log-format/, server_audit 1.4 in MariaDB 10.x/11.x):
 * timestamp,serverhost,username,host,connectionid,queryid,operation,database,object,retcode.
 */
import { getField } from '../../core/doc';
import { detectSource } from '.';
import { mariadbAudit } from './mariadb-audit';
import { CTX } from './test-support/loghub';

const parse = (line: string) => mariadbAudit.parse({ kind: 'line', line }, CTX);

describe('MariaDB server_audit', () => {
  test('a query: who, from where, which statement, read', () => {
    const out = parse("20240301 10:00:00,db-01,analyst,10.1.2.3,12,101,QUERY,citydb,'SELECT * FROM residents WHERE name = \\'x\\'',0");
    expect(out).toEqual({
      ok: true,
      event: {
        '@timestamp': '2024-03-01T10:00:00.000Z',
        message: "SELECT * FROM residents WHERE name = 'x'",
        event: { kind: 'event', dataset: 'mariadb.audit', module: 'mariadb', action: 'query', category: ['database'], type: ['access'], outcome: 'success' },
        user: { name: 'analyst' },
        source: { ip: '10.1.2.3' },
        host: { hostname: 'db-01' },
        mariadb: { audit: { connection_id: 12, query_id: 101, retcode: 0, database: 'citydb' } },
        citysoc: { data: { platform: 'mariadb', resource: 'citydb', action: 'read', query: "SELECT * FROM residents WHERE name = 'x'" } },
      },
    });
  });

  test('table events name the table; a failed login is an authentication failure', () => {
    const read = parse('20240301 10:00:01,db-01,analyst,10.1.2.3,12,101,READ,citydb,residents,');
    expect([getField(read.ok ? read.event : {}, 'citysoc.data.resource'), getField(read.ok ? read.event : {}, 'citysoc.data.action')]).toEqual([
      'citydb.residents',
      'read',
    ]);
    const failed = parse('20240301 10:00:02,db-01,mallory,10.6.6.6,13,0,FAILED_CONNECT,,,1045');
    expect(failed).toMatchObject({
      ok: true,
      event: {
        event: { action: 'failed_connect', outcome: 'failure', category: ['authentication', 'database'] },
        user: { name: 'mallory' },
        source: { ip: '10.6.6.6' },
      },
    });
    const drop = parse("20240301 10:00:03,db-01,etl,localhost,14,102,QUERY_DDL,citydb,'DROP TABLE tmp_x',0");
    expect(drop.ok && getField(drop.event, 'citysoc.data.action')).toBe('delete');
  });

  test('is found by auto-detection', () => {
    expect(detectSource({ kind: 'line', line: '20240301 10:00:00,db-01,root,localhost,1,0,CONNECT,,,0' })?.name).toBe('mariadb-audit');
  });
});
