/**
 * pam_unix messages, which sshd, su, login and gdm all log: the authentication failures and
 * sessions that brute-force and account-misuse rules look for, whichever program wrote them.
 */
import type { Doc } from '../../core/doc';
import { endpoint } from './event-doc';

const AUTH_FAILURE = /^(?:PAM (\d+) more )?authentication failures?; (.*)$/;
// pam_unix 1.4+ writes the uid after each name: "session opened for user root(uid=0) by alice(uid=1000)".
const SESSION = /^session (opened|closed) for user ([^\s(]+)(?:\(uid=(\d+)\))?(?: by (\S*?)\(uid=(\d+)\))?$/;
const CHECK_PASS_UNKNOWN = /^check pass; user unknown$/;

function keyValues(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/(\w+)=(\S*)/g)) out[m[1]!] = m[2]!;
  return out;
}

/** ECS fields for a pam_unix message, or undefined when the message is not one we know. */
export function pamFields(message: string): Doc | undefined {
  const failure = AUTH_FAILURE.exec(message);
  if (failure) {
    const kv = keyValues(failure[2]!);
    return {
      event: {
        action: failure[1] === undefined ? 'authentication_failure' : 'authentication_failures_repeated',
        category: ['authentication'],
        type: ['start'],
        outcome: 'failure',
      },
      user: { name: kv.user || undefined },
      source: endpoint(kv.rhost),
      pam: { ruser: kv.ruser || undefined, tty: kv.tty || undefined, more_failures: failure[1] === undefined ? undefined : Number(failure[1]) },
    };
  }
  if (CHECK_PASS_UNKNOWN.test(message)) {
    return { event: { action: 'unknown_user', category: ['authentication'], type: ['info'], outcome: 'failure' } };
  }
  const session = SESSION.exec(message);
  if (session) {
    const opened = session[1] === 'opened';
    return {
      event: { action: opened ? 'session_opened' : 'session_closed', category: ['session'], type: [opened ? 'start' : 'end'], outcome: 'success' },
      user: { name: session[2], id: session[3] },
      pam: { by_user: session[4] || undefined, by_uid: session[5] },
    };
  }
  return undefined;
}
