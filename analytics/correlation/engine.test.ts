import { CorrelationEngine } from './engine';
import { at, correlation } from './test-support';
import type { CorrelationFiring } from './types';
import { type CorrelationSnapshot, parseSnapshot } from './snapshot';

const failed = { ruleId: 'f-id', name: 'failed_login' };
const success = { ruleId: 's-id', name: 'successful_login' };
const login = (ip: string, user = 'root') => ({ source: { ip }, user: { name: user } });

const bruteForce = correlation(
  `  type: event_count
  rules: [failed_login]
  group-by: [source.ip]
  timespan: 60s
  condition:
    gte: 3
`,
  'id: bf\nname: brute_force\n',
);

function run(engine: CorrelationEngine, steps: [Record<string, unknown>, { ruleId: string; name?: string }[], number, string?][]): CorrelationFiring[] {
  return steps.flatMap(([e, m, t, id]) => engine.process(e, m, t, id));
}

describe('event_count', () => {
  test('fires once when the third failure from one address falls within the window, with its event ids', () => {
    const fired = run(new CorrelationEngine([bruteForce]), [
      [login('10.0.0.1'), [failed], at(0), 'e1'],
      [login('10.0.0.2'), [failed], at(1), 'e2'],
      [login('10.0.0.1'), [failed], at(30), 'e3'],
      [login('10.0.0.1'), [failed], at(59), 'e4'],
      [login('10.0.0.1'), [failed], at(60), 'e5'],
    ]);
    expect(fired.map((f) => [f.ruleId, f.groupKey, f.value, f.eventIds, f.firstSeen, f.lastSeen])).toEqual([
      ['bf', '10.0.0.1', 3, ['e1', 'e3', 'e4'], at(0), at(59)],
    ]);
  });

  test('events replayed after the end of input, within the lateness, are not counted again (the ids survive flush and a restart)', () => {
    const first = new CorrelationEngine([bruteForce], { allowedLatenessMs: 60_000 });
    const steps: [Record<string, unknown>, { ruleId: string; name?: string }[], number, string][] = [
      [login('10.0.0.1'), [failed], at(100), 'e1'],
      [login('10.0.0.1'), [failed], at(110), 'e2'],
      [login('10.0.0.1'), [failed], at(120), 'e3'],
    ];
    expect(run(first, steps).map((f) => f.eventIds)).toEqual([['e1', 'e2', 'e3']]);
    expect(first.flush()).toEqual([]);
    const again = new CorrelationEngine([bruteForce], { allowedLatenessMs: 60_000 });
    again.restore(JSON.parse(JSON.stringify(first.snapshot())));
    expect(run(again, steps)).toEqual([]);
    // a new event of the same address still counts, with whatever else is new
    expect(
      run(again, [
        [login('10.0.0.1'), [failed], at(125), 'e4'],
        [login('10.0.0.1'), [failed], at(126), 'e5'],
        [login('10.0.0.1'), [failed], at(127), 'e6'],
      ]).map((f) => f.eventIds),
    ).toEqual([['e4', 'e5', 'e6']]);
  });

  test('failures spread wider than the timespan never fire', () => {
    const fired = run(new CorrelationEngine([bruteForce]), [
      [login('10.0.0.1'), [failed], at(0)],
      [login('10.0.0.1'), [failed], at(61)],
      [login('10.0.0.1'), [failed], at(122)],
    ]);
    expect(fired).toEqual([]);
  });

  test('events without the group-by field are not lumped together', () => {
    const fired = run(new CorrelationEngine([bruteForce]), [
      [{}, [failed], at(0)],
      [{}, [failed], at(1)],
      [{}, [failed], at(2)],
    ]);
    expect(fired).toEqual([]);
  });

  test('an upper-bound condition is decided when the window closes, not on arrival', () => {
    const few = correlation(`  type: event_count\n  rules: [failed_login]\n  group-by: [source.ip]\n  timespan: 60s\n  condition:\n    lt: 3\n`, 'id: few\n');
    const engine = new CorrelationEngine([few]);
    expect(
      run(engine, [
        [login('10.0.0.1'), [failed], at(0)],
        [login('10.0.0.1'), [failed], at(10)],
      ]),
    ).toEqual([]);
    const later = engine.process({}, [], at(200));
    expect(later.map((f) => [f.groupKey, f.value])).toEqual([['10.0.0.1', 2]]);
  });
});

