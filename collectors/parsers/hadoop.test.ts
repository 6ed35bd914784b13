import { hadoop } from './hadoop';
import { CTX, disagreements, expectedIso, loghubSample, parseAll } from './test-support/loghub';

const sample = loghubSample('Hadoop');
const events = parseAll(hadoop, sample.lines);

describe('hadoop on the loghub Hadoop_2k sample', () => {
  test('every one of the 2000 lines parses', () => {
    expect(events).toHaveLength(2000);
    expect(sample.rows).toHaveLength(2000);
  });

  test('time, level, thread (Process), logger (Component) and message agree with the structured CSV row by row', () => {
    expect(
      disagreements(events, sample.rows, {
        '@timestamp': (r) => expectedIso(r.Date!.slice(0, 4), r.Date!.slice(5, 7), r.Date!.slice(8, 10), r.Time!.slice(0, 8), r.Time!.slice(9)),
        'log.level': (r) => r.Level!.toLowerCase(),
        'process.thread.name': (r) => r.Process,
        'log.logger': (r) => r.Component,
        message: (r) => r.Content,
      }),
    ).toEqual([]);
  });
});

describe('hadoop on single lines', () => {
  const parse = (line: string) => hadoop.parse({ kind: 'line', line }, CTX);

  test('an ERROR line is an error event', () => {
    const out = parse(
      '2015-10-18 18:10:58,371 ERROR [RMCommunicator Allocator] org.apache.hadoop.mapreduce.v2.app.rm.RMContainerAllocator: ERROR IN CONTACTING RM.',
    );
    expect(out.ok && out.event).toMatchObject({
      event: { type: ['error'] },
      log: { level: 'error' },
      process: { thread: { name: 'RMCommunicator Allocator' } },
    });
  });

  test('a NameNode line (no thread) and a HiveServer2 line (ISO 8601, padded level) parse', () => {
    expect(parse('2024-03-01 10:00:00,123 INFO org.apache.hadoop.hdfs.server.namenode.FSNamesystem: Roll Edit Log from 10.1.2.3')).toMatchObject({
      ok: true,
      event: {
        '@timestamp': '2024-03-01T10:00:00.123Z',
        log: { level: 'info', logger: 'org.apache.hadoop.hdfs.server.namenode.FSNamesystem' },
        message: 'Roll Edit Log from 10.1.2.3',
      },
    });
    expect(parse('2024-03-01T10:00:01,500  WARN [HiveServer2-Handler-Pool: Thread-77] server.HiveServer2: slow query')).toMatchObject({
      ok: true,
      event: { log: { level: 'warn', logger: 'server.HiveServer2' }, process: { thread: { name: 'HiveServer2-Handler-Pool: Thread-77' } } },
    });
  });

  test('a line without a logger is rejected with the expected layout', () => {
    expect(parse('2015-10-18 18:01:47,978 INFO just words')).toEqual({
      ok: false,
      error: 'not a Hadoop log line: expected "yyyy-MM-dd HH:mm:ss,SSS LEVEL [thread] class: message" or "yyMMdd HHmmss pid LEVEL class: message"',
    });
  });

  test('the classic HDFS layout of older NameNodes and DataNodes, tagged hadoop, parses: all 2,000 loghub HDFS lines (issue 19)', () => {
    const { lines } = loghubSample('HDFS');
    const events = parseAll(hadoop, lines);
    expect(events).toHaveLength(2000);
    expect(events[0]).toMatchObject({
      '@timestamp': '2008-11-09T20:36:15.000Z',
      event: { dataset: 'hdfs.service' },
      process: { pid: 148 },
      log: { level: 'info', logger: 'dfs.DataNode$PacketResponder' },
    });
  });
});
