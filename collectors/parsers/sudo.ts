/**
 * sudo's own log lines (sudoers(5), "Log format", sudo 1.9): who ran which command as whom,
 * the evidence of privileged activity.
 *   alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/cat /etc/shadow
 *   bob : 3 incorrect password attempts ; TTY=pts/1 ; PWD=/tmp ; USER=root ; COMMAND=/bin/sh
 *   eve : user NOT in sudoers ; TTY=pts/2 ; PWD=/home/eve ; USER=root ; COMMAND=/bin/bash
 */
import type { Doc } from '../../core/doc';

const LINE = /^\s*(\S+) : (?:([^=;]*?) ; )?((?:[A-Z_]+=.*? ; )*(?:[A-Z_]+=.*))$/s;

export function sudoFields(message: string): Doc | undefined {
  const m = LINE.exec(message);
  if (!m || !/\bCOMMAND=/.test(m[3]!)) return undefined;
  const kv: Record<string, string> = {};
  // COMMAND is last and may itself contain " ; ": it takes the rest of the line.
  const command = /(?:^| ; )COMMAND=(.*)$/s.exec(m[3]!)?.[1];
  for (const part of m[3]!.slice(0, m[3]!.length - (command === undefined ? 0 : command.length + 'COMMAND='.length)).split(' ; ')) {
    const eq = part.indexOf('=');
    if (eq > 0) kv[part.slice(0, eq)] = part.slice(eq + 1);
  }
  const problem = m[2];
  const denied = problem !== undefined;
  const target = kv.USER ?? 'root';
  return {
    event: {
      action: denied ? 'sudo_denied' : 'sudo_command',
      category: denied ? ['authentication', 'process'] : ['process'],
      type: denied ? ['start', 'denied'] : ['start'],
      outcome: denied ? 'failure' : 'success',
      reason: problem,
    },
    user: { name: m[1], effective: { name: target }, target: { name: target } },
    group: kv.GROUP ? { name: kv.GROUP } : undefined,
    process: { command_line: command, working_directory: kv.PWD, executable: command?.split(' ')[0] },
    sudo: { tty: kv.TTY, env: kv.ENV },
  };
}
