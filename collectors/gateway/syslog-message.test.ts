import { parseStructuredData, syslogInput } from './syslog-message';

const AT = new Date('2026-11-20T00:00:00Z');

describe('syslog messages', () => {
  it('passes RFC 3164 lines to the sources as they are', () => {
    const line = '<38>Nov 20 08:00:00 web-01 sshd[1]: Accepted password for a from 1.2.3.4 port 1 ssh2';
    expect(syslogInput(line, '10.0.0.9', 'syslog-udp', AT)).toEqual({
      raw: { kind: 'line', line },
      hint: { collector: 'syslog-udp', receivedAt: AT, source: undefined, extra: { log: { source: { address: '10.0.0.9' } } } },
    });
  });

  it('rewrites RFC 5424 into the BSD form and keeps time, msgid, priority and structured data', () => {
    const m = '<165>1 2026-11-20T08:00:00.123456+08:00 nn-01 hdfs 4242 ID47 [exampleSDID@32473 iut="3" eventSource="App\\]lication"] \uFEFFhello';
    const r = syslogInput(m, undefined, 'syslog-tcp', AT);
    expect(r.raw).toEqual({ kind: 'line', line: '<165>Nov 20 00:00:00 nn-01 hdfs[4242]: hello' });
    expect(r.hint).toMatchObject({
      original: m,
      exactTimestamp: '2026-11-20T08:00:00.123456+08:00',
      extra: {
        log: {
          syslog: {
            version: '1',
            priority: 165,
            facility: { code: 20 },
            severity: { code: 5 },
            msgid: 'ID47',
            hostname: 'nn-01',
            appname: 'hdfs',
            procid: '4242',
            structured_data: { 'exampleSDID@32473': { iut: '3', eventSource: 'App]lication' } },
          },
        },
      },
    });
  });

  it('reads nil values and a message without structured data', () => {
    const r = syslogInput('<14>1 2026-11-20T00:00:00Z - - - - - no header fields', undefined, 'c', AT);
    expect(r.raw).toEqual({ kind: 'line', line: '<14>Nov 20 00:00:00 - -: no header fields' });
    expect(parseStructuredData('-')).toBeUndefined();
  });
});
