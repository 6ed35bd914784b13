/**
 * PostgreSQL pgaudit entries ("AUDIT: SESSION,1,1,READ,SELECT,TABLE,public.t,select ...,<none>")
 * behind the common log_line_prefix '%m [%p] %q%u@%d '. The statement class decides the data action.
 */
import type { DataAction } from '../../core/event';
import type { LogSource, ParseContext, RawInput } from './source';
import { fail, lineOf, ok } from './event-doc';
import { splitCsv } from './csv-fields';
import { isoFromYmd } from './timestamps';

const LINE =
  /^(?:(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?)(?: ([A-Za-z]+|[+-]\d{2}(?::?\d{2})?))? )?(?:\[(\d+)\]\s*)?(?:(?:\[\S*\])?\s*)?(?:([^@\s]*)@(\S*) )?(?:[\w ]+: +)?(LOG|INFO|NOTICE|WARNING): {2}AUDIT: (.*)$/s;

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

export const pgaudit: LogSource = {
  name: 'pgaudit',
  description: 'PostgreSQL pgaudit session/object audit entries in the server log',
  detect(input: RawInput): boolean {
    const line = lineOf(input);
    return line !== undefined && /: {2}AUDIT: (SESSION|OBJECT),\d+,\d+,/.test(line);
  },
  parse(input: RawInput, ctx: ParseContext) {
    const line = lineOf(input);
    if (line === undefined) return fail('pgaudit expects a text line, got a structured record');
    const m = LINE.exec(line);
    if (!m) return fail('not a pgaudit line: expected "<prefix> LOG:  AUDIT: SESSION|OBJECT,id,subid,CLASS,COMMAND,..."');
    const f = splitCsv(m[7]!);
    if (f.length < 8 || !/^(SESSION|OBJECT)$/.test(f[0]!))
      return fail(`malformed AUDIT fields: expected at least 8 comma-separated fields starting with SESSION or OBJECT, got ${f.length}`);
    const ts = m[1] === undefined ? undefined : isoFromYmd(m[2] === undefined ? m[1] : `${m[1]} ${m[2]}`, ctx);
    if (m[1] !== undefined && !ts) return fail(`invalid date/time "${m[1]}"`);
    const [auditType, statementId, substatementId, cls, command, objectType, objectName, statement, parameter] = f as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string?,
    ];
    return ok({
      '@timestamp': ts,
      message: statement,
      event: {
        kind: 'event',
        dataset: 'postgresql.pgaudit',
        module: 'postgresql',
        action: command.toLowerCase(),
        category: ['database'],
        type: [EVENT_TYPE[cls] ?? 'info'],
        outcome: 'success',
      },
      log: { level: m[6]!.toLowerCase() },
      process: { pid: m[3] === undefined ? undefined : Number(m[3]) },
      user: { name: m[4] || undefined },
      pgaudit: {
        audit_type: auditType,
        statement_id: Number(statementId),
        substatement_id: Number(substatementId),
        class: cls,
        object_type: objectType || undefined,
        object_name: objectName || undefined,
        parameter: parameter === '<not logged>' || parameter === '<none>' ? undefined : parameter,
      },
      citysoc: {
        data: { platform: 'postgresql', resource: objectName || m[5] || undefined, dataset: objectName || undefined, action: dataAction(cls, command) },
      },
      postgresql: { database: m[5] || undefined },
    });
  },
};
