/**
 * The building blocks of behaviour: one way of touching a dataset per platform (a Hive query seen
 * by Ranger, HDFS reads seen by the NameNode, a MySQL or PostgreSQL session, a data-sharing API
 * call) and SSH logins with sudo. Normal days and injected scenarios are made of the same blocks,
 * so an attack differs from work only in what, when, how much and from where.
 */
import { localDay, type Activity, type ApiCall, type SyslogMessage } from './activity';
import type { Dataset, Person } from './city';
import { PLATFORM_HOSTS } from './city';
import type { Random } from './random';

const APPS = ['grid-portal', 'city-dashboard', 'case-system', 'report-center', 'open-data'];
const SECOND = 1000;

export interface Who {
  readonly name: string;
  readonly uid: number;
  readonly department: string;
  readonly ip: string;
}

export function who(p: Person, ip = p.ip): Who {
  return { name: p.name, uid: p.uid, department: p.department, ip };
}

/** A Hive SELECT (or another access) on a dataset's table; Ranger logs the column access. */
export function hiveQuery(rnd: Random, t: number, u: Who, d: Dataset, opts: { allowed?: boolean; access?: 'SELECT' | 'UPDATE' } = {}): Activity[] {
  const columns = rnd.sample(d.columns, rnd.int(1, d.columns.length));
  const access = opts.access ?? 'SELECT';
  const query =
    access === 'SELECT'
      ? `select ${columns.join(', ')} from ${d.id} where dt = '${localDay(t)}' limit ${rnd.pick([100, 500, 1000, 5000])}`
      : `insert into ${d.id} select * from tmp.${d.name}_stage`;
  return [
    {
      kind: 'hive',
      t,
      user: u.name,
      ip: u.ip,
      dataset: d,
      access,
      columns,
      allowed: opts.allowed ?? true,
      session: `${rnd.hex(8)}-${rnd.hex(4)}-${rnd.hex(4)}-${rnd.hex(4)}-${rnd.hex(12)}`,
      query,
      id: `${rnd.hex(8)}-${rnd.hex(4)}-${rnd.hex(4)}-${rnd.hex(4)}-${rnd.hex(12)}-0`,
    },
  ];
}

/** Lists a dataset's directory and opens some of its files. */
export function hdfsRead(rnd: Random, t: number, u: Who, d: Dataset, files = rnd.int(1, 4)): Activity[] {
  const root = d.resources.find((r) => r.startsWith('/')) ?? `/data/${d.deptCode}/${d.name}`;
  const dir = `${root}/dt=${localDay(t)}`;
  const out: Activity[] = [{ kind: 'hdfs', t, user: u.name, ip: u.ip, cmd: 'listStatus', src: dir, allowed: true }];
  for (let i = 0; i < files; i++)
    out.push({
      kind: 'hdfs',
      t: t + (i + 1) * rnd.int(1, 20) * SECOND,
      user: u.name,
      ip: u.ip,
      cmd: 'open',
      src: `${dir}/part-${String(rnd.int(0, 199)).padStart(5, '0')}.parquet`,
      allowed: true,
    });
  return out;
}

const mysqlDb = (d: Dataset): string => d.resources[0]!;

/** Connect, a few statements, quit. */
export function mysqlSession(rnd: Random, t: number, u: Who, d: Dataset, statements: readonly { sql: string; commandClass: string }[]): Activity[] {
  const connection = rnd.int(1000, 999_999);
  const seq = rnd.int(1, 1_000_000_000);
  const db = mysqlDb(d);
  const out: Activity[] = [{ kind: 'mysql', record: 'Connect', t, user: u.name, ip: u.ip, db, connection, status: 0, seq }];
  let at = t;
  statements.forEach((s, i) => {
    at += rnd.int(2, 90) * SECOND;
    out.push({
      kind: 'mysql',
      record: 'Query',
      t: at,
      user: u.name,
      ip: u.ip,
      db,
      connection,
      status: 0,
      commandClass: s.commandClass,
      sql: s.sql,
      seq: seq + i + 1,
    });
  });
  out.push({
    kind: 'mysql',
    record: 'Quit',
    t: at + rnd.int(1, 30) * SECOND,
    user: u.name,
    ip: u.ip,
    db,
    connection,
    status: 0,
    seq: seq + statements.length + 1,
  });
  return out;
}

export function mysqlSelects(rnd: Random, d: Dataset, n: number): { sql: string; commandClass: string }[] {
  return Array.from({ length: n }, () => ({
    commandClass: 'select',
    sql: `SELECT ${rnd.sample(d.columns, 2).join(', ')} FROM ${d.name} WHERE id > ${rnd.int(1, 900_000)} LIMIT ${rnd.pick([20, 50, 200])}`,
  }));
}

/** The GRANT statement MySQL logs with command_class "grant". */
export function mysqlGrant(d: Dataset, grantee: string): { sql: string; commandClass: string } {
  return { commandClass: 'grant', sql: `GRANT SELECT ON \`${mysqlDb(d)}\`.* TO '${grantee}'@'%'` };
}

