import { auditd } from './auditd';
import { CTX } from './test-support/loghub';

const parse = (line: string) => auditd.parse({ kind: 'line', line }, CTX);

describe('auditd', () => {
  test('a failed sshd login names the account, the remote address and the failure', () => {
    const out = parse(
      'type=USER_LOGIN msg=audit(1364481363.243:24287): pid=25505 uid=0 auid=4294967295 ses=4294967295 subj=system_u:system_r:sshd_t:s0-s0:c0.c1023 msg=\'op=login acct="root" exe="/usr/sbin/sshd" hostname=? addr=179.39.2.34 terminal=sshd res=failed\'',
    );
    expect(out.ok && out.event).toMatchObject({
      '@timestamp': '2013-03-28T14:36:03.243Z',
      event: { action: 'user_login', category: ['authentication'], type: ['start'], outcome: 'failure', sequence: 24287 },
      user: { name: 'root', id: '0' },
      process: { pid: 25505, executable: '/usr/sbin/sshd', name: 'sshd' },
      source: { ip: '179.39.2.34' },
    });
  });

  test('an execve syscall record is kept with its fields and the node name as host', () => {
    const out = parse(
      'node=web01 type=SYSCALL msg=audit(1700000000.100:812): arch=c000003e syscall=59 success=yes exit=0 a0=55d0 ppid=1200 pid=1300 auid=1000 uid=0 comm="bash" exe="/usr/bin/bash" key="exec"',
    );
    expect(out.ok && out.event).toMatchObject({
      host: { name: 'web01' },
      event: { outcome: 'success' },
      user: { audit: { id: '1000' } },
      process: { pid: 1300, parent: { pid: 1200 }, name: 'bash' },
      auditd: { log: { syscall: '59', key: 'exec' } },
    });
  });

  test('an account creation is an iam user creation', () => {
    const out = parse(
      'type=ADD_USER msg=audit(1700000100.000:900): pid=4100 uid=0 auid=1000 ses=3 msg=\'op=adding user id=1001 exe="/usr/sbin/useradd" hostname=web01 addr=? terminal=pts/0 res=success\'',
    );
    expect(out.ok && out.event).toMatchObject({ event: { category: ['iam'], type: ['user', 'creation'], outcome: 'success' } });
  });

  test('a record without msg=audit(...) is rejected with the expected layout', () => {
    expect(parse('type=USER_LOGIN pid=1 uid=0')).toEqual({ ok: false, error: 'not an audit record: expected "type=TYPE msg=audit(epoch:serial): fields"' });
  });
});
