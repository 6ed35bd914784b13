/**
 * One thing a person (or an attacker) did, before it is written in the log format of the product
 * that records it. Behaviour and scenarios produce activities; formats/ renders them.
 */
import type { Dataset } from './city';

export type SourceName = 'ranger-audit' | 'hdfs-audit' | 'mysql-audit' | 'pgaudit' | 'data-api' | 'secure';

interface At {
  /** Epoch ms. */
  readonly t: number;
}

/** A Hive access that Ranger's HiveServer2 plugin authorised (or denied). */
export interface HiveAccess extends At {
  readonly kind: 'hive';
  readonly user: string;
  readonly ip: string;
  readonly dataset: Dataset;
  readonly access: 'SELECT' | 'UPDATE' | 'CREATE' | 'DROP';
  readonly columns: readonly string[];
  readonly allowed: boolean;
  readonly session: string;
  readonly query: string;
  readonly id: string;
}

/** A NameNode RPC on a path (open, listStatus, setAcl, ...). */
export interface HdfsAccess extends At {
  readonly kind: 'hdfs';
  readonly user: string;
  readonly ip: string;
  readonly cmd: 'open' | 'listStatus' | 'getfileinfo' | 'create' | 'setAcl' | 'delete';
  readonly src: string;
  readonly allowed: boolean;
  readonly perm?: string;
}

/** One record of the MySQL (Percona Server) audit log plugin. */
export interface MysqlRecord extends At {
  readonly kind: 'mysql';
  readonly record: 'Connect' | 'Query' | 'Quit';
  readonly user: string;
  readonly ip: string;
  readonly db: string;
  readonly connection: number;
  readonly status: number;
  readonly commandClass?: string;
  readonly sql?: string;
  readonly seq: number;
}

/** One pgaudit session-audit entry in the PostgreSQL server log. */
export interface PgAuditEntry extends At {
  readonly kind: 'pgaudit';
  readonly user: string;
  readonly database: string;
  readonly pid: number;
  readonly statementId: number;
  readonly cls: 'READ' | 'WRITE' | 'ROLE' | 'DDL';
  readonly command: string;
  readonly objectType: string;
  readonly objectName: string;
  readonly statement: string;
}

/** One call to the data-sharing API gateway. */
export interface ApiCall extends At {
  readonly kind: 'api';
  readonly user: string;
  readonly userId: string;
  readonly department: string;
  readonly dataset: Dataset;
  readonly action: 'read' | 'export';
  readonly records: number;
  readonly bytes: number;
  readonly app: string;
  readonly ip: string;
  readonly status: number;
  readonly requestId: string;
}

/** A line an sshd or sudo process wrote to syslog (the message after "program[pid]: "). */
export interface SyslogMessage extends At {
  readonly kind: 'syslog';
  readonly host: string;
  readonly program: 'sshd' | 'sudo';
  readonly pid?: number;
  readonly message: string;
}

export type Activity = HiveAccess | HdfsAccess | MysqlRecord | PgAuditEntry | ApiCall | SyslogMessage;

export const SOURCE_OF: Readonly<Record<Activity['kind'], SourceName>> = {
  hive: 'ranger-audit',
  hdfs: 'hdfs-audit',
  mysql: 'mysql-audit',
  pgaudit: 'pgaudit',
  api: 'data-api',
  syslog: 'secure',
};

/** The CitySOC parser (`citysoc parse --source`) that reads each file. */
export const PARSER_OF: Readonly<Record<SourceName, string>> = {
  'ranger-audit': 'ranger-audit',
  'hdfs-audit': 'hdfs-audit',
  'mysql-audit': 'mysql-audit',
  pgaudit: 'pgaudit',
  'data-api': 'data-api',
  // sshd lines go to the openssh parser, sudo lines to linux-syslog: leave it to detection.
  secure: 'auto',
};

/** The city's wall clock: China Standard Time, no daylight saving. */
export const CITY_OFFSET_MS = 8 * 3_600_000;
export const CITY_OFFSET = '+08:00';

/** Local wall-clock parts of an instant. */
export function local(t: number): { y: number; mo: number; d: number; h: number; mi: number; s: number; ms: number; dow: number } {
  const l = new Date(t + CITY_OFFSET_MS);
  return {
    y: l.getUTCFullYear(),
    mo: l.getUTCMonth() + 1,
    d: l.getUTCDate(),
    h: l.getUTCHours(),
    mi: l.getUTCMinutes(),
    s: l.getUTCSeconds(),
    ms: l.getUTCMilliseconds(),
    dow: l.getUTCDay(),
  };
}

export const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** "2026-06-01" of the local day an instant falls in. */
export function localDay(t: number): string {
  const p = local(t);
  return `${p.y}-${pad(p.mo)}-${pad(p.d)}`;
}
