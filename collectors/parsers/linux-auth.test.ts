/**
 * Lines of a `secure` / `auth.log` file that the loghub samples do not have, written as the
 * products document them: sudo 1.9.15 sudoers(5) "Log format" (sudo.ws/docs/man/sudoers.man);
 * Linux-PAM 1.5 pam_unix(8) session messages with "(uid=N)"; ZooKeeper 3.8 server log.
 */
import { getField } from '../../core/doc';
import { linuxSyslog } from './linux-syslog';
import { openssh } from './openssh';
import { zookeeper } from './zookeeper';
import { CTX } from './test-support/loghub';

const field = (out: ReturnType<typeof linuxSyslog.parse>, f: string) => (out.ok ? getField(out.event, f) : out.error);

describe('sudo lines', () => {
  test('who ran which command as whom, where', () => {
    const out = linuxSyslog.parse(
      { kind: 'line', line: 'Mar  1 10:00:00 bastion-01 sudo[2120]:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/cat /etc/shadow' },
      CTX,
    );
    expect(out).toMatchObject({
      ok: true,
      event: {
        event: { action: 'sudo_command', outcome: 'success', category: ['process'] },
        user: { name: 'alice', effective: { name: 'root' }, target: { name: 'root' } },
        process: { name: 'sudo', pid: 2120, command_line: '/usr/bin/cat /etc/shadow', executable: '/usr/bin/cat', working_directory: '/home/alice' },
      },
    });
  });

  test('refusals: wrong passwords and users not in sudoers, with the reason', () => {
    const denied = linuxSyslog.parse(
      { kind: 'line', line: 'Mar  1 10:00:05 bastion-01 sudo:      bob : 3 incorrect password attempts ; TTY=pts/1 ; PWD=/tmp ; USER=root ; COMMAND=/bin/sh' },
      CTX,
    );
    expect(denied).toMatchObject({
      ok: true,
      event: { event: { action: 'sudo_denied', outcome: 'failure', reason: '3 incorrect password attempts' }, user: { name: 'bob' } },
    });
    const notAllowed = linuxSyslog.parse(
      {
        kind: 'line',
        line: 'Mar  1 10:00:06 bastion-01 sudo[2201]:      eve : user NOT in sudoers ; TTY=pts/2 ; PWD=/home/eve ; USER=postgres ; COMMAND=/usr/bin/psql -c select 1 ; drop table x',
      },
      CTX,
    );
    expect([field(notAllowed, 'event.reason'), field(notAllowed, 'user.effective.name'), field(notAllowed, 'process.command_line')]).toEqual([
      'user NOT in sudoers',
      'postgres',
      '/usr/bin/psql -c select 1 ; drop table x',
    ]);
  });
});

describe('pam_unix names with their uid', () => {
  test('"session opened for user root(uid=0) by alice(uid=1000)" names root and alice, not "root(uid=0)"', () => {
    const out = linuxSyslog.parse(
      { kind: 'line', line: 'Mar  1 10:00:00 bastion-01 sudo[2120]: pam_unix(sudo:session): session opened for user root(uid=0) by alice(uid=1000)' },
      CTX,
    );
    expect([field(out, 'user.name'), field(out, 'user.id'), field(out, 'pam.by_user'), field(out, 'event.action')]).toEqual([
      'root',
      '0',
      'alice',
      'session_opened',
    ]);
    const ssh = openssh.parse(
      { kind: 'line', line: 'Mar  1 10:01:00 bastion-01 sshd[3001]: pam_unix(sshd:session): session opened for user ops(uid=1001) by (uid=0)' },
      CTX,
    );
    expect([field(ssh, 'user.name'), field(ssh, 'user.id')]).toEqual(['ops', '1001']);
  });
});

describe('ZooKeeper peers', () => {
  test('"Received connection request /10.10.34.12:45028" gives the source address', () => {
    const out = zookeeper.parse(
      {
        kind: 'line',
        line: '2015-07-29 19:04:12,394 - INFO  [/10.10.34.11:3888:QuorumCnxManager$Listener@493] - Received connection request /10.10.34.12:45028',
      },
      CTX,
    );
    expect([field(out, 'source.ip'), field(out, 'source.port')]).toEqual(['10.10.34.12', 45028]);
    const accepted = zookeeper.parse(
      {
        kind: 'line',
        line: '2015-07-29 19:04:29,071 - INFO  [NIOServerCxn.Factory:0.0.0.0/0.0.0.0:2181:NIOServerCnxnFactory@197] - Accepted socket connection from /10.10.34.13:37177',
      },
      CTX,
    );
    expect(field(accepted, 'source.ip')).toBe('10.10.34.13');
  });
});
