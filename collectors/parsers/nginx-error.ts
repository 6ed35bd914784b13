/**
 * nginx error.log: "2024/03/01 10:00:00 [error] 1234#1234: *5 message, client: 10.0.0.1, server: x,
 * request: "GET / HTTP/1.1", host: "h"". The client, request and upstream context nginx appends
 * become source.ip, http.request.method, url.original and the host header.
 */
import type { LogSource, ParseContext, RawInput } from './source';
import { endpoint, fail, level, lineOf, ok, typeForLevel } from './event-doc';
import { localIso } from './timestamps';

const LINE = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2}) \[(\w+)\] (\d+)#(\d+): (?:\*(\d+) )?(.*)$/s;
const CONTEXT = /, (client|server|request|upstream|host|referrer): ("(?:[^"\\]|\\.)*"|[^,]*)/g;

export const nginxError: LogSource = {
  name: 'nginx-error',
  description: 'nginx error log (yyyy/MM/dd HH:mm:ss [level] pid#tid: message, client: ..., request: ...)',
  detect(input: RawInput): boolean {
    const line = lineOf(input);
    return line !== undefined && /^\d{4}\/\d{2}\/\d{2} [\d:]{8} \[\w+\] \d+#\d+: /.test(line);
  },
  parse(input: RawInput, ctx: ParseContext) {
    const line = lineOf(input);
    if (line === undefined) return fail('nginx-error expects a text line, got a structured record');
    const m = LINE.exec(line);
    if (!m) return fail('not an nginx error log line: expected "yyyy/MM/dd HH:mm:ss [level] pid#tid: message"');
    const ts = localIso(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +m[6]!, undefined, ctx);
    if (!ts) return fail(`invalid date/time "${m[1]}/${m[2]}/${m[3]} ${m[4]}:${m[5]}:${m[6]}"`);
    const text = m[11]!;
    const fields: Record<string, string> = {};
    for (const c of text.matchAll(CONTEXT)) fields[c[1]!] = c[2]!.startsWith('"') ? c[2]!.slice(1, -1) : c[2]!;
    const cut = text.search(/, (client|server|request|upstream|host|referrer): /);
    const request = fields.request ? /^(\S+) (\S+)(?: (\S+))?$/.exec(fields.request) : null;
    const lvl = level(m[7]);
    return ok({
      '@timestamp': ts,
      message: cut >= 0 ? text.slice(0, cut) : text,
      event: { kind: 'event', dataset: 'nginx.error', module: 'nginx', category: ['web'], type: typeForLevel(lvl) },
      log: { level: lvl },
      process: { pid: Number(m[8]), thread: { id: Number(m[9]) } },
      source: endpoint(fields.client),
      http: { request: { method: request?.[1], referrer: fields.referrer }, version: request?.[3]?.replace(/^HTTP\//, '') },
      url: { original: request?.[2], domain: fields.host },
      nginx: { error: { connection_id: m[10] === undefined ? undefined : Number(m[10]), server: fields.server, upstream: fields.upstream } },
      service: { type: 'nginx' },
    });
  },
};
