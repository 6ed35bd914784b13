import { decodeFluentBit } from './fluent-bit';

const AT = new Date('2026-11-20T08:00:00Z');

describe('decoding what Fluent Bit posts', () => {
  it('a multiline record (a joined stack trace) keeps no trailing newline (issue 19)', () => {
    const log = '2024-03-01 10:00:00,123 ERROR [main] org.X: boom\njava.io.IOException: gone\n\tat a.b(C.java:1)\n';
    const [r] = decodeFluentBit(JSON.stringify({ date: 1709287200.5, log, file_path: '/var/log/x.log', file_offset: 10 }), {}, 'fb', AT);
    expect(r!.input!.raw).toEqual({ kind: 'line', line: log.slice(0, -1) });
    expect(r!.input!.hint).toMatchObject({ position: '/var/log/x.log:10', timestamp: '2024-03-01T10:00:00.500Z' });
  });

  it('records without a file offset are told apart by the shipper time and their place in the batch', () => {
    const body = [
      { date: 1709287200.5, MESSAGE: 'x' },
      { date: 1709287200.5, MESSAGE: 'x' },
    ]
      .map((r) => JSON.stringify(r))
      .join('\n');
    const positions = decodeFluentBit(body, {}, 'fb', AT).map((r) => r.input!.hint.position);
    expect(positions).toEqual(['batch:1709287200.5:1', 'batch:1709287200.5:2']);
  });

  it('a date that is no time, a file path that is no text, and a journal stamp beyond any date are per-record errors or ignored, never thrown', () => {
    const body = [
      { date: 1e300, log: 'a' },
      { date: 1, log: 'b', file_path: { x: 1 }, file_offset: 1 },
      { date: 1, MESSAGE: 'c', _HOSTNAME: 'h', __REALTIME_TIMESTAMP: '1e300' },
    ]
      .map((r) => JSON.stringify(r))
      .join('\n');
    const out = decodeFluentBit(body, {}, 'fb', AT);
    expect(out.map((r) => r.error)).toEqual([
      'record 1: "date" 1e+300 is not a time (seconds since 1970, or ISO 8601)',
      'record 2: "file_path" must be a text, got object',
      undefined,
    ]);
    expect(out[2]!.input!.hint.exactTimestamp).toBeUndefined();
  });
});
