/** Apache httpd error_log: "[Sun Dec 04 04:47:44 2005] [level] message" (2.2) and the 2.4 "[module:level] [pid N]" variant. */
import type { LogSource, ParseContext, RawInput } from './source';
import { endpoint, fail, level, lineOf, ok, typeForLevel } from './event-doc';
import { localIso, monthNumber } from './timestamps';

const LINE = /^\[(?:\w{3}) (\w{3}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d+))? (\d{4})\] \[(?:([\w-]+):)?(\w+)\] (?:\[pid (\d+)(?::tid \d+)?\] )?(.*)$/s;
const CLIENT = /\[client ([^\]\s]+?)(?::(\d+))?\]/;

export const apacheError: LogSource = {
  name: 'apache-error',
  description: 'Apache httpd error log ([date] [level] message)',
  detect(input: RawInput): boolean {
    const line = lineOf(input);
    return line !== undefined && /^\[\w{3} \w{3} \d{1,2} [\d:]{8}(?:\.\d+)? \d{4}\] \[[\w:-]+\] /.test(line);
  },
  parse(input: RawInput, ctx: ParseContext) {
    const line = lineOf(input);
    if (line === undefined) return fail('apache-error expects a text line, got a structured record');
    const m = LINE.exec(line);
    if (!m) return fail('not an Apache error log line: expected "[Www Mmm dd HH:mm:ss yyyy] [level] message"');
    const month = monthNumber(m[1]!);
    const ts = month && localIso(+m[7]!, month, +m[2]!, +m[3]!, +m[4]!, +m[5]!, m[6], ctx);
    if (!ts) return fail(`invalid date "${m[1]} ${m[2]} ${m[7]}"`);
    const lvl = level(m[9]);
    const client = CLIENT.exec(m[11]!);
    return ok({
      '@timestamp': ts,
      message: m[11],
      event: { kind: 'event', dataset: 'apache.error', module: 'apache', category: ['web'], type: typeForLevel(lvl) },
      log: { level: lvl, logger: m[8] },
      process: { pid: m[10] === undefined ? undefined : Number(m[10]) },
      source: client ? endpoint(client[1], client[2] ? Number(client[2]) : undefined) : undefined,
      service: { type: 'apache' },
    });
  },
};