describe('allowed lateness (bounded out-of-orderness)', () => {
  test('an event behind the watermark is counted while a window it belongs to is open; one after all its windows closed is counted as late', () => {
    // Watermark = newest time (100 s) − 20 s = 80 s; a 60 s sliding window is open for any event after 20 s.
    const engine = new CorrelationEngine([bruteForce], { allowedLatenessMs: 20_000 });
    const fired = run(engine, [
      [login('10.0.0.1'), [failed], at(100), 'a'],
      [login('10.0.0.1'), [failed], at(10), 'too-late'],
      [login('10.0.0.1'), [failed], at(50), 'behind-the-watermark'],
      [login('10.0.0.1'), [failed], at(85), 'late-ok'],
      [login('10.0.0.1'), [failed], at(101), 'b'],
    ]);
    expect(fired.map((f) => f.eventIds)).toEqual([['behind-the-watermark', 'late-ok', 'a']]);
    expect(engine.stats()).toMatchObject({ lateDropped: 1, lateAccepted: 2, rules: { bf: { late: 1 } } });
  });

  test('a burst whose events all arrive behind the watermark (a slow collector) still fires', () => {
    // Other traffic moved event time 4 minutes past the burst; the window of 5 min is still open.
    const slow = correlation(
      `  type: event_count\n  rules: [failed_login]\n  group-by: [source.ip]\n  timespan: 5m\n  condition:\n    gte: 10\n`,
      'id: slow\n',
    );
    const engine = new CorrelationEngine([slow], { allowedLatenessMs: 60_000 });
    engine.process(login('10.0.0.9'), [failed], at(240), 'other');
    const fired = Array.from({ length: 12 }, (_, i) => engine.process(login('198.18.0.1'), [failed], at(0), `burst-${i}`)).flat();
    expect(fired.map((f) => [f.groupKey, f.eventCount])).toEqual([['198.18.0.1', 10]]);
    expect(engine.stats()).toMatchObject({ lateDropped: 0, lateAccepted: 12 });
  });

  test('an event stamped far in the future does not carry the watermark past the clock: later events still count', () => {
    const now = at(1000);
    const engine = new CorrelationEngine([bruteForce], { allowedLatenessMs: 0, now: () => now, maxFutureMs: 60_000 });
    engine.process(login('10.6.6.6'), [failed], Date.UTC(2099, 0, 1), 'from-2099');
    const fired = run(engine, [
      [login('10.0.0.1'), [failed], at(1000), 'x1'],
      [login('10.0.0.1'), [failed], at(1001), 'x2'],
      [login('10.0.0.1'), [failed], at(1002), 'x3'],
    ]);
    expect(fired.map((f) => f.eventIds)).toEqual([['x1', 'x2', 'x3']]);
    expect(engine.stats().lateDropped).toBe(0);
  });

  test('the per-rule late count survives a snapshot and restore', () => {
    const engine = new CorrelationEngine([bruteForce], { allowedLatenessMs: 0 });
    run(engine, [
      [login('10.0.0.1'), [failed], at(500), 'a'],
      [login('10.0.0.1'), [failed], at(100), 'late'],
    ]);
    const again = new CorrelationEngine([bruteForce], { allowedLatenessMs: 0 });
    again.restore(JSON.parse(JSON.stringify(engine.snapshot())) as ReturnType<CorrelationEngine['snapshot']>);
    expect(again.stats()).toMatchObject({ lateDropped: 1, rules: { bf: { late: 1 } } });
  });
});

describe('value_count', () => {
  test('password spraying: four distinct users from one address fire; repeats of one user do not', () => {
    const spray = correlation(
      `  type: value_count\n  rules: [failed_login]\n  group-by: [source.ip]\n  timespan: 5m\n  condition:\n    field: user.name\n    gte: 4\n`,
      'id: spray\n',
    );
    const engine = new CorrelationEngine([spray]);
    const fired = run(engine, [
      ...['a', 'a', 'a', 'b', 'b', 'c'].map((u, i): [Record<string, unknown>, { ruleId: string; name?: string }[], number] => [
        login('10.0.0.9', u),
        [failed],
        at(i),
      ]),
      [login('10.0.0.8', 'x'), [failed], at(7)],
      [login('10.0.0.9', 'd'), [failed], at(8)],
    ]);
    expect(fired.map((f) => [f.groupKey, f.value, f.eventCount])).toEqual([['10.0.0.9', 4, 7]]);
  });
});

