/** Apache Spark driver/executor logs (log4j "yy/MM/dd HH:mm:ss LEVEL class: message"). */
import type { LogSource, ParseContext, RawInput } from './source';
import { fail, level, lineOf, ok, typeForLevel } from './event-doc';
import { localIso } from './timestamps';

const LINE = /^(\d{2})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2}) ([A-Z]+) ([\w.$]+): ?(.*)$/s;

export const spark: LogSource = {
  name: 'spark',
  description: 'Apache Spark driver/executor log (yy/MM/dd HH:mm:ss LEVEL class: message)',
  detect(input: RawInput): boolean {
    const line = lineOf(input);
    return line !== undefined && /^\d{2}\/\d{2}\/\d{2} [\d:]{8} [A-Z]+ [\w.$]+:/.test(line);
  },
  parse(input: RawInput, ctx: ParseContext) {
    const line = lineOf(input);
    if (line === undefined) return fail('spark expects a text line, got a structured record');
    const m = LINE.exec(line);
    if (!m) return fail('not a Spark log line: expected "yy/MM/dd HH:mm:ss LEVEL class: message"');
    const ts = localIso(2000 + +m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +m[6]!, undefined, ctx);
    if (!ts) return fail(`invalid date/time "${m[1]}/${m[2]}/${m[3]} ${m[4]}:${m[5]}:${m[6]}"`);
    const lvl = level(m[7]);
    return ok({
      '@timestamp': ts,
      message: m[9],
      event: { kind: 'event', dataset: 'spark.log', module: 'spark', type: typeForLevel(lvl) },
      log: { level: lvl, logger: m[8] },
      service: { type: 'spark' },
    });
  },
};
