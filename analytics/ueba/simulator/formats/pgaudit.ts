/**
 * pgaudit session-audit entries in the PostgreSQL server log. The AUDIT fields are pgaudit's
 * documented format (pgaudit README, "Format"): AUDIT_TYPE, STATEMENT_ID, SUBSTATEMENT_ID, CLASS,
 * COMMAND, OBJECT_TYPE, OBJECT_NAME, STATEMENT, PARAMETER, comma-separated with CSV quoting; the
 * prefix is `log_line_prefix = '%m [%p] %q%u@%d '` (PostgreSQL manual, "Error Reporting and
 * Logging"), where %m prints the zone abbreviation of `log_timezone` — CST for Asia/Shanghai.
 */
import type { PgAuditEntry } from '../activity';
import { local, pad } from '../activity';

const csv = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export function pgauditLine(a: PgAuditEntry): string {
  const p = local(a.t);
  const ts = `${p.y}-${pad(p.mo)}-${pad(p.d)} ${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}.${pad(p.ms, 3)} CST`;
  const fields = ['SESSION', String(a.statementId), '1', a.cls, a.command, a.objectType, a.objectName, csv(a.statement), '<not logged>'];
  return `${ts} [${a.pid}] ${a.user}@${a.database} LOG:  AUDIT: ${fields.join(',')}`;
}