describe('temporal and temporal_ordered', () => {
  const ordered = correlation(`  type: temporal_ordered\n  rules: [failed_login, successful_login]\n  group-by: [user.name]\n  timespan: 10m\n`, 'id: ord\n');
  const unordered = correlation(`  type: temporal\n  rules: [failed_login, successful_login]\n  group-by: [user.name]\n  timespan: 10m\n`, 'id: tmp\n');

  test('a success after a failure fires the ordered rule; a success before the failure does not', () => {
    expect(
      run(new CorrelationEngine([ordered]), [
        [login('1.1.1.1', 'bob'), [failed], at(0)],
        [login('1.1.1.1', 'bob'), [success], at(5)],
      ]).map((f) => f.groupKey),
    ).toEqual(['bob']);
    expect(
      run(new CorrelationEngine([ordered]), [
        [login('1.1.1.1', 'bob'), [success], at(0)],
        [login('1.1.1.1', 'bob'), [failed], at(5)],
      ]),
    ).toEqual([]);
  });

  test('the unordered rule fires in either order', () => {
    expect(
      run(new CorrelationEngine([unordered]), [
        [login('1.1.1.1', 'bob'), [success], at(0)],
        [login('1.1.1.1', 'bob'), [failed], at(5)],
      ]).map((f) => f.value),
    ).toEqual([2]);
  });
});

describe('value_sum, value_avg, value_percentile', () => {
  const read = { ruleId: 'read' };
  test('value_sum fires once the records read by one user in the window exceed the limit', () => {
    const sum = correlation(
      `  type: value_sum\n  rules: [read]\n  group-by: [user.name]\n  timespan: 1h\n  condition:\n    field: citysoc.data.records\n    gt: 1000\n`,
      'id: sum\n',
    );
    const ev = (n: number) => ({ user: { name: 'u' }, citysoc: { data: { records: n } } });
    expect(
      run(new CorrelationEngine([sum]), [
        [ev(600), [read], at(0)],
        [ev(300), [read], at(10)],
        [ev(200), [read], at(20)],
      ]).map((f) => f.value),
    ).toEqual([1100]);
  });

  test('value_avg is decided over the closed window', () => {
    const avg = correlation(
      `  type: value_avg\n  rules: [read]\n  group-by: [user.name]\n  timespan: 1m\n  condition:\n    field: bytes\n    gt: 500\n`,
      'id: avg\n',
    );
    const engine = new CorrelationEngine([avg]);
    run(engine, [
      [{ user: { name: 'u' }, bytes: 400 }, [read], at(0)],
      [{ user: { name: 'u' }, bytes: 700 }, [read], at(30)],
    ]);
    expect(engine.flush().map((f) => f.value)).toEqual([550]);
  });

  test('value_percentile reports a value seen in at most the given share of the group events', () => {
    const pct = correlation(
      `  type: value_percentile\n  rules: [read]\n  group-by: [host.name]\n  timespan: 1h\n  condition:\n    field: process.name\n    lte: 10\n`,
      'id: pct\n',
    );
    const engine = new CorrelationEngine([pct]);
    const names = [...Array(19).fill('svchost.exe'), 'mimikatz.exe'] as string[];
    run(
      engine,
      names.map((n, i) => [{ host: { name: 'h1' }, process: { name: n } }, [read], at(i)]),
    );
    expect(engine.flush().map((f) => f.value)).toEqual([5]);
  });
});

