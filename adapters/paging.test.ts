import { MAX_BUCKETS, rangeBoundsHistogram } from './paging';

describe('rangeBoundsHistogram: when the time range alone keeps an @timestamp histogram within the bucket limit', () => {
  const now = new Date('2026-12-01T12:00:00Z');
  const H = 3_600_000;

  it('both ends given, few enough buckets: bounded (relative and absolute ends)', () => {
    expect(rangeBoundsHistogram({ from: 'now-24h', to: 'now' }, H, now)).toBe(true);
    expect(rangeBoundsHistogram({ from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z' }, H, now)).toBe(true);
  });

  it('an open end never bounds it: the data decide', () => {
    expect(rangeBoundsHistogram({ from: 'now-24h' }, H, now)).toBe(false);
    expect(rangeBoundsHistogram({ to: 'now' }, H, now)).toBe(false);
    expect(rangeBoundsHistogram(undefined, H, now)).toBe(false);
  });

  it('counts the buckets an event in [from, to) can fall in, exactly at the limit', () => {
    const from = Date.parse('2026-01-01T00:00:00Z');
    // [from, from + max steps): exactly max buckets; one millisecond more reaches bucket max + 1.
    expect(rangeBoundsHistogram({ from: new Date(from).toISOString(), to: new Date(from + MAX_BUCKETS * 1000).toISOString() }, 1000, now)).toBe(true);
    expect(rangeBoundsHistogram({ from: new Date(from).toISOString(), to: new Date(from + MAX_BUCKETS * 1000 + 1).toISOString() }, 1000, now)).toBe(false);
    // Unaligned ends touch one bucket more than their width.
    expect(rangeBoundsHistogram({ from: new Date(from + 500).toISOString(), to: new Date(from + 500 + MAX_BUCKETS * 1000).toISOString() }, 1000, now)).toBe(
      false,
    );
    expect(rangeBoundsHistogram({ from: '1970-01-01T00:00:00Z', to: '9999-12-31T00:00:00Z' }, 1000, now)).toBe(false);
  });

  it('an empty or reversed range matches nothing, so it bounds it', () => {
    expect(rangeBoundsHistogram({ from: 'now', to: 'now-1h' }, 1000, now)).toBe(true);
  });
});
