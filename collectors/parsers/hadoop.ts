/**
 * Hadoop daemon logs in log4j layouts: YARN/MapReduce "%d %p [%t] %c: %m", HDFS NameNode and
 * DataNode "%d{ISO8601} %p %c: %m" (no thread), HiveServer2 "%d{ISO8601} %5p [%t] %c{2}: %m",
 * and the classic HDFS layout "yyMMdd HHmmss pid LEVEL class: message" that older NameNodes
 * and DataNodes write into the same files (read as the hdfs source reads it).
 */
import type { LogSource, ParseContext, RawInput } from './source';
import { fail, level, lineOf, ok, typeForLevel } from './event-doc';
import { hdfs } from './hdfs';
import { isoFromYmd } from './timestamps';

const LINE = /^(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2},\d{3}) +([A-Z]+) +(?:\[([^\]]*)\] )?([\w.$]+): ?(.*)$/s;

export const hadoop: LogSource = {
  name: 'hadoop',
  description: 'Hadoop daemon log: YARN, MapReduce, HDFS NameNode/DataNode, HiveServer2 (log4j: date LEVEL [thread] class: message)',
  detect(input: RawInput): boolean {
    const line = lineOf(input);
    return line !== undefined && /^\d{4}-\d{2}-\d{2}[ T][\d:]{8},\d{3} +[A-Z]+ +(?:\[[^\]]*\] )?[\w.$]+:/.test(line);
  },
  // The classic HDFS layout is detected as `hdfs`; tagged `hadoop`, it is read here too.
  parse(input: RawInput, ctx: ParseContext) {
    const line = lineOf(input);
    if (line === undefined) return fail('hadoop expects a text line, got a structured record');
    const m = LINE.exec(line);
    if (!m && hdfs.detect(input)) return hdfs.parse(input, ctx);
    if (!m) return fail('not a Hadoop log line: expected "yyyy-MM-dd HH:mm:ss,SSS LEVEL [thread] class: message" or "yyMMdd HHmmss pid LEVEL class: message"');
    const ts = isoFromYmd(m[1]!, ctx);
    if (!ts) return fail(`invalid date/time "${m[1]}"`);
    const lvl = level(m[2]);
    return ok({
      '@timestamp': ts,
      message: m[5],
      event: { kind: 'event', dataset: 'hadoop.yarn', module: 'hadoop', type: typeForLevel(lvl) },
      log: { level: lvl, logger: m[4] },
      process: { thread: { name: m[3] } },
      service: { type: 'hadoop' },
    });
  },
};
