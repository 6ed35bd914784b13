/** Windows Component-Based Servicing log (CBS.log): "yyyy-MM-dd HH:mm:ss, Level   Component   message". */
import type { LogSource, ParseContext, RawInput } from './source';
import { fail, level, lineOf, ok, typeForLevel } from './event-doc';
import { isoFromYmd } from './timestamps';

const LINE = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}), (\w+) +(\w+) +(.*)$/s;

export const windowsCbs: LogSource = {
  name: 'windows-cbs',
  description: 'Windows Component-Based Servicing log (CBS.log, Windows Update servicing)',
  detect(input: RawInput): boolean {
    const line = lineOf(input);
    return line !== undefined && /^\d{4}-\d{2}-\d{2} [\d:]{8}, \w+ +\w+ +/.test(line);
  },
  parse(input: RawInput, ctx: ParseContext) {
    const line = lineOf(input);
    if (line === undefined) return fail('windows-cbs expects a text line, got a structured record');
    const m = LINE.exec(line);
    if (!m) return fail('not a CBS.log line: expected "yyyy-MM-dd HH:mm:ss, Level Component message"');
    const ts = isoFromYmd(m[1]!, ctx);
    if (!ts) return fail(`invalid date/time "${m[1]}"`);
    const lvl = level(m[2]);
    return ok({
      '@timestamp': ts,
      message: m[4],
      event: { kind: 'event', dataset: 'windows.cbs', module: 'windows', category: ['package'], type: typeForLevel(lvl) },
      log: { level: lvl, logger: m[3] },
      host: { os: { type: 'windows' } },
    });
  },
};
