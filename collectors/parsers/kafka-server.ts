/**
 * Kafka broker logs (server.log, controller.log, state-change.log), log4j
 * "[%d] %p %m (%c)%n": "[2024-03-01 10:00:00,123] INFO [KafkaServer id=1] started (kafka.server.KafkaServer)".
 * Authentication failures the broker logs become failed authentication events with the client address.
 */
import type { LogSource, ParseContext, RawInput } from './source';
import { endpoint, fail, level, lineOf, ok, typeForLevel } from './event-doc';
import { isoFromYmd } from './timestamps';

const LINE = /^\[(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3})\] ([A-Z]+) (.*?)(?: \(([\w.$]+)\))?$/s;
const AUTH_FAILED = /Failed authentication with \/?([\d.:a-fA-F]+)(?: \(channelId=[^)]*\))? \((.*)\)$/s;

export const kafkaServer: LogSource = {
  name: 'kafka-server',
  description: 'Kafka broker log ([date] LEVEL message (logger))',
  detect(input: RawInput): boolean {
    const line = lineOf(input);
    return line !== undefined && /^\[\d{4}-\d{2}-\d{2} [\d:]{8},\d{3}\] [A-Z]+ /.test(line);
  },
  parse(input: RawInput, ctx: ParseContext) {
    const line = lineOf(input);
    if (line === undefined) return fail('kafka-server expects a text line, got a structured record');
    const m = LINE.exec(line);
    if (!m) return fail('not a Kafka broker log line: expected "[yyyy-MM-dd HH:mm:ss,SSS] LEVEL message (logger)"');
    const ts = isoFromYmd(m[1]!, ctx);
    if (!ts) return fail(`invalid date/time "${m[1]}"`);
    const lvl = level(m[2]);
    const auth = AUTH_FAILED.exec(m[3]!);
    return ok({
      '@timestamp': ts,
      message: m[3],
      event: auth
        ? {
            kind: 'event',
            dataset: 'kafka.log',
            module: 'kafka',
            action: 'authentication_failure',
            category: ['authentication'],
            type: ['start'],
            outcome: 'failure',
            reason: auth[2],
          }
        : { kind: 'event', dataset: 'kafka.log', module: 'kafka', type: typeForLevel(lvl) },
      log: { level: lvl, logger: m[4] },
      source: auth ? endpoint(auth[1]) : undefined,
      service: { type: 'kafka' },
    });
  },
};
