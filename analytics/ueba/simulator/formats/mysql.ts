/**
 * Percona Server audit log plugin records with `audit_log_format=JSON`: one
 * `{"audit_record": {...}}` object per line (Percona Server for MySQL 8.0 documentation, "Audit log
 * plugin", JSON format example). `timestamp` is UTC with second precision ("2026-06-01T01:15:02
 * UTC"); `user` on a Query is "user[user] @ host [ip]"; `command_class` is MySQL's sql_command name
 * (select, insert, grant, ...); a failed login carries the error number (1045) in `status`.
 */
import type { MysqlRecord } from '../activity';
import { pad } from '../activity';

function utc(t: number): string {
  const d = new Date(t);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC`;
}

export function mysqlLine(a: MysqlRecord): string {
  const base = {
    name: a.record,
    record: `${a.seq}_2026-01-01T00:00:00`,
    timestamp: utc(a.t),
    connection_id: String(a.connection),
    status: a.status,
  };
  if (a.record === 'Query')
    return JSON.stringify({
      audit_record: {
        ...base,
        command_class: a.commandClass,
        sqltext: a.sql,
        user: `${a.user}[${a.user}] @  [${a.ip}]`,
        host: '',
        os_user: '',
        ip: a.ip,
        db: a.db,
      },
    });
  return JSON.stringify({
    audit_record: { ...base, user: a.user, priv_user: a.user, os_login: '', proxy_user: '', host: '', ip: a.ip, db: a.db },
  });
}
