import { windowsCbs } from './windows-cbs';
import { CTX, disagreements, expectedIso, loghubSample, parseAll } from './test-support/loghub';

const sample = loghubSample('Windows');
const events = parseAll(windowsCbs, sample.lines);

describe('windows-cbs on the loghub Windows_2k sample', () => {
  test('every one of the 2000 lines parses', () => {
    expect(events).toHaveLength(2000);
    expect(sample.rows).toHaveLength(2000);
  });

  test('time, level, component and message agree with the structured CSV row by row', () => {
    expect(
      disagreements(events, sample.rows, {
        '@timestamp': (r) => expectedIso(r.Date!.slice(0, 4), r.Date!.slice(5, 7), r.Date!.slice(8, 10), r.Time!),
        'log.level': (r) => r.Level!.toLowerCase(),
        'log.logger': (r) => r.Component,
        message: (r) => r.Content,
      }),
    ).toEqual([]);
  });
});

describe('windows-cbs on single lines', () => {
  const parse = (line: string) => windowsCbs.parse({ kind: 'line', line }, CTX);

  test('a CSI line keeps its component as logger', () => {
    const out = parse('2016-09-28 04:30:31, Info                  CSI    00000001@2016/9/27:20:30:31.455 WcpInitialize called');
    expect(out.ok && out.event).toMatchObject({ log: { level: 'info', logger: 'CSI' }, message: '00000001@2016/9/27:20:30:31.455 WcpInitialize called' });
  });

  test('a line without the comma after the time is rejected', () => {
    expect(parse('2016-09-28 04:30:31 Info CSI x').ok).toBe(false);
  });
});
