/**
 * MariaDB's server_audit plugin, file output (MariaDB Audit Plugin "Log Format", MariaDB 10.x/11.x):
 *   [timestamp],[serverhost],[username],[host],[connectionid],[queryid],[operation],[database],[object],[retcode]
 *   20240301 10:00:00,db-01,analyst,10.1.2.3,12,101,QUERY,citydb,'SELECT * FROM residents',0
 * CONNECT/DISCONNECT/FAILED_CONNECT are logins; QUERY* carry the statement; READ/WRITE/CREATE/
 * ALTER/RENAME/DROP name the table touched.
 */
import type { DataAction } from '../../core/event';
import type { LogSource, ParseContext, RawInput } from './source';
import { endpoint, fail, lineOf, ok } from './event-doc';
import { localIso } from './timestamps';

const LINE = /^(\d{4})(\d{2})(\d{2}) (\d{2}):(\d{2}):(\d{2}),([^,]*),([^,]*),([^,]*),(\d+),(\d+),([A-Z_]+),([^,]*),(.*),(-?\d*)$/s;

const TABLE_ACTIONS: Readonly<Record<string, DataAction>> = { READ: 'read', WRITE: 'write', CREATE: 'create', ALTER: 'alter', RENAME: 'alter', DROP: 'delete' };

/** The SQL verb of a statement, for QUERY records. */
function statementAction(sql: string): DataAction {
  const verb = /^\s*(\w+)/.exec(sql)?.[1]?.toLowerCase();
  switch (verb) {
    case 'select':
      return 'read';
    case 'insert':
    case 'update':
    case 'replace':
    case 'load':
      return 'write';
    case 'delete':
    case 'truncate':
    case 'drop':
      return 'delete';
    case 'create':
      return 'create';
    case 'alter':
    case 'rename':
      return 'alter';
    case 'grant':
    case 'revoke':
      return 'grant';
    case 'show':
      return 'list';
    default:
      return 'query';
  }
}

/** 'SELECT \'x\'' → SELECT 'x': the plugin quotes the statement and escapes quotes and backslashes. */
function unquote(s: string): string {
  return /^'.*'$/s.test(s)
    ? s
        .slice(1, -1)
        .replace(/\\(['\\])/g, '$1')
        .replace(/\\n/g, '\n')
    : s;
}

export const mariadbAudit: LogSource = {
  name: 'mariadb-audit',
  description: 'MariaDB server_audit plugin log (CSV: time, server, user, host, connection, query id, operation, database, object, retcode)',
  detect(input: RawInput): boolean {
    const line = lineOf(input);
    return line !== undefined && /^\d{8} \d{2}:\d{2}:\d{2},[^,]*,[^,]*,[^,]*,\d+,\d+,[A-Z_]+,/.test(line);
  },
  parse(input: RawInput, ctx: ParseContext) {
    const line = lineOf(input);
    if (line === undefined) return fail('mariadb-audit expects a text line, got a structured record');
    const m = LINE.exec(line);
    if (!m) return fail('not a server_audit line: expected "yyyyMMdd HH:mm:ss,serverhost,user,host,connection,queryid,OPERATION,database,object,retcode"');
    const ts = localIso(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +m[6]!, undefined, ctx);
    if (!ts) return fail(`invalid date/time "${m[1]}${m[2]}${m[3]} ${m[4]}:${m[5]}:${m[6]}"`);
    const op = m[12]!;
    const db = m[13] || undefined;
    const object = unquote(m[14]!);
    const retcode = m[15] === '' ? undefined : Number(m[15]);
    const outcome = op === 'FAILED_CONNECT' || (retcode !== undefined && retcode !== 0) ? 'failure' : 'success';
    const login = op === 'CONNECT' || op === 'DISCONNECT' || op === 'FAILED_CONNECT' || op === 'CHANGE_USER';
    const query = op.startsWith('QUERY');
    const table = TABLE_ACTIONS[op];
    const resource = table ? (db ? `${db}.${object}` : object) : db;
    return ok({
      '@timestamp': ts,
      message: query ? object : `${op} ${[db, object].filter(Boolean).join(' ')}`.trim(),
      event: {
        kind: 'event',
        dataset: 'mariadb.audit',
        module: 'mariadb',
        action: op.toLowerCase(),
        category: login ? ['authentication', 'database'] : ['database'],
        type: op === 'DISCONNECT' ? ['end'] : login ? ['start'] : table && table !== 'read' ? ['change'] : ['access'],
        outcome,
      },
      user: { name: m[8] || undefined },
      source: endpoint(m[9] === 'localhost' ? undefined : m[9]),
      host: { hostname: m[7] || undefined },
      mariadb: { audit: { connection_id: Number(m[10]), query_id: Number(m[11]), retcode, database: db } },
      citysoc: login
        ? undefined
        : {
            data: {
              platform: 'mariadb',
              resource,
              dataset: table ? resource : undefined,
              action: table ?? statementAction(object),
              query: query ? object : undefined,
            },
          },
    });
  },
};
