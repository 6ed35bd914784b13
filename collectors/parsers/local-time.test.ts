import { inferYear, parseZone, zoneOf } from './local-time';
import { isoFromYmd, isoWithoutYear } from './timestamps';
import type { ParseContext } from './source';

const at = (iso: string, timeZone?: string): ParseContext => ({ receivedAt: new Date(iso), ...(timeZone ? { timeZone } : {}) });

describe('the year of a date written without one', () => {
  it('is the most recent such date not after the reference time', () => {
    expect(isoWithoutYear(11, 20, 7, 59, 58, undefined, at('2026-11-20T08:00:00Z', 'UTC'))).toBe('2026-11-20T07:59:58.000Z');
    expect(isoWithoutYear(12, 31, 23, 59, 59, undefined, at('2027-01-01T00:00:05Z', 'UTC'))).toBe('2026-12-31T23:59:59.000Z');
    expect(isoWithoutYear(6, 1, 0, 0, 0, undefined, at('2026-05-01T00:00:00Z', 'UTC'))).toBe('2025-06-01T00:00:00.000Z');
  });

  it('allows a day of clock skew: a line stamped just after New Year received just before it is next year', () => {
    expect(isoWithoutYear(1, 1, 0, 0, 1, undefined, at('2026-12-31T23:59:59Z', 'UTC'))).toBe('2027-01-01T00:00:01.000Z');
    expect(isoWithoutYear(12, 8, 0, 0, 0, undefined, at('2026-12-06T22:00:00Z', 'UTC'))).toBe('2025-12-08T00:00:00.000Z');
  });

  it('counts in the local zone: 00:30 on 1 January in Shanghai is already the new year there', () => {
    expect(isoWithoutYear(1, 1, 0, 30, 0, undefined, at('2026-12-31T16:45:00Z', 'Asia/Shanghai'))).toBe('2027-01-01T00:30:00.000+08:00');
  });

  it('Feb 29 goes back to the last leap year', () => {
    expect(inferYear(2, 29, 12, 0, 0, new Date('2027-03-01T00:00:00Z'), zoneOf('UTC'))).toBe(2024);
  });
});

describe('the local zone', () => {
  it('accepts IANA names and offsets and refuses what the runtime does not know', () => {
    expect(parseZone('+08:00')).toEqual({ kind: 'fixed', minutes: 480 });
    expect(parseZone('-0530')).toEqual({ kind: 'fixed', minutes: -330 });
    expect(parseZone('Z')).toEqual({ kind: 'fixed', minutes: 0 });
    expect(parseZone('Asia/Shanghai')).toEqual({ kind: 'iana', name: 'Asia/Shanghai' });
    expect(parseZone('Asia/Beijing')).toBeUndefined();
  });

  it('gives each wall time the offset its zone had then (daylight saving included)', () => {
    expect(isoFromYmd('2026-01-15 12:00:00', at('2026-06-01T00:00:00Z', 'America/New_York'))).toBe('2026-01-15T12:00:00.000-05:00');
    expect(isoFromYmd('2026-07-15 12:00:00', at('2026-06-01T00:00:00Z', 'America/New_York'))).toBe('2026-07-15T12:00:00.000-04:00');
    expect(isoFromYmd('2026-07-15 12:00:00,250', at('2026-06-01T00:00:00Z', 'Asia/Shanghai'))).toBe('2026-07-15T12:00:00.250+08:00');
  });

  it('reads PostgreSQL zone abbreviations: CST is China time unless the configured zone is US Central', () => {
    expect(isoFromYmd('2024-03-01 18:00:00 CST', at('2024-03-01T10:00:00Z', 'Asia/Shanghai'))).toBe('2024-03-01T18:00:00.000+08:00');
    expect(isoFromYmd('2024-03-01 18:00:00 CST', at('2024-03-01T10:00:00Z', 'UTC'))).toBe('2024-03-01T18:00:00.000+08:00');
    expect(isoFromYmd('2024-03-01 18:00:00 CST', at('2024-03-01T10:00:00Z', 'America/Chicago'))).toBe('2024-03-01T18:00:00.000-06:00');
    expect(isoFromYmd('2024-03-01 18:00:00 UTC', at('2024-03-01T10:00:00Z', 'Asia/Shanghai'))).toBe('2024-03-01T18:00:00.000Z');
    expect(isoFromYmd('2024-03-01 18:00:00 XYZ', at('2024-03-01T10:00:00Z', 'Asia/Shanghai'))).toBeUndefined();
  });
});
