import { genericJson } from './generic-json';
import { CTX } from './test-support/loghub';

const parse = (line: string) => genericJson.parse({ kind: 'line', line }, CTX);

describe('json (generic)', () => {
  test('time, message and level come from the usual keys and the rest is kept under json', () => {
    expect(parse('{"time":"2024-03-01T10:00:00.5Z","level":"WARN","msg":"disk almost full","disk":"/dev/sda1","pct":93}')).toEqual({
      ok: true,
      event: {
        '@timestamp': '2024-03-01T10:00:00.500Z',
        message: 'disk almost full',
        event: { kind: 'event', dataset: 'json.generic', module: 'json' },
        log: { level: 'warn' },
        json: { disk: '/dev/sda1', pct: 93 },
      },
    });
  });

  test('pino numeric levels and epoch milliseconds are understood', () => {
    const out = parse('{"level":50,"time":1709287200000,"pid":7,"hostname":"api-1","msg":"boom"}');
    expect(out.ok && out.event).toMatchObject({ '@timestamp': '2024-03-01T10:00:00.000Z', log: { level: 'error' }, json: { pid: 7, hostname: 'api-1' } });
  });

  test('a record without a time takes the receive time', () => {
    expect(parse('{"msg":"no clock here"}')).toMatchObject({ ok: true, event: { '@timestamp': '2024-12-31T23:00:00.000Z', message: 'no clock here' } });
  });

  test('an unrecognised time value is rejected with the field named', () => {
    expect(parse('{"timestamp":"yesterday","msg":"x"}')).toEqual({ ok: false, error: 'field "timestamp" is not a recognised time: "yesterday"' });
  });

  test('a JSON array is rejected as not an object', () => {
    expect(parse('[1,2]')).toEqual({ ok: false, error: 'not a JSON object: the line does not start with "{"' });
  });
});
