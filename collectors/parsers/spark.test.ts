import { spark } from './spark';
import { CTX, disagreements, expectedIso, loghubSample, parseAll } from './test-support/loghub';

const sample = loghubSample('Spark');
const events = parseAll(spark, sample.lines);

describe('spark on the loghub Spark_2k sample', () => {
  test('every one of the 2000 lines parses', () => {
    expect(events).toHaveLength(2000);
    expect(sample.rows).toHaveLength(2000);
  });

  test('time, level, logger (Component) and message agree with the structured CSV row by row', () => {
    expect(
      disagreements(events, sample.rows, {
        '@timestamp': (r) => expectedIso('20' + r.Date!.slice(0, 2), r.Date!.slice(3, 5), r.Date!.slice(6, 8), r.Time!),
        'log.level': (r) => r.Level!.toLowerCase(),
        'log.logger': (r) => r.Component,
        message: (r) => r.Content,
      }),
    ).toEqual([]);
  });
});

describe('spark on single lines', () => {
  const parse = (line: string) => spark.parse({ kind: 'line', line }, CTX);

  test('a WARN line keeps its logger and text', () => {
    const out = parse('17/06/09 20:11:11 WARN storage.BlockManager: Putting block rdd_2_3 failed');
    expect(out).toEqual({
      ok: true,
      event: {
        '@timestamp': '2017-06-09T20:11:11.000Z',
        message: 'Putting block rdd_2_3 failed',
        event: { kind: 'event', dataset: 'spark.log', module: 'spark', type: ['info'] },
        log: { level: 'warn', logger: 'storage.BlockManager' },
        service: { type: 'spark' },
      },
    });
  });

  test('an ISO-dated line is not a Spark line', () => {
    expect(parse('2017-06-09 20:11:11 WARN x: y')).toEqual({ ok: false, error: 'not a Spark log line: expected "yy/MM/dd HH:mm:ss LEVEL class: message"' });
  });
});
