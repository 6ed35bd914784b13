import type { EcsEvent } from '../../core/event';
import type { PipelineResult } from '../pipeline/types';
import { SourceHealthModel } from './read-model';

const event = (host: string, department?: string, collector = 'token:fb-01'): EcsEvent =>
  ({
    '@timestamp': '2026-12-07T00:00:00Z',
    host: { name: host },
    citysoc: { collector },
    ...(department ? { organization: { name: department } } : {}),
  }) as EcsEvent;
const ok = (host: string, department?: string, source = 'openssh'): PipelineResult => ({ ok: true, event: event(host, department), source });
const letter = (host: string, type: 'parse_error' | 'invalid_event', error = 'no log source recognised this input'): PipelineResult => ({
  ok: false,
  event: { ...event(host), error: { message: error, type } } as EcsEvent,
  source: 'unknown',
  error,
});

function clock(start = Date.parse('2026-12-07T08:00:00.000Z')) {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
}

describe('the sources read model', () => {
  test('counts events and dead letters per collector, host, source type and department, with first and last seen', () => {
    const c = clock();
    const m = new SourceHealthModel(100, c.now);
    m.record([ok('web-01', '城管'), ok('web-01', '城管'), letter('web-01', 'parse_error')]);
    c.advance(5_000);
    m.record([ok('web-01', '城管'), ok('db-01', '公安', 'pgaudit'), letter('lb-01', 'invalid_event', 'message longer than 65536 bytes')]);
    expect(m.list()).toEqual([
      {
        collector: 'token:fb-01',
        host: 'web-01',
        sourceType: 'openssh',
        department: '城管',
        other: false,
        firstSeen: '2026-12-07T08:00:00.000Z',
        lastSeen: '2026-12-07T08:00:05.000Z',
        events: 3,
        deadLetters: 0,
        parseFailures: 0,
        lastDeadLetterAt: null,
        lastDeadLetterReason: null,
        eventsPerSecond: 0.05,
      },
      expect.objectContaining({ host: 'db-01', sourceType: 'pgaudit', department: '公安', events: 1, eventsPerSecond: 0.017 }),
      expect.objectContaining({
        host: 'lb-01',
        sourceType: 'unknown',
        department: null,
        events: 0,
        deadLetters: 1,
        parseFailures: 0,
        lastDeadLetterAt: '2026-12-07T08:00:05.000Z',
        lastDeadLetterReason: 'message longer than 65536 bytes',
      }),
      expect.objectContaining({
        host: 'web-01',
        sourceType: 'unknown',
        events: 0,
        deadLetters: 1,
        parseFailures: 1,
        lastSeen: '2026-12-07T08:00:00.000Z',
        lastDeadLetterReason: 'no log source recognised this input',
      }),
    ]);
  });

  test('events per second are those of the last minute: older seconds drop out', () => {
    const c = clock();
    const m = new SourceHealthModel(100, c.now);
    m.record(Array.from({ length: 120 }, () => ok('web-01')));
    expect(m.list()[0]!.eventsPerSecond).toBe(2);
    c.advance(59_000);
    m.record(Array.from({ length: 60 }, () => ok('web-01')));
    expect(m.list()[0]!.eventsPerSecond).toBe(3);
    c.advance(1_000);
    expect(m.list()[0]!.eventsPerSecond).toBe(1);
    c.advance(120_000);
    expect(m.list()[0]).toMatchObject({ eventsPerSecond: 0, events: 180 });
  });

  test('past the bound the source seen longest ago gives its row up to the newcomer, its counts go to the other row, and every row still adds up', () => {
    const c = clock();
    const m = new SourceHealthModel(2, c.now);
    m.record([ok('a'), ok('b')]);
    c.advance(1_000);
    m.record([ok('a')]);
    c.advance(1_000);
    m.record([ok('c')]);
    // a was seen again after b: b is the stalest and goes; c and a keep their rows
    expect(m.list().map((r) => [r.host, r.other, r.events, r.firstSeen, r.lastSeen])).toEqual([
      ['c', false, 1, '2026-12-07T08:00:02.000Z', '2026-12-07T08:00:02.000Z'],
      ['a', false, 2, '2026-12-07T08:00:00.000Z', '2026-12-07T08:00:01.000Z'],
      [null, true, 1, '2026-12-07T08:00:00.000Z', '2026-12-07T08:00:00.000Z'],
    ]);
    c.advance(1_000);
    m.record([letter('d', 'parse_error'), ok('e')]);
    const rows = m.list();
    expect(rows.map((r) => [r.host, r.other, r.events, r.deadLetters, r.parseFailures])).toEqual([
      ['d', false, 0, 1, 1],
      ['e', false, 1, 0, 0],
      [null, true, 4, 0, 0],
    ]);
    expect(rows[2]!.eventsPerSecond).toBe(Math.round((4 / 60) * 1000) / 1000);
    expect(rows.reduce((n, r) => n + r.events + r.deadLetters, 0)).toBe(6);
  });

  test('a flood of invented host names does not keep a real source from a row of its own', () => {
    const m = new SourceHealthModel(3, clock().now);
    m.record(Array.from({ length: 1000 }, (_, i) => ok(`invented-${i}`)));
    m.record([ok('web-01', '城管')]);
    expect(m.list().find((r) => r.host === 'web-01')).toMatchObject({ other: false, events: 1, department: '城管' });
    expect(m.list().find((r) => r.other)!.events).toBe(998);
  });

  test('names are hostile text: a row keeps at most 256 characters of each', () => {
    const m = new SourceHealthModel(10, clock().now);
    m.record([ok('h'.repeat(10_000), 'd'.repeat(300))]);
    expect(m.list()[0]).toMatchObject({ host: 'h'.repeat(256), department: 'd'.repeat(256) });
  });
});
