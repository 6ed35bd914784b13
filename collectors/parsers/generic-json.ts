/**
 * Any JSON object, as the last resort of auto-detection: time, message and level are taken from
 * the usual keys, everything else is kept under `json` so nothing collides with typed ECS fields.
 */
import type { Doc } from '../../core/doc';
import type { LogSource, ParseContext, RawInput } from './source';
import { fail, ok } from './event-doc';
import { isObject, jsonRecord, peekRecord, str } from './json-input';
import { isoFromAny } from './timestamps';

const TIME_KEYS = ['@timestamp', 'timestamp', 'time', 'ts', 'date', 'datetime', 'eventTime'];
const MESSAGE_KEYS = ['message', 'msg', 'log', 'text'];
const LEVEL_KEYS = ['level', 'severity', 'log.level', 'loglevel'];
// pino/bunyan numeric levels.
const NUMERIC_LEVELS: Readonly<Record<number, string>> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

function firstKey(r: Doc, keys: readonly string[]): string | undefined {
  return keys.find((k) => r[k] !== undefined && r[k] !== null);
}

export const genericJson: LogSource = {
  name: 'json',
  description: 'Any JSON object (fields kept under json.*)',
  detect(input: RawInput): boolean {
    return peekRecord(input) !== undefined;
  },
  parse(input: RawInput, ctx: ParseContext) {
    const j = jsonRecord(input);
    if (!j.ok) return fail(j.error);
    const r = j.record;
    const timeKey = firstKey(r, TIME_KEYS);
    const ts = timeKey === undefined ? undefined : isoFromAny(isObject(r[timeKey]) ? undefined : r[timeKey], ctx);
    if (timeKey !== undefined && ts === undefined) return fail(`field "${timeKey}" is not a recognised time: ${JSON.stringify(r[timeKey])}`);
    const messageKey = firstKey(r, MESSAGE_KEYS);
    const levelKey = firstKey(r, LEVEL_KEYS);
    const rawLevel = levelKey === undefined ? undefined : r[levelKey];
    const rest = Object.fromEntries(Object.entries(r).filter(([k]) => k !== timeKey && k !== messageKey && k !== levelKey));
    return ok({
      // Records without a time of their own get the receive time.
      '@timestamp': ts ?? ctx.receivedAt.toISOString(),
      message: messageKey === undefined ? undefined : typeof r[messageKey] === 'string' ? r[messageKey] : JSON.stringify(r[messageKey]),
      event: { kind: 'event', dataset: 'json.generic', module: 'json' },
      log: { level: typeof rawLevel === 'number' ? (NUMERIC_LEVELS[rawLevel] ?? String(rawLevel)) : str(rawLevel)?.toLowerCase() },
      json: rest,
    });
  },
};