describe('aliases, generate and chaining', () => {
  test('an alias groups by source.ip in one rule and destination.ip in the other', () => {
    const rule = correlation(
      `  type: temporal
  rules: [internal_error, new_connection]
  group-by: [ip]
  timespan: 10s
  aliases:
    ip:
      internal_error: destination.ip
      new_connection: source.ip
`,
      'id: alias\n',
    );
    const fired = run(new CorrelationEngine([rule]), [
      [{ destination: { ip: '10.1.1.1' } }, [{ ruleId: 'x', name: 'internal_error' }], at(0)],
      [{ source: { ip: '10.1.1.1' } }, [{ ruleId: 'y', name: 'new_connection' }], at(3)],
    ]);
    expect(fired.map((f) => f.group)).toEqual([{ ip: '10.1.1.1' }]);
  });

  test('a chain: brute force followed by a success of the same address fires the outer rule', () => {
    const outer = correlation(`  type: temporal_ordered\n  rules: [brute_force, successful_login]\n  group-by: [source.ip]\n  timespan: 10m\n`, 'id: outer\n');
    const engine = new CorrelationEngine([outer, bruteForce]);
    const fired = run(engine, [
      [login('10.0.0.1'), [failed], at(0)],
      [login('10.0.0.1'), [failed], at(1)],
      [login('10.0.0.1'), [failed], at(2)],
      [login('10.0.0.1'), [success], at(3)],
    ]);
    expect(fired.map((f) => f.ruleId)).toEqual(['bf', 'outer']);
    expect(engine.generates(failed)).toBe(false);
    expect(engine.generates({ ruleId: 'unreferenced' })).toBe(true);
  });

  test('a correlation chain that loops is refused with the loop spelled out', () => {
    const a = correlation(`  type: event_count\n  rules: [b]\n  group-by: [x]\n  timespan: 1m\n  condition:\n    gte: 1\n`, 'id: a\nname: a\n');
    const b = correlation(`  type: event_count\n  rules: [a]\n  group-by: [x]\n  timespan: 1m\n  condition:\n    gte: 1\n`, 'id: b\nname: b\n');
    expect(() => new CorrelationEngine([a, b])).toThrow('correlation chain loops: a → b → a');
  });
});

describe('bounded state', () => {
  test('expired groups are swept as event time advances', () => {
    const engine = new CorrelationEngine([bruteForce]);
    run(engine, [
      [login('10.0.0.1'), [failed], at(0)],
      [login('10.0.0.2'), [failed], at(1)],
    ]);
    expect(engine.stats().rules.bf?.groups).toBe(2);
    engine.process({}, [], at(500));
    expect(engine.stats().rules.bf?.groups).toBe(0);
  });

  test('the group cap evicts the least recently updated group and counts it', () => {
    const engine = new CorrelationEngine([bruteForce], { maxGroupsPerRule: 2 });
    run(engine, [
      [login('10.0.0.1'), [failed], at(0)],
      [login('10.0.0.2'), [failed], at(1)],
      [login('10.0.0.1'), [failed], at(2)],
      [login('10.0.0.3'), [failed], at(3)],
    ]);
    expect(engine.stats().rules.bf).toEqual({ groups: 2, evictedGroups: 1, evictedEntries: 0, late: 0 });
    // 10.0.0.1 survived (it was updated after 10.0.0.2), so its third failure still fires.
    expect(engine.process(login('10.0.0.1'), [failed], at(4)).map((f) => f.groupKey)).toEqual(['10.0.0.1']);
  });
});

describe('bounded memory', () => {
  test("all rules together hold at most maxEntries entries: the fullest rule loses its stalest group's oldest entry, counted", () => {
    const flood = correlation(
      `  type: event_count\n  rules: [failed_login]\n  group-by: [user.name]\n  timespan: 1h\n  condition:\n    gte: 1000\n`,
      'id: flood\n',
    );
    const engine = new CorrelationEngine([bruteForce, flood], { maxEntries: 10 });
    for (let i = 0; i < 8; i++) engine.process(login(`10.0.1.${i}`, `u${i % 2}`), [failed], at(i), `e${i}`);
    // 16 entries offered (8 per rule), 10 kept: the 1 h rule (two groups of 4) and brute force (eight groups of 1) both lose.
    const st = engine.stats();
    expect(st.entries).toBe(10);
    expect(st.rules.bf!.evictedEntries + st.rules.flood!.evictedEntries).toBe(6);
    // Still bounded after a restore into an engine with the same bound.
    const again = new CorrelationEngine([bruteForce, flood], { maxEntries: 4 });
    again.restore(parseSnapshot(JSON.parse(JSON.stringify(engine.snapshot())), 'test'));
    expect(again.stats().entries).toBe(4);
  });
});

