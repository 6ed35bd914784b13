import { nginxError } from './nginx-error';
import { CTX } from './test-support/loghub';

const parse = (line: string) => nginxError.parse({ kind: 'line', line }, CTX);

describe('nginx-error', () => {
  test('a failed open with client, server, request and host context', () => {
    const out = parse(
      '2024/03/01 10:00:00 [error] 1234#1234: *5 open() "/usr/share/nginx/html/wp-login.php" failed (2: No such file or directory), client: 10.6.0.12, server: portal.city.gov, request: "GET /wp-login.php HTTP/1.1", host: "portal.city.gov"',
    );
    expect(out).toEqual({
      ok: true,
      event: {
        '@timestamp': '2024-03-01T10:00:00.000Z',
        message: 'open() "/usr/share/nginx/html/wp-login.php" failed (2: No such file or directory)',
        event: { kind: 'event', dataset: 'nginx.error', module: 'nginx', category: ['web'], type: ['error'] },
        log: { level: 'error' },
        process: { pid: 1234, thread: { id: 1234 } },
        source: { ip: '10.6.0.12' },
        http: { request: { method: 'GET' }, version: '1.1' },
        url: { original: '/wp-login.php', domain: 'portal.city.gov' },
        nginx: { error: { connection_id: 5, server: 'portal.city.gov' } },
        service: { type: 'nginx' },
      },
    });
  });

  test('a start-up notice without a connection is an info event', () => {
    expect(parse('2024/03/01 09:59:59 [notice] 1#1: start worker processes')).toMatchObject({
      ok: true,
      event: { message: 'start worker processes', log: { level: 'notice' }, event: { type: ['info'] } },
    });
  });

  test('an upstream timeout keeps the upstream', () => {
    const out = parse(
      '2024/03/01 10:00:01 [error] 7#7: *9 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.1.1.1, server: api, request: "POST /v1/datasets/x/export HTTP/1.1", upstream: "http://10.2.0.5:8080/v1/datasets/x/export", host: "api"',
    );
    expect(out).toMatchObject({
      ok: true,
      event: { nginx: { error: { upstream: 'http://10.2.0.5:8080/v1/datasets/x/export' } }, http: { request: { method: 'POST' } } },
    });
  });

  test('is detected, and an Apache line is not taken for it', () => {
    expect(nginxError.detect({ kind: 'line', line: '2024/03/01 10:00:00 [warn] 1#1: x' })).toBe(true);
    expect(nginxError.detect({ kind: 'line', line: '[Sun Dec 04 05:15:09 2005] [error] x' })).toBe(false);
    expect(parse('2024-03-01 10:00:00 [error] x')).toEqual({
      ok: false,
      error: 'not an nginx error log line: expected "yyyy/MM/dd HH:mm:ss [level] pid#tid: message"',
    });
  });
});
