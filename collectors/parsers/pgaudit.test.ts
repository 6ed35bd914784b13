import { pgaudit } from './pgaudit';
import { CTX } from './test-support/loghub';

const parse = (line: string) => pgaudit.parse({ kind: 'line', line }, CTX);

describe('pgaudit', () => {
  test('a session SELECT is a read of the table by the logged-in user', () => {
    const out = parse(
      '2024-03-01 10:00:00.123 UTC [4242] analyst@citydb LOG:  AUDIT: SESSION,1,1,READ,SELECT,TABLE,public.residents,"select id, name from public.residents where district = \'xihu\'",<not logged>',
    );
    expect(out).toEqual({
      ok: true,
      event: {
        '@timestamp': '2024-03-01T10:00:00.123Z',
        message: "select id, name from public.residents where district = 'xihu'",
        event: {
          kind: 'event',
          dataset: 'postgresql.pgaudit',
          module: 'postgresql',
          action: 'select',
          category: ['database'],
          type: ['access'],
          outcome: 'success',
        },
        log: { level: 'log' },
        process: { pid: 4242 },
        user: { name: 'analyst' },
        pgaudit: { audit_type: 'SESSION', statement_id: 1, substatement_id: 1, class: 'READ', object_type: 'TABLE', object_name: 'public.residents' },
        citysoc: {
          data: {
            platform: 'postgresql',
            resource: 'public.residents',
            dataset: 'public.residents',
            action: 'read',
            query: "select id, name from public.residents where district = 'xihu'",
          },
        },
        postgresql: { database: 'citydb' },
      },
    });
  });

  test('a GRANT is a role change with the grant action, and an ambiguous zone uses the collector offset', () => {
    const out = pgaudit.parse(
      {
        kind: 'line',
        line: '2024-03-01 18:00:00 CST [77] dba@citydb LOG:  AUDIT: SESSION,5,1,ROLE,GRANT,,,GRANT SELECT ON public.residents TO analyst,<none>',
      },
      { timeZone: 'Asia/Shanghai', receivedAt: new Date('2024-03-01T10:00:00Z') },
    );
    expect(out.ok && out.event).toMatchObject({
      '@timestamp': '2024-03-01T18:00:00.000+08:00',
      citysoc: { data: { action: 'grant' } },
      event: { type: ['change'] },
    });
  });

  test('a DROP TABLE is a delete', () => {
    const out = parse(
      '2024-03-01 10:00:01.000 UTC [4243] etl@citydb LOG:  AUDIT: SESSION,2,1,DDL,DROP TABLE,TABLE,public.tmp_x,DROP TABLE public.tmp_x,<not logged>',
    );
    expect(out.ok && out.event).toMatchObject({ citysoc: { data: { action: 'delete', resource: 'public.tmp_x' } } });
  });

  test('truncated AUDIT fields are rejected with the count', () => {
    expect(parse('2024-03-01 10:00:00.123 UTC [4242] a@b LOG:  AUDIT: SESSION,1,1,READ')).toEqual({
      ok: false,
      error: 'malformed AUDIT fields: expected at least 8 comma-separated fields starting with SESSION or OBJECT, got 4',
    });
  });

  // pgaudit 16.x README (github.com/pgaudit/pgaudit, "Format" and "pgaudit.log_rows"): with
  // log_rows on, the rows retrieved or affected follow the parameter field. PostgreSQL 16 docs,
  // "19.8 Error Reporting and Logging" (log_line_prefix escapes %t %m %p %l %u %d %a %h %r).
  describe('under the prefixes operators use', () => {
    const AUDIT = 'AUDIT: SESSION,3,1,READ,SELECT,TABLE,public.residents,"select * from public.residents",<not logged>,48213';
    const at = { timeZone: 'Asia/Shanghai', receivedAt: new Date('2024-03-02T00:00:00Z') };
    const expected = {
      '@timestamp': '2024-03-01T10:00:00.000+08:00',
      message: 'select * from public.residents',
      user: { name: 'analyst' },
      postgresql: { database: 'citydb' },
      pgaudit: { rows: 48213, class: 'READ' },
      citysoc: { data: { action: 'read', records: 48213, dataset: 'public.residents', query: 'select * from public.residents' } },
    };

    test.each([
      [
        "pgBadger's '%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h '",
        `2024-03-01 10:00:00 CST [4242]: [3-1] user=analyst,db=citydb,app=psql,client=10.1.2.3 LOG:  ${AUDIT}`,
      ],
      ["'%t [%p]: user=%u,db=%d,app=%a,client=%h '", `2024-03-01 10:00:00 CST [4242]: user=analyst,db=citydb,app=psql,client=10.1.2.3 LOG:  ${AUDIT}`],
      ["Debian's '%m [%p] %q%u@%d '", `2024-03-01 10:00:00.000 CST [4242] analyst@citydb LOG:  ${AUDIT}`],
      ["Amazon RDS's '%t:%r:%u@%d:[%p]:'", `2024-03-01 02:00:00 UTC:10.1.2.3(50432):analyst@citydb:[4242]:LOG:  ${AUDIT}`],
    ])('%s: user, database, client, rows and statement', (_name, line) => {
      const out = pgaudit.parse({ kind: 'line', line }, at);
      expect(out.ok).toBe(true);
      const ev = (out as { event: Record<string, unknown> }).event;
      expect(ev).toMatchObject(line.includes('UTC:') ? { ...expected, '@timestamp': '2024-03-01T02:00:00.000Z' } : expected);
      expect(ev).toMatchObject({ process: { pid: 4242 } });
      // Debian's default prefix names no client.
      expect((ev.source as { ip?: string } | undefined)?.ip).toBe(line.includes('10.1.2.3') ? '10.1.2.3' : undefined);
    });

    test('ordinary lines of the same file stay PostgreSQL events: checkpoints, connections, failed logins', () => {
      const p = (line: string) => pgaudit.parse({ kind: 'line', line }, at);
      expect(p('2024-03-01 10:00:00 CST [88]: [1-1] user=,db=,app=,client= LOG:  checkpoint starting: time')).toMatchObject({
        ok: true,
        event: { message: 'checkpoint starting: time', event: { dataset: 'postgresql.log', type: ['info'] }, log: { level: 'log' } },
      });
      expect(
        p('2024-03-01 10:00:01 CST [90]: [1-1] user=[unknown],db=[unknown],app=[unknown],client=10.1.2.9 LOG:  connection received: host=10.1.2.9 port=50000'),
      ).toMatchObject({
        ok: true,
        event: { event: { action: 'connection_received' }, source: { ip: '10.1.2.9', port: 50000 } },
      });
      expect(
        p('2024-03-01 10:00:02 CST [90]: [2-1] user=mallory,db=citydb,app=psql,client=10.1.2.9 FATAL:  password authentication failed for user "mallory"'),
      ).toMatchObject({
        ok: true,
        event: {
          event: { action: 'login_failed', outcome: 'failure', category: ['authentication', 'database'] },
          user: { name: 'mallory' },
          source: { ip: '10.1.2.9' },
        },
      });
      expect(pgaudit.detect({ kind: 'line', line: '2024-03-01 10:00:00.000 CST [88] LOG:  database system is ready to accept connections' })).toBe(true);
    });
  });
});