describe('snapshot and restore', () => {
  test('a restarted engine continues counting from the snapshot (through JSON)', () => {
    const first = new CorrelationEngine([bruteForce]);
    run(first, [
      [login('10.0.0.1'), [failed], at(0), 'e1'],
      [login('10.0.0.1'), [failed], at(1), 'e2'],
    ]);
    const second = new CorrelationEngine([bruteForce]);
    second.restore(JSON.parse(JSON.stringify(first.snapshot())));
    expect(second.process(login('10.0.0.1'), [failed], at(2), 'e3').map((f) => f.eventIds)).toEqual([['e1', 'e2', 'e3']]);
  });

  test('an open entry is not counted twice after a restore: its id is remembered from the entry itself', () => {
    const first = new CorrelationEngine([bruteForce]);
    run(first, [
      [login('10.0.0.1'), [failed], at(0), 'e1'],
      [login('10.0.0.1'), [failed], at(1), 'e2'],
    ]);
    const snap = first.snapshot() as Extract<CorrelationSnapshot, { version: 2 }>;
    // The ids live in the entries only, not a second time in `seen`.
    expect(snap.rules.bf!.seen).toEqual([]);
    expect(snap.rules.bf!.groups).toEqual([
      [
        '10.0.0.1',
        { 'source.ip': '10.0.0.1' },
        [
          [at(0), 0, 'e1'],
          [1000, 0, 'e2'],
        ],
      ],
    ]);
    const second = new CorrelationEngine([bruteForce]);
    second.restore(parseSnapshot(JSON.parse(JSON.stringify(snap)), 'test'));
    expect(second.process(login('10.0.0.1'), [failed], at(2), 'e2')).toEqual([]);
    expect(second.process(login('10.0.0.1'), [failed], at(3), 'e3').map((f) => f.eventIds)).toEqual([['e1', 'e2', 'e3']]);
  });

  test('ids of events whose window fired stay remembered apart, values and sums come back', () => {
    const sum = correlation(
      `  type: value_sum\n  rules: [failed_login]\n  group-by: [source.ip]\n  timespan: 60s\n  condition:\n    field: bytes\n    gte: 100\n`,
      'id: sum\n',
    );
    const first = new CorrelationEngine([bruteForce, sum]);
    run(first, [
      [{ ...login('10.0.0.1'), bytes: 40 }, [failed], at(0), 'a'],
      [{ ...login('10.0.0.1'), bytes: 40 }, [failed], at(1), 'b'],
      [{ ...login('10.0.0.1'), bytes: 10 }, [failed], at(2), 'c'],
    ]);
    const second = new CorrelationEngine([bruteForce, sum]);
    second.restore(parseSnapshot(JSON.parse(JSON.stringify(first.snapshot())), 'test'));
    // bf fired on a, b, c (its window was emptied): they are remembered apart and not counted again.
    expect(second.process({ ...login('10.0.0.1'), bytes: 40 }, [failed], at(3), 'a')).toEqual([]);
    expect(second.process({ ...login('10.0.0.1'), bytes: 20 }, [failed], at(4), 'd').map((f) => [f.ruleId, f.value])).toEqual([['sum', 110]]);
  });

  test('a snapshot of the earlier version (entries as objects, ids listed in seen) still restores', () => {
    const v1 = {
      version: 1,
      maxSeen: at(1),
      lateDropped: 0,
      lateAccepted: 0,
      rules: {
        bf: {
          evictedGroups: 0,
          evictedEntries: 0,
          groups: [
            {
              key: '10.0.0.1',
              values: { 'source.ip': '10.0.0.1' },
              entries: [
                { t: at(0), r: 0, id: 'e1' },
                { t: at(1), r: 0, id: 'e2' },
              ],
            },
          ],
          seen: [
            ['e1', at(0)],
            ['e2', at(1)],
          ],
        },
      },
    };
    const engine = new CorrelationEngine([bruteForce]);
    engine.restore(parseSnapshot(v1, 'test'));
    expect(engine.process(login('10.0.0.1'), [failed], at(2), 'e1')).toEqual([]);
    expect(engine.process(login('10.0.0.1'), [failed], at(2), 'e3').map((f) => f.eventIds)).toEqual([['e1', 'e2', 'e3']]);
  });

  test('a snapshot that is not one is refused with where and why', () => {
    expect(() =>
      parseSnapshot(
        {
          version: 2,
          maxSeen: null,
          lateDropped: 0,
          lateAccepted: 0,
          rules: { bf: { evictedGroups: 0, evictedEntries: 0, groups: [['k', {}, [['x', 0, null]]]], seen: [] } },
        },
        'checkpoint detect',
      ),
    ).toThrow(/checkpoint detect: not a correlation snapshot/);
  });
});
