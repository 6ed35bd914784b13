import { getField } from '../../core/doc';
import { linuxSyslog } from './linux-syslog';
import { CTX, disagreements, expectedIso, loghubSample, parseAll } from './test-support/loghub';

const sample = loghubSample('Linux');
const events = parseAll(linuxSyslog, sample.lines);

describe('linux-syslog on the loghub Linux_2k sample', () => {
  test('every one of the 2000 lines parses', () => {
    expect(events).toHaveLength(2000);
  });

  // loghub's "Level" column holds the host name and "Component" the syslog tag as written.
  test('time, host, tag, pid and message agree with the structured CSV row by row', () => {
    expect(
      disagreements(events, sample.rows, {
        '@timestamp': (r) => expectedIso('2024', r.Month!, r.Date!, r.Time!),
        'host.name': (r) => r.Level,
        'log.syslog.appname': (r) => r.Component,
        'process.pid': (r) => (r.PID === '' ? undefined : Number(r.PID)),
        message: (r) => r.Content,
      }),
    ).toEqual([]);
  });

  test('PAM authentication failures from sshd and friends carry outcome, remote host and user', () => {
    const failures = events.filter((e) => getField(e, 'event.action') === 'authentication_failure' && getField(e, 'process.name') === 'sshd');
    expect(failures).toHaveLength(sample.lines.filter((l) => /sshd\(pam_unix\)\[\d+\]: authentication failure;/.test(l)).length);
    expect(failures.every((e) => getField(e, 'event.outcome') === 'failure')).toBe(true);
    expect(getField(failures[0]!, 'source.ip')).toBe('218.188.2.4');
  });

  test('su sessions are session start/end events of the target user', () => {
    const opened = events.filter((e) => getField(e, 'event.action') === 'session_opened' && getField(e, 'process.name') === 'su');
    expect(opened.length).toBe(sample.lines.filter((l) => /su\(pam_unix\)\[\d+\]: session opened/.test(l)).length);
    expect(getField(opened[0]!, 'event.type')).toEqual(['start']);
  });
});

describe('linux-syslog on single lines', () => {
  const parse = (line: string) => linuxSyslog.parse({ kind: 'line', line }, CTX);

  test('a legacy tag with a version keeps the tag and names the program', () => {
    const out = parse('Jun 19 04:09:11 combo syslogd 1.4.1: restart.');
    expect(out).toEqual({
      ok: true,
      event: {
        '@timestamp': '2024-06-19T04:09:11.000Z',
        message: 'restart.',
        event: { kind: 'event', dataset: 'linux.syslog', module: 'linux' },
        log: { syslog: { appname: 'syslogd 1.4.1' } },
        host: { name: 'combo' },
        process: { name: 'syslogd' },
      },
    });
  });

  test('a cron command is a process start by that user', () => {
    const out = parse('<78>Jun 20 10:00:01 web01 CROND[4411]: (root) CMD (run-parts /etc/cron.hourly)');
    expect(out.ok && getField(out.event, 'process.command_line')).toBe('run-parts /etc/cron.hourly');
    expect(out.ok && getField(out.event, 'user.name')).toBe('root');
    expect(out.ok && getField(out.event, 'log.syslog.priority')).toBe(78);
  });

  test('an impossible date is rejected with the reason', () => {
    expect(parse('Feb 30 10:00:00 host kernel: x')).toEqual({
      ok: false,
      error: 'not a syslog line: expected "Mon dd hh:mm:ss host program[pid]: message" with a valid date',
    });
  });
});
