import { getField } from '../../core/doc';
import { openssh } from './openssh';
import { CTX, disagreements, expectedIso, loghubSample, parseAll } from './test-support/loghub';

const sample = loghubSample('OpenSSH');
const events = parseAll(openssh, sample.lines);

function countBy(keys: readonly (string | undefined)[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) if (k !== undefined) out[k] = (out[k] ?? 0) + 1;
  return out;
}
const ofAction = (action: string, outcome?: string, method?: string) =>
  countBy(
    events
      .filter((e) => getField(e, 'event.action') === action && (outcome === undefined || getField(e, 'event.outcome') === outcome))
      .filter((e) => method === undefined || getField(e, 'openssh.method') === method)
      .map((e) => getField(e, 'source.ip') as string | undefined),
  );
const ofRegex = (re: RegExp) => countBy(sample.lines.map((l) => re.exec(l)?.[1]));

describe('openssh on the loghub OpenSSH_2k sample', () => {
  test('every one of the 2000 lines parses', () => {
    expect(events).toHaveLength(2000);
  });

  test('time, host, process, pid and message agree with the structured CSV row by row', () => {
    expect(sample.rows).toHaveLength(2000);
    expect(
      disagreements(events, sample.rows, {
        '@timestamp': (r) => expectedIso('2024', r.Date!, r.Day!, r.Time!),
        'host.name': (r) => r.Component,
        'process.name': () => 'sshd',
        'process.pid': (r) => Number(r.Pid),
        message: (r) => r.Content,
      }),
    ).toEqual([]);
  });

  test('failed passwords per source IP equal a plain regex count over the raw lines', () => {
    const expected = ofRegex(/Failed password for (?:invalid user )?.*? from (\d+\.\d+\.\d+\.\d+) port \d+/);
    expect(Object.keys(expected)).toHaveLength(23);
    expect(ofAction('ssh_login', 'failure', 'password')).toEqual(expected);
  });

  test('invalid users per source IP equal a plain regex count over the raw lines', () => {
    expect(ofAction('invalid_user')).toEqual(ofRegex(/: Invalid user .*? from (\d+\.\d+\.\d+\.\d+)/));
  });

  test('accepted logins per source IP equal a plain regex count over the raw lines', () => {
    const expected = ofRegex(/: Accepted \S+ for \S+ from (\d+\.\d+\.\d+\.\d+)/);
    expect(expected).toEqual({ '119.137.62.142': 1 });
    expect(ofAction('ssh_login', 'success')).toEqual(expected);
  });

  test('disconnects per source IP equal a plain regex count over the raw lines', () => {
    expect(ofAction('disconnect')).toEqual(ofRegex(/(?:Received disconnect from |Disconnected from (?:\S+ user \S+ )?)(\d+\.\d+\.\d+\.\d+)/));
  });

  test('PAM authentication failures and break-in hints carry the remote address', () => {
    const pam = events.filter((e) => getField(e, 'event.action') === 'authentication_failure');
    expect(pam).toHaveLength(sample.lines.filter((l) => /pam_unix\(sshd:auth\): authentication failure;/.test(l)).length);
    expect(pam.every((e) => getField(e, 'source.ip') !== undefined || getField(e, 'source.domain') !== undefined)).toBe(true);
    const breakIns = events.filter((e) => getField(e, 'event.action') === 'possible_break_in');
    expect(breakIns).toHaveLength(sample.lines.filter((l) => l.includes('POSSIBLE BREAK-IN ATTEMPT')).length);
    expect(getField(breakIns[0]!, 'source.ip')).toBe('173.234.31.186');
    expect(getField(breakIns[0]!, 'source.domain')).toBe('ns.marryaldkfaczcz.com');
  });
});

describe('openssh on single lines', () => {
  const parse = (line: string) => openssh.parse({ kind: 'line', line }, CTX);

  test('a failed password for an invalid user is a failed ssh_login of that user from that address and port', () => {
    const out = parse('Dec 10 07:07:38 LabSZ sshd[24206]: Failed password for invalid user test9 from 52.80.34.196 port 36060 ssh2');
    expect(out).toEqual({
      ok: true,
      event: {
        '@timestamp': '2024-12-10T07:07:38.000Z',
        message: 'Failed password for invalid user test9 from 52.80.34.196 port 36060 ssh2',
        event: {
          kind: 'event',
          dataset: 'openssh.auth',
          module: 'openssh',
          action: 'ssh_login',
          outcome: 'failure',
          category: ['authentication'],
          type: ['start'],
        },
        user: { name: 'test9' },
        source: { ip: '52.80.34.196', port: 36060 },
        openssh: { method: 'password', invalid_user: true, protocol: 'ssh2' },
        log: { level: 'info', syslog: { appname: 'sshd' } },
        host: { name: 'LabSZ' },
        process: { name: 'sshd', pid: 24206 },
      },
    });
  });

  test('an accepted public key login is a successful ssh_login', () => {
    const out = parse('Jan  5 09:01:02 gw sshd[811]: Accepted publickey for alice from 10.0.0.5 port 50122 ssh2: RSA SHA256:abc');
    expect(out.ok && getField(out.event, 'event.outcome')).toBe('success');
    expect(out.ok && getField(out.event, 'openssh.method')).toBe('publickey');
    expect(out.ok && getField(out.event, 'user.name')).toBe('alice');
  });

  test('a newer sshd "Disconnected from invalid user" line is a disconnect with user and port', () => {
    const out = parse('Mar  1 00:00:01 gw sshd[9]: Disconnected from invalid user admin 45.1.2.3 port 4242 [preauth]');
    expect(out.ok && getField(out.event, 'event.action')).toBe('disconnect');
    expect(out.ok && getField(out.event, 'user.name')).toBe('admin');
    expect(out.ok && getField(out.event, 'source.port')).toBe(4242);
  });

  test('a "message repeated" line keeps the inner failure and how often it repeated', () => {
    const out = parse('Dec 10 09:32:20 LabSZ sshd[24680]: message repeated 5 times: [ Failed password for root from 5.36.59.76 port 42393 ssh2]');
    expect(out.ok && getField(out.event, 'event.action')).toBe('ssh_login');
    expect(out.ok && getField(out.event, 'openssh.repeated')).toBe(5);
    expect(out.ok && getField(out.event, 'source.ip')).toBe('5.36.59.76');
  });

  test('the offset from the context is kept in @timestamp', () => {
    const out = openssh.parse(
      { kind: 'line', line: 'Dec 10 07:07:38 LabSZ sshd[1]: Connection closed by 1.2.3.4 [preauth]' },
      { timeZone: '+08:00', receivedAt: new Date('2023-12-10T00:00:00Z') },
    );
    expect(out.ok && out.event['@timestamp']).toBe('2023-12-10T07:07:38.000+08:00');
  });

  test('a line from another program is rejected with the program named', () => {
    expect(parse('Dec 10 07:07:38 LabSZ cron[1]: hello')).toEqual({ ok: false, error: 'not an sshd line: program is "cron"' });
  });

  test('a line without syslog framing is rejected, not thrown', () => {
    expect(parse('Failed password for root from 1.2.3.4 port 22 ssh2')).toEqual({
      ok: false,
      error: 'not a syslog line: expected "Mon dd hh:mm:ss host sshd[pid]: message"',
    });
  });
});
