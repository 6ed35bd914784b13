/**
 * sshd and sudo lines as rsyslog writes them to /var/log/secure: the RFC 3164 header
 * ("Mmm dd hh:mm:ss host program[pid]: message", local time, day padded with a space). sshd
 * messages are OpenSSH's own wording (auth.c `auth_log`: "Accepted publickey for %s from %s port
 * %d ssh2: ...", "Failed password for [invalid user ]%s from %s port %d ssh2"; pam_unix session
 * lines); sudo's is the sudoers log format ("user : TTY=... ; PWD=... ; USER=root ; COMMAND=...",
 * sudoers(5), "Log format").
 */
import type { SyslogMessage } from '../activity';
import { local, pad } from '../activity';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function syslogLine(a: SyslogMessage): string {
  const p = local(a.t);
  const tag = a.pid === undefined ? a.program : `${a.program}[${a.pid}]`;
  return `${MONTHS[p.mo - 1]} ${String(p.d).padStart(2, ' ')} ${pad(p.h)}:${pad(p.mi)}:${pad(p.s)} ${a.host} ${tag}: ${a.message}`;
}
