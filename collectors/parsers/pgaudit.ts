/**
 * The PostgreSQL server log: pgaudit entries ("AUDIT: SESSION,1,1,READ,SELECT,TABLE,public.t,
 * select ...,<none>[,rows]") and every other line of the same file (checkpoints, connections,
 * errors), which stay PostgreSQL events, not dead letters. The log_line_prefix is the operator's
 * choice; the common ones are read: Debian's '%m [%p] %q%u@%d ', '%t [%p]: [%l-1]
 * user=%u,db=%d,app=%a,client=%h ' (pgBadger's), and Amazon RDS's '%t:%r:%u@%d:[%p]:'.
 */
import type { Doc } from '../../core/doc';
import type { DataAction } from '../../core/event';
import type { LogSource, ParseContext, RawInput } from './source';
import { endpoint, fail, level, lineOf, ok } from './event-doc';
import { splitCsv } from './csv-fields';
import { isoFromYmd } from './timestamps';

// The message starts at the first "SEVERITY:  " (two spaces) after the prefix.
const SEVERITY = /(?:^|[\s:])(LOG|INFO|NOTICE|WARNING|ERROR|FATAL|PANIC|DETAIL|STATEMENT|HINT|CONTEXT|QUERY|LOCATION|DEBUG[1-5]?): {2}/;
const TIME = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?)(?: ([A-Za-z]{2,5}|[+-]\d{2}(?::?\d{2})?))?/;

interface Prefix {
  readonly time?: string;
  readonly zone?: string;
  readonly pid?: number;
  readonly user?: string;
  readonly db?: string;
  readonly app?: string;
  readonly client?: string;
  readonly clientPort?: number;
}

/** The fields of whichever common prefix the line has; unknown prefixes still give their time. */
function readPrefix(prefix: string): Prefix {
  const t = TIME.exec(prefix);
  const rest = t ? prefix.slice(t[0].length) : prefix;
  const kv = (k: string) => new RegExp(`\\b${k}=([^,\\s]*)`).exec(rest)?.[1] || undefined;
  const at = /(?:^|[\s:\]])([^\s:@[\]]*)@([^\s:]*)(?:[\s:]|$)/.exec(rest);
  const rds = /^:(\[local\]|[0-9a-fA-F.:]+?)(?:\((\d+)\))?:/.exec(rest);
  const client = kv('client') ?? kv('host') ?? (rds?.[1] === '[local]' ? undefined : rds?.[1]);
  return {
    time: t?.[1],
    zone: t?.[2],
    pid: Number(/\[(\d+)\]/.exec(rest)?.[1]) || undefined,
    user: kv('user') ?? (at?.[1] || undefined),
    db: kv('db') ?? (at?.[2] || undefined),
    app: kv('app'),
    client: client === '[local]' ? undefined : client,
    clientPort: rds?.[2] ? Number(rds[2]) : undefined,
  };
}

function dataAction(cls: string, command: string): DataAction | undefined {
  switch (cls) {
    case 'READ':
      return 'read';
    case 'WRITE':
      return command === 'DELETE' || command === 'TRUNCATE TABLE' ? 'delete' : 'write';
    case 'ROLE':
      return 'grant';
    case 'DDL':
      return command.startsWith('CREATE') ? 'create' : command.startsWith('DROP') ? 'delete' : 'alter';
    case 'FUNCTION':
    case 'MISC':
    case 'MISC_SET':
      return 'query';
    default:
      return undefined;
  }
}

const EVENT_TYPE: Readonly<Record<string, string>> = { READ: 'access', WRITE: 'change', ROLE: 'change', DDL: 'change' };

