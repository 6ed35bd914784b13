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
        citysoc: { data: { platform: 'postgresql', resource: 'public.residents', dataset: 'public.residents', action: 'read' } },
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
});
