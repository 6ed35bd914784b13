import { hdfs } from './hdfs';
import { CTX, disagreements, expectedIso, loghubSample, parseAll } from './test-support/loghub';

const sample = loghubSample('HDFS');
const events = parseAll(hdfs, sample.lines);

describe('hdfs on the loghub HDFS_2k sample', () => {
  test('every one of the 2000 lines parses', () => {
    expect(events).toHaveLength(2000);
    expect(sample.rows).toHaveLength(2000);
  });

  test('time, pid, level, component and message agree with the structured CSV row by row', () => {
    expect(
      disagreements(events, sample.rows, {
        '@timestamp': (r) =>
          expectedIso('20' + r.Date!.slice(0, 2), r.Date!.slice(2, 4), r.Date!.slice(4, 6), r.Time!.replace(/(\d\d)(\d\d)(\d\d)/, '$1:$2:$3')),
        'process.pid': (r) => Number(r.Pid),
        'log.level': (r) => r.Level!.toLowerCase(),
        'log.logger': (r) => r.Component,
        message: (r) => r.Content,
      }),
    ).toEqual([]);
  });
});

describe('hdfs on single lines', () => {
  const parse = (line: string) => hdfs.parse({ kind: 'line', line }, CTX);

  test('a line without the pid column is rejected with the expected layout', () => {
    expect(parse('081109 203615 INFO dfs.DataNode: x')).toEqual({
      ok: false,
      error: 'not an HDFS service log line: expected "yyMMdd HHmmss pid LEVEL class: message"',
    });
  });

  test('an impossible date is rejected', () => {
    expect(parse('081349 203615 148 INFO dfs.DataNode: x')).toEqual({ ok: false, error: 'invalid date/time "081349 203615"' });
  });
});
