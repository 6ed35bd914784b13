/** HDFS NameNode/DataNode service logs in the classic "yyMMdd HHmmss pid LEVEL class: message" layout. */
import type { LogSource, ParseContext, RawInput } from './source';
import { fail, level, lineOf, ok, typeForLevel } from './event-doc';
import { localIso } from './timestamps';

const LINE = /^(\d{2})(\d{2})(\d{2}) (\d{2})(\d{2})(\d{2}) (\d+) ([A-Z]+) ([\w.$]+): (.*)$/s;

export const hdfs: LogSource = {
  name: 'hdfs',
  description: 'HDFS NameNode/DataNode service log (yyMMdd HHmmss pid LEVEL class: message)',
  detect(input: RawInput): boolean {
    const line = lineOf(input);
    return line !== undefined && /^\d{6} \d{6} \d+ [A-Z]+ [\w.$]+: /.test(line);
  },
  parse(input: RawInput, ctx: ParseContext) {
    const line = lineOf(input);
    if (line === undefined) return fail('hdfs expects a text line, got a structured record');
    const m = LINE.exec(line);
    if (!m) return fail('not an HDFS service log line: expected "yyMMdd HHmmss pid LEVEL class: message"');
    // Two-digit years in these logs are always this century.
    const ts = localIso(2000 + +m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +m[6]!, undefined, ctx);
    if (!ts) return fail(`invalid date/time "${m[1]}${m[2]}${m[3]} ${m[4]}${m[5]}${m[6]}"`);
    const lvl = level(m[8]);
    return ok({
      '@timestamp': ts,
      message: m[10],
      event: { kind: 'event', dataset: 'hdfs.service', module: 'hdfs', type: typeForLevel(lvl) },
      log: { level: lvl, logger: m[9] },
      process: { pid: Number(m[7]) },
      service: { type: 'hdfs' },
    });
  },
};