/** A few pgaudit READ entries (or the ROLE entry of a GRANT). */
export function pgStatements(rnd: Random, t: number, u: Who, d: Dataset, n: number, grantee?: string): Activity[] {
  const pid = rnd.int(2000, 65_000);
  const out: Activity[] = [];
  let at = t;
  for (let i = 0; i < n; i++) {
    at += rnd.int(2, 120) * SECOND;
    out.push({
      kind: 'pgaudit',
      t: at,
      user: u.name,
      database: 'citybrain',
      pid,
      statementId: i + 1,
      cls: 'READ',
      command: 'SELECT',
      objectType: 'TABLE',
      objectName: d.id,
      statement: `select ${rnd.sample(d.columns, 2).join(', ')} from ${d.id} where updated_at > now() - interval '${rnd.int(1, 30)} days'`,
    });
  }
  if (grantee !== undefined)
    out.push({
      kind: 'pgaudit',
      t: at + 5 * SECOND,
      user: u.name,
      database: 'citybrain',
      pid,
      statementId: n + 1,
      cls: 'ROLE',
      command: 'GRANT',
      objectType: '',
      objectName: '',
      statement: `GRANT SELECT ON ${d.id} TO ${grantee}`,
    });
  return out;
}

/** Touches a dataset the way its platform is used. */
export function useDataset(rnd: Random, t: number, u: Who, d: Dataset, intensity = 1): Activity[] {
  switch (d.platform) {
    case 'hive':
      return rnd.chance(0.3) ? hdfsRead(rnd, t, u, d, 1) : hiveQuery(rnd, t, u, d, { allowed: !rnd.chance(0.01) });
    case 'hdfs':
      return hdfsRead(rnd, t, u, d, Math.max(1, Math.round(rnd.int(1, 3) * intensity)));
    case 'mysql':
      return mysqlSession(rnd, t, u, d, mysqlSelects(rnd, d, Math.max(1, Math.round(rnd.int(1, 4) * intensity))));
    case 'postgresql':
      return pgStatements(rnd, t, u, d, Math.max(1, Math.round(rnd.int(1, 4) * intensity)));
  }
}

export function apiCall(rnd: Random, t: number, u: Who, d: Dataset, action: 'read' | 'export', records: number, app = rnd.pick(APPS)): ApiCall {
  const n = Math.max(1, Math.round(records));
  return {
    kind: 'api',
    t,
    user: u.name,
    userId: `u-${u.uid}`,
    department: u.department,
    dataset: d,
    action,
    records: n,
    bytes: n * rnd.int(180, 420),
    app,
    ip: u.ip,
    status: 200,
    requestId: `req-${rnd.hex(16)}`,
  };
}

const sshd = (t: number, host: string, pid: number, message: string): SyslogMessage => ({ kind: 'syslog', t, host, program: 'sshd', pid, message });

/** An interactive SSH session: (an optional mistyped password,) acceptance, the PAM session, sudo, the end. */
export function sshSession(
  rnd: Random,
  t: number,
  host: string,
  user: string,
  from: string,
  opts: { minutes?: number; sudo?: number; method?: 'publickey' | 'password'; typo?: boolean } = {},
): Activity[] {
  const pid = rnd.int(1000, 65_000);
  const port = rnd.int(40_000, 65_000);
  const method = opts.method ?? 'publickey';
  const out: Activity[] = [];
  let at = t;
  if (opts.typo) {
    out.push(sshd(at, host, pid, `Failed password for ${user} from ${from} port ${port} ssh2`));
    at += rnd.int(3, 15) * SECOND;
  }
  const key = method === 'publickey' ? `: RSA SHA256:${rnd.hex(43)}` : '';
  out.push(sshd(at, host, pid, `Accepted ${method} for ${user} from ${from} port ${port} ssh2${key}`));
  out.push(sshd(at, host, pid, `pam_unix(sshd:session): session opened for user ${user} by (uid=0)`));
  const end = at + (opts.minutes ?? rnd.int(5, 90)) * 60 * SECOND;
  for (let i = 0; i < (opts.sudo ?? 0); i++) {
    const st = at + Math.floor(rnd.next() * (end - at));
    const cmd = rnd.pick([
      '/usr/bin/systemctl restart nginx',
      '/usr/bin/tail -n 200 /var/log/messages',
      '/usr/bin/df -h',
      '/usr/bin/journalctl -u app',
      '/usr/bin/yum check-update',
    ]);
    out.push({ kind: 'syslog', t: st, host, program: 'sudo', message: `${user} : TTY=pts/${rnd.int(0, 5)} ; PWD=/home/${user} ; USER=root ; COMMAND=${cmd}` });
  }
  out.push(sshd(end, host, pid, `Received disconnect from ${from} port ${port}:11: disconnected by user`));
  out.push(sshd(end, host, pid, `pam_unix(sshd:session): session closed for user ${user}`));
  return out;
}

/** One failed attempt: a known account with a wrong password, or an account that does not exist. */
export function sshFailure(rnd: Random, t: number, host: string, user: string, from: string, exists: boolean): Activity[] {
  const pid = rnd.int(1000, 65_000);
  const port = rnd.int(30_000, 65_000);
  const out: Activity[] = [];
  if (!exists) out.push(sshd(t, host, pid, `Invalid user ${user} from ${from} port ${port}`));
  out.push(sshd(t + SECOND, host, pid, `Failed password for ${exists ? '' : 'invalid user '}${user} from ${from} port ${port} ssh2`));
  out.push(sshd(t + 2 * SECOND, host, pid, `Connection closed by ${exists ? '' : 'invalid '}user ${user} ${from} port ${port} [preauth]`));
  return out;
}

export const GATEWAY = PLATFORM_HOSTS.gateway;
