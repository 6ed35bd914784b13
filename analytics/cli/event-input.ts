// Turns the lines of an input file into events for detection: JSON objects (ECS, or raw records
// of a known source such as Ranger or Windows EVTX JSON) and raw log lines via collectors/parsers.
import { createReadStream } from 'node:fs';
import type { ParseContext } from '../../collectors/parsers';
import { normalizeWindowsEvent, normalizeWindowsShape, windowsShape } from '../../collectors/parsers/windows-event';
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

/** Line breaks as readline reads them: \r\n, \n, or a lone \r. */
const LINE_BREAK = /\r\n|\n|\r/;

/**
 * The lines of a file, as readline splits them (numbered the same way), a chunk's worth at a
 * time: one await per chunk instead of one per line, which is most of what reading costs.
 */
export async function* fileLines(file: string): AsyncGenerator<string[]> {
  let rest = '';
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 16 })) {
    let text = rest + (chunk as string);
    // A trailing \r may be the first half of a \r\n split across chunks: keep it for the next one.
    const held = text.endsWith('\r');
    if (held) text = text.slice(0, -1);
    const lines = text.split(LINE_BREAK);
    rest = (lines.pop() as string) + (held ? '\r' : '');
    if (lines.length > 0) yield lines;
  }
  const last = rest.split(LINE_BREAK);
  if (last[last.length - 1] === '') last.pop();
  if (last.length > 0) yield last;
}

/** Whether a line is empty or only whitespace (as `line.trim() === ''`), without trimming most lines. */
function blank(line: string): boolean {
  if (line.length === 0) return true;
  const c = line.charCodeAt(0);
  return !(c > 32 && c < 127) && line.trim() === '';
}

/** The line without leading whitespace (as trimStart), without copying lines that have none. */
function trimmedStart(line: string): string {
  const c = line.charCodeAt(0);
  return c > 32 && c < 127 ? line : line.trimStart();
}

/** The events of a file, a chunk's worth at a time (see fileLines). */
export async function* readEvents(file: string, options: InputOptions): AsyncGenerator<InputEvent[]> {
  let n = 0;
  for await (const lines of fileLines(file)) {
    const batch: InputEvent[] = [];
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] as string;
      n++;
      if (blank(line)) continue;
      const ref = `${file}:${n}`;
      const event = toEvent(line, options);
      if (typeof event === 'string') options.onUnparsed(ref, event);
      else batch.push({ event, ref });
    }
    if (batch.length > 0) yield batch;
  }
}

/** A Windows record (or event XML) in the shape the `windows` pipeline reads, or why it cannot be. */
function windowsRecord(input: Record<string, unknown> | string, options: InputOptions): SigmaEvent | string {
  const n = normalizeWindowsEvent(input, options.ctx);
  return n.ok ? (n.record as unknown as SigmaEvent) : `windows-event: ${n.error}`;
}

/** The event of one line, or why there is none. */
function toEvent(line: string, options: InputOptions): SigmaEvent | string {
  const start = trimmedStart(line);
  if (options.keepRawJson && start.startsWith('<Event')) return windowsRecord(line.trim(), options);
  if (start.startsWith('{')) {
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (e) {
      return `invalid JSON: ${(e as Error).message}`;
    }
    if (!isObject(record)) return 'a JSON line must hold an object';
    if (options.keepRawJson) {
      const shape = windowsShape(record);
      if (shape === undefined) return record;
      const n = normalizeWindowsShape(record, shape, options.ctx);
      return n.ok ? (n.record as unknown as SigmaEvent) : `windows-event: ${n.error}`;
    }
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
