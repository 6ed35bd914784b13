/**
 * Any Linux BSD-syslog line (cron, su, login, kernel, ftpd, named, ...). The framing gives time,
 * host and program; the few message shapes that matter for security (PAM, remote logins,
 * cron commands) are categorized, the rest stay plain events with their text.
 */
import type { Doc } from '../../core/doc';
import type { LogSource, ParseContext, RawInput } from './source';
import { endpoint, fail, lineOf, ok } from './event-doc';
import { pamFields } from './pam';
import { sudoFields } from './sudo';
import { looksLikeSyslog, parseSyslog } from './syslog-header';

type Rule = readonly [RegExp, (m: RegExpExecArray) => Doc];

const RULES: readonly Rule[] = [
  [
    /^connection from (\S+) \(([^)]*)\)/,
    (m) => ({
      event: { action: 'connection_accepted', category: ['network'], type: ['connection', 'start'] },
      source: { ...endpoint(m[1]), domain: m[2] || undefined },
    }),
  ],
  [
    /^Authentication failed from (\S+?) \(/,
    (m) => ({
      event: { action: 'authentication_failure', category: ['authentication'], type: ['start'], outcome: 'failure' },
      source: endpoint(m[1]),
    }),
  ],
  [
    /^Kerberos authentication failed/,
    () => ({
      event: { action: 'authentication_failure', category: ['authentication'], type: ['start'], outcome: 'failure' },
    }),
  ],
  [
    /^ROOT LOGIN ON (\S+)/,
    () => ({
      event: { action: 'root_login', category: ['authentication'], type: ['start'], outcome: 'success' },
      user: { name: 'root' },
    }),
  ],
  [
    /^\((\S+)\) CMD \((.*)\)$/,
    (m) => ({
      event: { action: 'cron_command', category: ['process'], type: ['start'] },
      user: { name: m[1] },
      process: { command_line: m[2] },
    }),
  ],
];

function classify(message: string, program: string | undefined): Doc | undefined {
  if (program === 'sudo') {
    const sudo = sudoFields(message);
    if (sudo) return sudo;
  }
  const pam = pamFields(message.replace(/^pam_unix\([\w-]+:\w+\): /, ''));
  if (pam) return pam;
  for (const [re, build] of RULES) {
    const m = re.exec(message);
    if (m) return build(m);
  }
  return undefined;
}

export const linuxSyslog: LogSource = {
  name: 'linux-syslog',
  description: 'Linux BSD syslog (RFC 3164) lines from any program: cron, su, login, kernel, ftpd, ...',
  detect(input: RawInput): boolean {
    const line = lineOf(input);
    return line !== undefined && looksLikeSyslog(line);
  },
  parse(input: RawInput, ctx: ParseContext) {
    const line = lineOf(input);
    if (line === undefined) return fail('linux-syslog expects a text line, got a structured record');
    const sys = parseSyslog(line, ctx);
    if (!sys) return fail('not a syslog line: expected "Mon dd hh:mm:ss host program[pid]: message" with a valid date');
    const fields = classify(sys.message, sys.program) ?? {};
    const process = { ...(fields.process as Doc | undefined), name: sys.program, pid: sys.pid };
    return ok({
      ...fields,
      '@timestamp': sys.timestamp,
      message: sys.message,
      event: { kind: 'event', dataset: 'linux.syslog', module: 'linux', ...(fields.event as Doc | undefined) },
      log: { syslog: { appname: sys.appname, priority: sys.priority } },
      host: { name: sys.host },
      process,
    });
  },
};