/** pgaudit's CSV: AUDIT_TYPE,STATEMENT_ID,SUBSTATEMENT_ID,CLASS,COMMAND,OBJECT_TYPE,OBJECT_NAME,STATEMENT,PARAMETER[,ROWS]. */
function auditFields(csv: string, p: Prefix): Doc | string {
  const f = splitCsv(csv);
  if (f.length < 8 || !/^(SESSION|OBJECT)$/.test(f[0]!))
    return `malformed AUDIT fields: expected at least 8 comma-separated fields starting with SESSION or OBJECT, got ${f.length}`;
  const [auditType, statementId, substatementId, cls, command, objectType, objectName, statement, parameter, rows] = f as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string?,
    string?,
  ];
  // pgaudit.log_rows adds the rows retrieved or affected after the parameter: the evidence of a mass read.
  const rowCount = rows !== undefined && /^\d+$/.test(rows) ? Number(rows) : undefined;
  return {
    message: statement,
    event: { action: command.toLowerCase(), category: ['database'], type: [EVENT_TYPE[cls] ?? 'info'], outcome: 'success', dataset: 'postgresql.pgaudit' },
    pgaudit: {
      audit_type: auditType,
      statement_id: Number(statementId),
      substatement_id: Number(substatementId),
      class: cls,
      object_type: objectType || undefined,
      object_name: objectName || undefined,
      parameter: parameter === '<not logged>' || parameter === '<none>' ? undefined : parameter,
      rows: rowCount,
    },
    citysoc: {
      data: {
        platform: 'postgresql',
        resource: objectName || p.db || undefined,
        dataset: objectName || undefined,
        action: dataAction(cls, command),
        records: rowCount,
        query: statement,
      },
    },
  };
}

/** The ordinary lines operators and rules care about: connections and failed logins. */
function serverFields(message: string, severity: string): Doc {
  const failedLogin = /^password authentication failed for user "([^"]*)"|^no pg_hba\.conf entry for host "([^"]*)", user "([^"]*)"/.exec(message);
  if (failedLogin) {
    return {
      event: { action: 'login_failed', category: ['authentication', 'database'], type: ['start'], outcome: 'failure' },
      user: { name: failedLogin[1] ?? failedLogin[3] },
      source: endpoint(failedLogin[2]),
    };
  }
  if (/^connection authorized: /.test(message)) {
    return {
      event: { action: 'login', category: ['authentication', 'database'], type: ['start'], outcome: 'success' },
      user: { name: /\buser=(\S+)/.exec(message)?.[1] },
    };
  }
  const received = /^connection received: host=(\S+)(?: port=(\d+))?/.exec(message);
  if (received)
    return {
      event: { action: 'connection_received', category: ['network', 'database'], type: ['connection'] },
      source: endpoint(received[1], Number(received[2]) || undefined),
    };
  return { event: { category: ['database'], type: /^(ERROR|FATAL|PANIC)$/.test(severity) ? ['error'] : ['info'] } };
}

export const pgaudit: LogSource = {
  name: 'pgaudit',
  description: 'PostgreSQL server log: pgaudit session/object audit entries and the ordinary lines around them',
  detect(input: RawInput): boolean {
    const line = lineOf(input);
    if (line === undefined) return false;
    return (
      /: {2}AUDIT: (SESSION|OBJECT),\d+,\d+,/.test(line) ||
      /^\d{4}-\d{2}-\d{2} [\d:.]{8,} ?\S*[ :].*?\b(LOG|ERROR|FATAL|WARNING|PANIC|STATEMENT|DETAIL): {2}\S/.test(line)
    );
  },
  parse(input: RawInput, ctx: ParseContext) {
    const line = lineOf(input);
    if (line === undefined) return fail('pgaudit expects a text line, got a structured record');
    const sev = SEVERITY.exec(line);
    if (!sev) return fail('not a PostgreSQL log line: expected "<log_line_prefix>SEVERITY:  message" (LOG, ERROR, FATAL, ...)');
    const prefix = readPrefix(line.slice(0, sev.index));
    const message = line.slice(sev.index + sev[0].length);
    const ts = prefix.time === undefined ? undefined : isoFromYmd(prefix.zone === undefined ? prefix.time : `${prefix.time} ${prefix.zone}`, ctx);
    if (prefix.time !== undefined && !ts) return fail(`invalid date/time or unknown zone "${prefix.time}${prefix.zone ? ` ${prefix.zone}` : ''}"`);
    const audit = /^AUDIT: (.*)$/s.exec(message);
    const fields = audit ? auditFields(audit[1]!, prefix) : serverFields(message, sev[1]!);
    if (typeof fields === 'string') return fail(fields);
    const { event, ...rest } = fields as { event: Doc } & Doc;
    return ok({
      '@timestamp': ts,
      message,
      ...rest,
      event: { kind: 'event', dataset: 'postgresql.log', module: 'postgresql', ...event },
      log: { level: level(sev[1]) },
      process: { pid: prefix.pid },
      user: { name: prefix.user, ...(rest.user as Doc | undefined) },
      source: (rest.source as Doc | undefined) ?? endpoint(prefix.client, prefix.clientPort),
      postgresql: { database: prefix.db, application: prefix.app },
    });
  },
};
