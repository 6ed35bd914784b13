/**
 * Linux audit daemon records (type=... msg=audit(epoch:serial): key=value ...), including the
 * user-space message nested in msg='...'. Record types map to ECS categories so logins,
 * account changes and executions look like those from any other source.
 */
import type { Doc } from '../../core/doc';
import type { LogSource, ParseContext, RawInput } from './source';
import { endpoint, fail, int, lineOf, ok } from './event-doc';
import { isoFromEpoch } from './timestamps';

const LINE = /^(?:node=(\S+) )?type=(\w+) msg=audit\((\d+(?:\.\d+)?):(\d+)\): ?(.*)$/s;

const TYPES: Readonly<Record<string, readonly [string[], string[]]>> = {
  USER_LOGIN: [['authentication'], ['start']],
  USER_LOGOUT: [['authentication'], ['end']],
  USER_AUTH: [['authentication'], ['info']],
  USER_ACCT: [['authentication'], ['info']],
  USER_ERR: [['authentication'], ['error']],
  CRED_ACQ: [['authentication'], ['info']],
  CRED_DISP: [['authentication'], ['info']],
  CRED_REFR: [['authentication'], ['info']],
  USER_START: [['session'], ['start']],
  USER_END: [['session'], ['end']],
  LOGIN: [['authentication'], ['start']],
  ADD_USER: [['iam'], ['user', 'creation']],
  DEL_USER: [['iam'], ['user', 'deletion']],
  USER_MGMT: [['iam'], ['user', 'change']],
  ADD_GROUP: [['iam'], ['group', 'creation']],
  DEL_GROUP: [['iam'], ['group', 'deletion']],
  GRP_MGMT: [['iam'], ['group', 'change']],
  USER_CHAUTHTOK: [['iam'], ['user', 'change']],
  ROLE_ASSIGN: [['iam'], ['user', 'change']],
  EXECVE: [['process'], ['start']],
  USER_CMD: [['process'], ['start']],
  SYSCALL: [['host'], ['info']],
  SERVICE_START: [['process'], ['start']],
  SERVICE_STOP: [['process'], ['end']],
  DAEMON_START: [['process'], ['start']],
  DAEMON_END: [['process'], ['end']],
  CONFIG_CHANGE: [['configuration'], ['change']],
  AVC: [['intrusion_detection'], ['denied']],
  ANOM_ABEND: [['process'], ['error']],
  ANOM_PROMISCUOUS: [['network'], ['info']],
};

/** key=value, key="quoted", key='nested message'; values are written without spaces unless quoted. */
export function auditFields(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/([\w-]+)=(?:"([^"]*)"|'([^']*)'|(\S*))/g)) {
    const [, key, dq, sq, bare] = m;
    if (sq !== undefined) Object.assign(out, auditFields(sq));
    else out[key!] = dq ?? bare ?? '';
  }
  return out;
}

const present = (v: string | undefined): string | undefined => (v === undefined || v === '?' || v === '' || v === '(null)' || v === 'unset' ? undefined : v);

function outcomeOf(f: Record<string, string>): string | undefined {
  const res = f.res ?? f.success;
  if (res === undefined) return undefined;
  return /^(success|yes|1)$/.test(res) ? 'success' : /^(fail|failed|no|0)$/.test(res) ? 'failure' : 'unknown';
}

export const auditd: LogSource = {
  name: 'auditd',
  description: 'Linux audit daemon log (audit.log: type=... msg=audit(...): ...)',
  detect(input: RawInput): boolean {
    const line = lineOf(input);
    return line !== undefined && /^(?:node=\S+ )?type=\w+ msg=audit\(\d/.test(line);
  },
  parse(input: RawInput, _ctx: ParseContext) {
    const line = lineOf(input);
    if (line === undefined) return fail('auditd expects a text line, got a structured record');
    const m = LINE.exec(line);
    if (!m) return fail('not an audit record: expected "type=TYPE msg=audit(epoch:serial): fields"');
    const ts = isoFromEpoch(m[3]!);
    if (!ts) return fail(`invalid audit time "${m[3]}"`);
    const f = auditFields(m[5]!);
    const [category, type] = TYPES[m[2]!] ?? [undefined, ['info']];
    const exe = present(f.exe)?.replace(/^"|"$/g, '');
    const fields: Doc = {
      '@timestamp': ts,
      message: m[5],
      event: {
        kind: 'event',
        dataset: 'auditd.log',
        module: 'auditd',
        action: m[2]!.toLowerCase(),
        category,
        type,
        outcome: outcomeOf(f),
        sequence: Number(m[4]),
      },
      host: { name: m[1] ?? present(f.node) },
      user: {
        name: present(f.acct) ?? present(f.AUID) ?? present(f.UID),
        id: present(f.uid),
        audit: { id: present(f.auid) === '4294967295' ? undefined : present(f.auid) },
      },
      process: { pid: int(f.pid), parent: { pid: int(f.ppid) }, executable: exe, name: exe?.split('/').pop() ?? present(f.comm), title: present(f.proctitle) },
      source: endpoint(present(f.addr) ?? present(f.hostname)),
      auditd: { log: { ...f, record_type: m[2], serial: Number(m[4]) } },
    };
    return ok(fields);
  },
};
