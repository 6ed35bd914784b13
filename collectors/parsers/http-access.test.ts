import { httpAccess } from './http-access';
import { CTX } from './test-support/loghub';

const parse = (line: string) => httpAccess.parse({ kind: 'line', line }, CTX);

describe('http-access (nginx / Apache combined and common formats)', () => {
  test('a combined line becomes a web access event with client, user, request, status, referrer and agent', () => {
    const out = parse(
      '203.0.113.7 - alice [10/Oct/2023:13:55:36 +0800] "GET /api/v1/datasets?page=2 HTTP/1.1" 200 2326 "https://portal.city.gov.cn/" "Mozilla/5.0 (X11; Linux x86_64)"',
    );
    expect(out).toEqual({
      ok: true,
      event: {
        '@timestamp': '2023-10-10T13:55:36.000+08:00',
        message:
          '203.0.113.7 - alice [10/Oct/2023:13:55:36 +0800] "GET /api/v1/datasets?page=2 HTTP/1.1" 200 2326 "https://portal.city.gov.cn/" "Mozilla/5.0 (X11; Linux x86_64)"',
        event: { kind: 'event', dataset: 'http.access', module: 'http', category: ['web'], type: ['access'], outcome: 'success' },
        source: { ip: '203.0.113.7' },
        user: { name: 'alice' },
        http: { request: { method: 'GET', referrer: 'https://portal.city.gov.cn/' }, response: { status_code: 200, body: { bytes: 2326 } }, version: '1.1' },
        url: { original: '/api/v1/datasets?page=2', path: '/api/v1/datasets', query: 'page=2' },
        user_agent: { original: 'Mozilla/5.0 (X11; Linux x86_64)' },
      },
    });
  });

  test('a forbidden request is a denied access with outcome failure', () => {
    const out = parse('198.51.100.9 - - [10/Oct/2023:13:55:37 +0000] "POST /admin/login HTTP/1.1" 403 153 "-" "curl/8.0"');
    expect(out.ok && out.event).toMatchObject({ '@timestamp': '2023-10-10T13:55:37.000Z', event: { type: ['access', 'denied'], outcome: 'failure' } });
  });

  test('a common-format line without referrer and agent parses, and "-" bytes count as 0', () => {
    const out = parse('10.0.0.1 - - [01/Jan/2024:00:00:00 -0500] "HEAD / HTTP/1.0" 304 -');
    expect(out.ok && out.event).toMatchObject({ '@timestamp': '2024-01-01T00:00:00.000-05:00', http: { response: { status_code: 304, body: { bytes: 0 } } } });
  });

  test("a scanner's garbage request line is kept without a method", () => {
    const out = parse('45.9.1.2 - - [01/Jan/2024:00:00:01 +0000] "\\x16\\x03\\x01\\x00\\xa5" 400 157 "-" "-"');
    expect(out.ok && out.event).toMatchObject({ url: { original: '\\x16\\x03\\x01\\x00\\xa5' }, http: { response: { status_code: 400 } } });
  });

  test('a line without the bracketed time is rejected with the expected layout', () => {
    expect(parse('10.0.0.1 - - "GET / HTTP/1.1" 200 1')).toEqual({
      ok: false,
      error: 'not an access log line: expected \'ip ident user [dd/Mon/yyyy:HH:mm:ss +zzzz] "request" status bytes\'',
    });
  });
});
