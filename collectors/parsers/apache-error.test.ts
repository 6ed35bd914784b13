import { apacheError } from './apache-error';
import { CTX, disagreements, expectedIso, loghubSample, parseAll } from './test-support/loghub';

const sample = loghubSample('Apache');
const events = parseAll(apacheError, sample.lines);

describe('apache-error on the loghub Apache_2k sample', () => {
  test('every one of the 2000 lines parses', () => {
    expect(events).toHaveLength(2000);
    expect(sample.rows).toHaveLength(2000);
  });

  test('time, level and message agree with the structured CSV row by row', () => {
    expect(
      disagreements(events, sample.rows, {
        '@timestamp': (r) => {
          const [, mon, day, time, year] = r.Time!.split(' ');
          return expectedIso(year!, mon!, day!, time!);
        },
        'log.level': (r) => r.Level!.toLowerCase(),
        message: (r) => r.Content,
      }),
    ).toEqual([]);
  });
});

describe('apache-error on single lines', () => {
  const parse = (line: string) => apacheError.parse({ kind: 'line', line }, CTX);

  test('the client address of a denied request becomes source.ip', () => {
    const out = parse('[Sun Dec 04 05:15:09 2005] [error] [client 222.166.160.184] Directory index forbidden by rule: /var/www/html/');
    expect(out.ok && out.event).toMatchObject({ source: { ip: '222.166.160.184' }, event: { type: ['error'] } });
  });

  test('the Apache 2.4 layout with module, pid and client port is understood', () => {
    const out = parse(
      '[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 35708:tid 4328636416] [client 72.15.99.187:4711] File does not exist: /usr/local/apache2/htdocs/favicon.ico',
    );
    expect(out.ok && out.event).toMatchObject({
      '@timestamp': '2000-10-11T14:32:52.123Z',
      log: { level: 'error', logger: 'core' },
      process: { pid: 35708 },
      source: { ip: '72.15.99.187', port: 4711 },
    });
  });

  test('a line without the bracketed date is rejected', () => {
    expect(parse('Dec 04 05:15:09 2005 error oops').ok).toBe(false);
  });
});
