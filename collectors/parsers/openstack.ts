/**
 * OpenStack service logs (oslo.log: "date time pid LEVEL logger [request context] message"),
 * optionally prefixed by the log file name as loghub collects them. API access lines
 * ("ip "GET /path HTTP/1.1" status: 200 len: 1893 time: 0.24") become web events.
 */
import type { Doc } from '../../core/doc';
import type { LogSource, ParseContext, RawInput } from './source';
import { endpoint, fail, level, lineOf, ok, typeForLevel } from './event-doc';
import { isoFromYmd } from './timestamps';

const LINE = /^(?:(\S+\.log\S*) )?(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}) (\d+) ([A-Z]+) ([\w.]+) \[([^\]]*)\] ?(.*)$/s;
const ACCESS = /^(\S+) "(\S+) (\S+) (HTTP\/[\d.]+)" status: (\d{3}) len: (\d+) time: ([\d.]+)/;

/** "req-id user project domain user_domain project_domain", "-" meaning absent. */
function requestContext(ctxText: string): Doc {
  const [request, user, project] = ctxText.split(' ').map((v) => (v === '-' ? undefined : v));
  return { request_id: request, user_id: user, project_id: project, context: ctxText };
}

function accessFields(message: string): Doc | undefined {
  const m = ACCESS.exec(message);
  if (!m) return undefined;
  const status = Number(m[5]);
  // The metadata service sees "client,proxy": the first address is the client.
  const client = m[1]!.split(',')[0];
  const [path, query] = m[3]!.split('?', 2);
  return {
    event: { category: ['web'], type: ['access'], outcome: status < 400 ? 'success' : 'failure' },
    source: endpoint(client),
    http: { request: { method: m[2] }, response: { status_code: status, body: { bytes: Number(m[6]) } }, version: m[4]!.slice(5) },
    url: { original: m[3], path, query },
    openstack: { response_time_s: Number(m[7]) },
  };
}

export const openstack: LogSource = {
  name: 'openstack',
  description: 'OpenStack (nova, neutron, ...) oslo.log service log, with API access lines as web events',
  detect(input: RawInput): boolean {
    const line = lineOf(input);
    return line !== undefined && /^(?:\S+\.log\S* )?\d{4}-\d{2}-\d{2} [\d:]{8}\.\d{3} \d+ [A-Z]+ [\w.]+ \[/.test(line);
  },
  parse(input: RawInput, ctx: ParseContext) {
    const line = lineOf(input);
    if (line === undefined) return fail('openstack expects a text line, got a structured record');
    const m = LINE.exec(line);
    if (!m) return fail('not an OpenStack oslo.log line: expected "yyyy-MM-dd HH:mm:ss.SSS pid LEVEL logger [context] message"');
    const ts = isoFromYmd(m[2]!, ctx);
    if (!ts) return fail(`invalid date/time "${m[2]}"`);
    const lvl = level(m[4]);
    const access = accessFields(m[7]!) ?? {};
    const rc = requestContext(m[6]!);
    return ok({
      ...access,
      '@timestamp': ts,
      message: m[7],
      event: { kind: 'event', dataset: 'openstack.nova', module: 'openstack', type: typeForLevel(lvl), ...(access.event as Doc | undefined) },
      log: { level: lvl, logger: m[5], file: { path: m[1] } },
      process: { pid: Number(m[3]) },
      service: { type: 'openstack', name: m[1]?.split('.')[0] },
      user: { id: rc.user_id },
      openstack: { ...(access.openstack as Doc | undefined), request_id: rc.request_id, project_id: rc.project_id, context: rc.context },
    });
  },
};
