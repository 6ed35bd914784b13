import { zookeeper } from './zookeeper';
import { CTX, disagreements, expectedIso, loghubSample, parseAll } from './test-support/loghub';

const sample = loghubSample('Zookeeper');
const events = parseAll(zookeeper, sample.lines);

describe('zookeeper on the loghub Zookeeper_2k sample', () => {
  test('every one of the 2000 lines parses', () => {
    expect(events).toHaveLength(2000);
    expect(sample.rows).toHaveLength(2000);
  });

  test('time, level, thread and class (Node:Component), line (Id) and message agree with the structured CSV row by row', () => {
    expect(
      disagreements(events, sample.rows, {
        '@timestamp': (r) => expectedIso(r.Date!.slice(0, 4), r.Date!.slice(5, 7), r.Date!.slice(8, 10), r.Time!.slice(0, 8), r.Time!.slice(9)),
        'log.level': (r) => r.Level!.toLowerCase(),
        // loghub split [thread:Class@line] at the first colon; the thread itself may hold colons.
        'process.thread.name': (r) => [r.Node, ...r.Component!.split(':').slice(0, -1)].join(':'),
        'log.logger': (r) => r.Component!.split(':').pop(),
        'log.origin.file.line': (r) => Number(r.Id),
        message: (r) => r.Content,
      }),
    ).toEqual([]);
  });
});

describe('zookeeper on single lines', () => {
  const parse = (line: string) => zookeeper.parse({ kind: 'line', line }, CTX);

  test('a thread name holding colons is split at the last one', () => {
    const out = parse('2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774] - Notification time out: 3200');
    expect(out.ok && out.event).toMatchObject({
      log: { level: 'info', logger: 'FastLeaderElection', origin: { file: { line: 774 } } },
      process: { thread: { name: 'QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181' } },
    });
  });

  test('a line without the bracketed location is rejected', () => {
    expect(parse('2015-07-29 17:41:44,747 - INFO - hello').ok).toBe(false);
  });
});
