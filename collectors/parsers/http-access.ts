/** nginx and Apache httpd access logs in the common and combined formats (the default of both). */
import type { LogSource, ParseContext, RawInput } from './source';
import { endpoint, fail, lineOf, ok } from './event-doc';
import { isoFromParts, monthNumber, normalizeOffset } from './timestamps';

const LINE =
  /^(\S+) (\S+) (\S+) \[(\d{2})\/(\w{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-]\d{4})\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-)(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?(?: (.*))?$/s;
const REQUEST = /^([A-Z]+) (\S+) HTTP\/(\d(?:\.\d)?)$/;
const dash = (s: string | undefined): string | undefined => (s === undefined || s === '-' ? undefined : s);

export const httpAccess: LogSource = {
  name: 'http-access',
  description: 'nginx / Apache httpd access log, common or combined format',
  detect(input: RawInput): boolean {
    const line = lineOf(input);
    return line !== undefined && /^\S+ \S+ \S+ \[\d{2}\/\w{3}\/\d{4}:[\d:]{8} [+-]\d{4}\] "/.test(line);
  },
  parse(input: RawInput, _ctx: ParseContext) {
    const line = lineOf(input);
    if (line === undefined) return fail('http-access expects a text line, got a structured record');
    const m = LINE.exec(line);
    if (!m) return fail('not an access log line: expected \'ip ident user [dd/Mon/yyyy:HH:mm:ss +zzzz] "request" status bytes\'');
    const month = monthNumber(m[5]!);
    const ts = month && isoFromParts(+m[6]!, month, +m[4]!, +m[7]!, +m[8]!, +m[9]!, undefined, normalizeOffset(m[10]) ?? 'Z');
    if (!ts) return fail(`invalid date "${m[4]}/${m[5]}/${m[6]}"`);
    const status = Number(m[12]);
    // Scanners send garbage request lines; those are kept whole in url.original without a method.
    const req = REQUEST.exec(m[11]!);
    const target = req?.[2];
    const q = target?.indexOf('?') ?? -1;
    return ok({
      '@timestamp': ts,
      message: line,
      event: {
        kind: 'event',
        dataset: 'http.access',
        module: 'http',
        category: ['web'],
        type: status === 401 || status === 403 ? ['access', 'denied'] : ['access'],
        outcome: status < 400 ? 'success' : 'failure',
      },
      source: endpoint(m[1]),
      user: { name: dash(m[3]) },
      http: {
        request: { method: req?.[1], referrer: dash(m[14]) },
        response: { status_code: status, body: { bytes: m[13] === '-' ? 0 : Number(m[13]) } },
        version: req?.[3],
      },
      url: { original: target ?? dash(m[11]), path: q >= 0 ? target!.slice(0, q) : target, query: q >= 0 ? target!.slice(q + 1) : undefined },
      user_agent: { original: dash(m[15]) },
      http_access: { extra: m[16] },
    });
  },
};
