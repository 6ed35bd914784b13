/**
 * OpenSSH server (sshd) lines in syslog framing. Every login attempt, invalid user, disconnect
 * and break-in hint carries event.action, event.outcome, user.name and source.ip/port, because
 * the brute-force and password-spraying rules count exactly these per source address.
 */
import type { Doc } from '../../core/doc';
import type { LogSource, ParseContext, RawInput } from './source';
import { endpoint, fail, lineOf, ok } from './event-doc';
import { pamFields } from './pam';
import { parseSyslog } from './syslog-header';

const auth = (action: string, outcome: string, type = 'start'): Doc => ({ action, outcome, category: ['authentication'], type: [type] });
const net = (action: string, outcome: string, type = 'end'): Doc => ({ action, outcome, category: ['network'], type: [type] });

type Rule = readonly [RegExp, (m: RegExpExecArray) => Doc];

// Ordered: the first pattern that matches the message (after "message repeated N times: [") wins.
const RULES: readonly Rule[] = [
  [
    /^(Accepted|Failed) (\S+) for (invalid user )?(.*?) from (\S+) port (\d+)(?: (\S+))?/,
    (m) => ({
      event: auth('ssh_login', m[1] === 'Accepted' ? 'success' : 'failure'),
      user: { name: m[4] },
      source: endpoint(m[5], Number(m[6])),
      openssh: { method: m[2], invalid_user: m[3] ? true : undefined, protocol: m[7] },
    }),
  ],
  [
    /^Invalid user (.*?) from (\S+)(?: port (\d+))?$/,
    (m) => ({
      event: auth('invalid_user', 'failure', 'info'),
      user: { name: m[1] },
      source: endpoint(m[2], m[3] ? Number(m[3]) : undefined),
    }),
  ],
  [
    /^input_userauth_request: invalid user (.*?) \[preauth\]$/,
    (m) => ({
      // Same attempt as the "Invalid user" line of this pid, without the address: not counted twice.
      event: auth('invalid_user_request', 'failure', 'info'),
      user: { name: m[1] },
    }),
  ],
  [
    /^(?:error: )?Received disconnect from (\S+?)(?: port (\d+))?: ?(\d+): (.*)$/,
    (m) => ({
      event: net('disconnect', 'unknown'),
      source: endpoint(m[1], m[2] ? Number(m[2]) : undefined),
      openssh: { disconnect_code: Number(m[3]), reason: m[4] },
    }),
  ],
  [
    /^Disconnected from (?:(?:invalid |authenticating )?user (.*?) )?(\S+) port (\d+)/,
    (m) => ({
      event: net('disconnect', 'unknown'),
      user: { name: m[1] },
      source: endpoint(m[2], Number(m[3])),
    }),
  ],
  [
    /^Connection closed by (?:(?:invalid |authenticating )?user (.*?) )?(\S+?)(?: port (\d+))?(?: \[preauth\])?$/,
    (m) => ({
      event: net('connection_closed', 'unknown'),
      user: { name: m[1] },
      source: endpoint(m[2], m[3] ? Number(m[3]) : undefined),
    }),
  ],
  [
    /^reverse mapping checking getaddrinfo for (\S+) \[(\S+)\] failed - POSSIBLE BREAK-IN ATTEMPT!/,
    (m) => ({
      event: { action: 'possible_break_in', outcome: 'failure', category: ['network', 'intrusion_detection'], type: ['info'] },
      source: { ip: m[2], domain: m[1] },
    }),
  ],
  [
    /^Address (\S+) maps to (\S+), but this does not map back to the address - POSSIBLE BREAK-IN ATTEMPT!/,
    (m) => ({
      event: { action: 'possible_break_in', outcome: 'failure', category: ['network', 'intrusion_detection'], type: ['info'] },
      source: { ip: m[1], domain: m[2] },
    }),
  ],
  [
    /^Did not receive identification string from (\S+)(?: port (\d+))?/,
    (m) => ({
      event: net('no_identification', 'failure', 'info'),
      source: endpoint(m[1], m[2] ? Number(m[2]) : undefined),
    }),
  ],
  [
    /^Disconnecting(?: (?:invalid |authenticating )?user (\S+) (\S+) port (\d+))?: Too many authentication failures(?: for (?:invalid user )?(.*?))?(?: \[preauth\])?$/,
    (m) => ({
      event: auth('too_many_auth_failures', 'failure', 'end'),
      user: { name: m[4] ?? m[1] },
      source: endpoint(m[2], m[3] ? Number(m[3]) : undefined),
    }),
  ],
  [/^PAM service\(sshd\) ignoring max retries; (\d+) > (\d+)$/, () => ({ event: auth('max_retries_exceeded', 'failure', 'info') })],
];

const REPEATED = /^message repeated (\d+) times: \[ ?(.*?)\]?$/s;

function classify(message: string): Doc | undefined {
  const pam = /^pam_unix\(sshd:\w+\): (.*)$/.exec(message);
  if (pam) return pamFields(pam[1]!);
  for (const [re, build] of RULES) {
    const m = re.exec(message);
    if (m) return build(m);
  }
  return undefined;
}

export const openssh: LogSource = {
  name: 'openssh',
  description: 'OpenSSH server (sshd) authentication log in syslog framing',
  detect(input: RawInput): boolean {
    const line = lineOf(input);
    return line !== undefined && /^(?:<\d{1,3}>)?[A-Z][a-z]{2} +\d{1,2} [\d:]{8} \S+ +sshd\[\d+\]: /.test(line);
  },
  parse(input: RawInput, ctx: ParseContext) {
    const line = lineOf(input);
    if (line === undefined) return fail('openssh expects a text line, got a structured record');
    const sys = parseSyslog(line, ctx);
    if (!sys) return fail('not a syslog line: expected "Mon dd hh:mm:ss host sshd[pid]: message"');
    if (sys.program !== 'sshd') return fail(`not an sshd line: program is "${sys.appname ?? '(none)'}"`);
    const repeated = REPEATED.exec(sys.message);
    const inner = repeated ? repeated[2]! : sys.message;
    const fields = classify(inner) ?? {};
    const lvl = /^(error|fatal|warning):/.exec(inner)?.[1] ?? 'info';
    const event = (fields.event ?? {}) as Doc; // unknown sshd chatter: no category we could defend
    return ok({
      ...fields,
      '@timestamp': sys.timestamp,
      message: sys.message,
      event: { kind: 'event', dataset: 'openssh.auth', module: 'openssh', ...event },
      log: { level: lvl, syslog: { appname: sys.appname, priority: sys.priority } },
      host: { name: sys.host },
      process: { name: 'sshd', pid: sys.pid },
      openssh: { ...(fields.openssh as Doc | undefined), repeated: repeated ? Number(repeated[1]) : undefined },
    });
  },
};
