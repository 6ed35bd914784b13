/** The BSD syslog (RFC 3164) framing shared by sshd, cron, su, kernel and friends. */
import type { ParseContext } from './source';
import { isoWithoutYear, monthNumber } from './timestamps';

export interface SyslogLine {
  readonly timestamp: string;
  readonly host: string;
  /** The tag exactly as written ("sshd", "sshd(pam_unix)", "syslogd 1.4.1"). */
  readonly appname?: string;
  /** The program name without a PAM module suffix or version ("sshd", "su", "syslogd"). */
  readonly program?: string;
  readonly pid?: number;
  readonly message: string;
  readonly priority?: number;
}

const HEADER = /^(?:<(\d{1,3})>)?([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\S+) +(.*)$/s;
// Legacy tags may contain a space ("syslogd 1.4.1", "-- root"), so the tag ends at "[pid]:" or ":".
// Kernel messages indent with spaces after the colon; the indentation is layout, not content.
const TAG = /^([^:[\]]{1,48}?)(?:\[(\d+)\])?:\s*(.*)$/s;

export function looksLikeSyslog(line: string): boolean {
  return HEADER.test(line);
}

/** Undefined when the line has no syslog header; the year is inferred from the context's time (timestamps.ts isoWithoutYear). */
export function parseSyslog(line: string, ctx: ParseContext): SyslogLine | undefined {
  const m = HEADER.exec(line);
  if (!m) return undefined;
  const month = monthNumber(m[2]!);
  const timestamp = month === undefined ? undefined : isoWithoutYear(month, +m[3]!, +m[4]!, +m[5]!, +m[6]!, undefined, ctx);
  if (timestamp === undefined) return undefined;
  const rest = m[8]!;
  const t = TAG.exec(rest);
  const priority = m[1] === undefined ? undefined : Number(m[1]);
  if (!t) return { timestamp, host: m[7]!, message: rest.trimEnd(), priority };
  const appname = t[1]!.trim();
  const program = /^(?:--\s+)?([^\s(]+)/.exec(appname)?.[1] ?? appname;
  return { timestamp, host: m[7]!, appname, program, pid: t[2] === undefined ? undefined : Number(t[2]), message: t[3]!.trimEnd(), priority };
}
