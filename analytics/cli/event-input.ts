// Turns the lines of an input file into events for detection: JSON objects (ECS, or raw records
// of a known source such as Ranger or Windows EVTX JSON) and raw log lines via collectors/parsers.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { ParseContext } from '../../collectors/parsers';
import { normalizeWindowsEvent, windowsShape } from '../../collectors/parsers/windows-event';
import type { SigmaEvent } from '../sigma/backends/fieldpath';

export interface InputEvent {
  event: SigmaEvent;
  /** file:line, for alerts of events that carry no event.id. */
  ref: string;
}

export interface InputOptions {
  /**
   * Keep raw JSON as it is (the `windows` pipeline reads `Event.EventData.*`, not ECS), Windows
   * records of any converter read into that one shape (windows-event's normalizeWindowsEvent).
   */
  keepRawJson: boolean;
  ctx: ParseContext;
  /** Lines no parser could read: reported, never fatal (they are kept raw in the platform). */
  onUnparsed(ref: string, reason: string): void;
}

let parsers: typeof import('../../collectors/parsers') | undefined;
/** The log parsers, loaded for the first line that needs one (Windows and ECS input never does). */
function detectSource(input: Parameters<typeof import('../../collectors/parsers').detectSource>[0]) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (parsers ??= require('../../collectors/parsers') as typeof import('../../collectors/parsers')).detectSource(input);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const looksEcs = (o: Record<string, unknown>): boolean => '@timestamp' in o || isObject(o.event);

export async function* readEvents(file: string, options: InputOptions): AsyncGenerator<InputEvent> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() === '') continue;
    const ref = `${file}:${n}`;
    const event = toEvent(line, options);
    if (typeof event === 'string') options.onUnparsed(ref, event);
    else yield { event, ref };
  }
}

/** A Windows record (or event XML) in the shape the `windows` pipeline reads, or why it cannot be. */
function windowsRecord(input: Record<string, unknown> | string, options: InputOptions): SigmaEvent | string {
  const n = normalizeWindowsEvent(input, options.ctx);
  return n.ok ? (n.record as unknown as SigmaEvent) : `windows-event: ${n.error}`;
}

/** The event of one line, or why there is none. */
function toEvent(line: string, options: InputOptions): SigmaEvent | string {
  if (options.keepRawJson && line.trimStart().startsWith('<Event')) return windowsRecord(line.trim(), options);
  if (line.trimStart().startsWith('{')) {
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (e) {
      return `invalid JSON: ${(e as Error).message}`;
    }
    if (!isObject(record)) return 'a JSON line must hold an object';
    if (options.keepRawJson) return windowsShape(record) !== undefined ? windowsRecord(record, options) : record;
    if (looksEcs(record)) return record;
    const source = detectSource({ kind: 'record', record });
    if (!source || source.name === 'generic-json') return record;
    const parsed = source.parse({ kind: 'record', record }, options.ctx);
    return parsed.ok ? { ...parsed.event, event: { ...(parsed.event.event as object), original: line } } : `${source.name}: ${parsed.error}`;
  }
  const source = detectSource({ kind: 'line', line });
  if (!source) return 'no parser recognises this line';
  const parsed = source.parse({ kind: 'line', line }, options.ctx);
  return parsed.ok ? { ...parsed.event, event: { ...(parsed.event.event as object), original: line } } : `${source.name}: ${parsed.error}`;
}
