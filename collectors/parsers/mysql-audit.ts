/**
 * MySQL-family audit logs in their JSON flavours: MySQL Enterprise / Oracle audit_log
 * (class/event, account, general_data.sql_command) and Percona audit_log_format=JSON
 * ({"audit_record": {...}}). Connections become authentication events, statements data access.
 */
import type { Doc } from '../../core/doc';
import type { DataAction } from '../../core/event';
import type { LogSource, ParseContext, RawInput } from './source';
import { endpoint, fail, ok } from './event-doc';
import { isObject, jsonRecord, peekRecord, str } from './json-input';
import { isoFromAny } from './timestamps';

const SQL_ACTIONS: Readonly<Record<string, DataAction>> = {
  select: 'read',
  insert: 'write',
  update: 'write',
  replace: 'write',
  load: 'write',
  delete: 'delete',
  truncate: 'delete',
  drop_table: 'delete',
  drop_db: 'delete',
  create_table: 'create',
  create_db: 'create',
  create_user: 'create',
  alter_table: 'alter',
  alter_user: 'alter',
  grant: 'grant',
  revoke: 'grant',
};

function sqlAction(command: string | undefined): DataAction | undefined {
  return command === undefined ? undefined : (SQL_ACTIONS[command.toLowerCase()] ?? (command.toLowerCase().startsWith('show') ? 'list' : undefined));
}

interface Normalized {
  time: unknown;
  kind: 'connect' | 'disconnect' | 'query' | 'other';
  name: string;
  user?: string;
  host?: string;
  ip?: string;
  db?: string;
  sql?: string;
  command?: string;
  status: number;
  connection?: string;
  flavour: string;
}

/** Percona: {"audit_record":{"name":"Query","timestamp":"2016-05-04T13:10:38 UTC","user":"root[root] @ localhost []",...}}. */
function percona(r: Doc): Normalized {
  const name = str(r.name) ?? 'unknown';
  const user = str(r.user)?.replace(/\[.*$/, '');
  return {
    time: r.timestamp,
    name,
    user,
    host: str(r.host),
    ip: str(r.ip),
    db: str(r.db),
    sql: str(r.sqltext),
    command: str(r.command_class),
    status: Number(r.status ?? 0),
    connection: str(r.connection_id),
    flavour: 'percona',
    kind: /^connect$/i.test(name) ? 'connect' : /^quit$/i.test(name) ? 'disconnect' : /^query$/i.test(name) ? 'query' : 'other',
  };
}

/** MySQL Enterprise: {"timestamp":"2019-10-03 13:50:01","class":"general","event":"status","account":{...},"general_data":{...}}. */
function enterprise(r: Doc): Normalized {
  const account = isObject(r.account) ? r.account : {};
  const login = isObject(r.login) ? r.login : {};
  const general = isObject(r.general_data) ? r.general_data : {};
  const conn = isObject(r.connection_data) ? r.connection_data : {};
  const cls = str(r.class) ?? 'unknown';
  const ev = str(r.event) ?? 'unknown';
  return {
    time: r.timestamp,
    name: `${cls}.${ev}`,
    user: str(account.user) ?? str(login.user),
    host: str(account.host),
    ip: str(login.ip),
    db: str(conn.db),
    sql: str(general.query),
    command: str(general.sql_command),
    connection: str(r.connection_id),
    flavour: 'mysql_enterprise',
    status: Number(general.status ?? conn.status ?? 0),
    kind: cls === 'connection' ? (ev === 'disconnect' ? 'disconnect' : 'connect') : cls === 'general' || cls === 'table_access' ? 'query' : 'other',
  };
}

function normalized(r: Doc): Normalized | undefined {
  if (isObject(r.audit_record)) return percona(r.audit_record);
  if (typeof r.class === 'string' && r.timestamp !== undefined && (isObject(r.account) || isObject(r.login) || isObject(r.general_data))) return enterprise(r);
  return undefined;
}

export const mysqlAudit: LogSource = {
  name: 'mysql-audit',
  description: 'MySQL Enterprise / Percona audit log in JSON format',
  detect(input: RawInput): boolean {
    const r = peekRecord(input);
    return r !== undefined && normalized(r) !== undefined;
  },
  parse(input: RawInput, ctx: ParseContext) {
    const j = jsonRecord(input);
    if (!j.ok) return fail(j.error);
    const n = normalized(j.record);
    if (!n)
      return fail(
        'not a MySQL audit record: expected {"audit_record": {...}} (Percona) or {"timestamp", "class", "account"|"login"|"general_data"} (MySQL Enterprise)',
      );
    const ts = isoFromAny(n.time, ctx);
    if (!ts) return fail(`missing or invalid timestamp ${JSON.stringify(n.time)}`);
    const success = n.status === 0;
    const auth = n.kind === 'connect' || n.kind === 'disconnect';
    return ok({
      '@timestamp': ts,
      message: n.sql ?? n.name,
      event: {
        kind: 'event',
        dataset: 'mysql.audit',
        module: 'mysql',
        action: n.command ?? n.name.toLowerCase(),
        category: auth ? ['authentication', 'database'] : ['database'],
        type: n.kind === 'connect' ? ['start'] : n.kind === 'disconnect' ? ['end'] : n.kind === 'query' ? ['access'] : ['info'],
        outcome: success ? 'success' : 'failure',
      },
      user: { name: n.user },
      source: endpoint(n.ip) ?? (n.host && n.host !== 'localhost' ? endpoint(n.host) : undefined),
      mysql: { audit: { flavour: n.flavour, record: n.name, status: n.status, connection_id: n.connection, db: n.db } },
      citysoc: { data: n.kind === 'query' ? { platform: 'mysql', resource: n.db, action: sqlAction(n.command) ?? 'query', query: n.sql } : undefined },
    } as Doc);
  },
};
