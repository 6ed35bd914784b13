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

  test('past the bound new sources are counted in one other row, and every row still adds up', () => {
    const m = new SourceHealthModel(2, clock().now);
    const batch = ['a', 'b', 'c', 'd', 'a', 'c'].map((h) => ok(h));
    m.record([...batch, letter('e', 'parse_error')]);
    const rows = m.list();
    expect(rows.map((r) => [r.host, r.other, r.events, r.deadLetters])).toEqual([
      ['a', false, 2, 0],
      ['b', false, 1, 0],
      [null, true, 3, 1],
    ]);
    expect(rows.reduce((n, r) => n + r.events + r.deadLetters, 0)).toBe(7);
  });

  test('names are hostile text: a row keeps at most 256 characters of each', () => {
    const m = new SourceHealthModel(10, clock().now);
    m.record([ok('h'.repeat(10_000), 'd'.repeat(300))]);
    expect(m.list()[0]).toMatchObject({ host: 'h'.repeat(256), department: 'd'.repeat(256) });
  });
});
