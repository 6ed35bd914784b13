import { openstack } from './openstack';
import { CTX, disagreements, expectedIso, loghubSample, parseAll } from './test-support/loghub';

const sample = loghubSample('OpenStack');
const events = parseAll(openstack, sample.lines);

describe('openstack on the loghub OpenStack_2k sample', () => {
  test('every one of the 2000 lines parses', () => {
    expect(events).toHaveLength(2000);
    expect(sample.rows).toHaveLength(2000);
  });

  test('file (Logrecord), time, pid, level, logger (Component), request context (ADDR) and message agree with the structured CSV row by row', () => {
    expect(
      disagreements(events, sample.rows, {
        'log.file.path': (r) => r.Logrecord,
        '@timestamp': (r) => expectedIso(r.Date!.slice(0, 4), r.Date!.slice(5, 7), r.Date!.slice(8, 10), r.Time!.slice(0, 8), r.Time!.slice(9)),
        'process.pid': (r) => Number(r.Pid),
        'log.level': (r) => r.Level!.toLowerCase(),
        'log.logger': (r) => r.Component,
        'openstack.context': (r) => r.ADDR,
        message: (r) => r.Content,
      }),
    ).toEqual([]);
  });
});

describe('openstack on single lines', () => {
  const parse = (line: string) => openstack.parse({ kind: 'line', line }, CTX);

  test('an API access line is a web access event with client, method, path and status', () => {
    const out = parse(
      'nova-api.log.1.2017-05-16_13:53:08 2017-05-16 00:00:17.531 25793 INFO nova.metadata.wsgi.server [-] 10.11.21.122,10.11.10.1 "GET /openstack/2013-10-17/user_data HTTP/1.1" status: 404 len: 176 time: 0.0010660',
    );
    expect(out.ok && out.event).toMatchObject({
      event: { category: ['web'], type: ['access'], outcome: 'failure' },
      source: { ip: '10.11.21.122' },
      http: { request: { method: 'GET' }, response: { status_code: 404, body: { bytes: 176 } }, version: '1.1' },
      url: { path: '/openstack/2013-10-17/user_data' },
    });
  });

  test('the request context yields request, user and project ids', () => {
    const out = parse('2017-05-16 00:00:00.008 25746 INFO nova.osapi_compute.wsgi.server [req-38101a0b 113d3a99 54fadb41 - - -] started');
    expect(out.ok && out.event).toMatchObject({ user: { id: '113d3a99' }, openstack: { request_id: 'req-38101a0b', project_id: '54fadb41' } });
  });

  test('a line without a request context is rejected', () => {
    expect(parse('2017-05-16 00:00:00.008 25746 INFO nova.api hello').ok).toBe(false);
  });
});
