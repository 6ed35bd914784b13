/**
 * Decodes what Fluent Bit's `http` output posts: `format json` (one JSON array of records)
 * or `json_lines` (one record per line), each record with its `date`. Tailed lines arrive as
 * `log`, journal entries as fields, structured sources (winevtlog, JSON audit logs) as records.
 */
import { type Doc, isPlainObject } from '../../core/doc';
import type { InputHint, PipelineInput } from '../pipeline/types';
import { isJournalEntry, journalLine } from './journald';
import { foldWinEvent, isFlatWinEvent } from './winevtlog';
import type { TagInfo } from './tag';

/** Keys our Fluent Bit configurations add (path_key, offset_key): transport facts, not content. */
export const PATH_KEY = 'file_path';
export const OFFSET_KEY = 'file_offset';
const DATE_KEY = 'date';

export interface DecodedPayload {
  readonly inputs: PipelineInput[];
  /** Record number (array position or line, from 1) of each input, for error reports. */
  readonly numbers: number[];
  /** Items that are not JSON objects: reported and dead-lettered by the caller. */
  readonly malformed: { readonly index: number; readonly raw: string; readonly reason: string }[];
}

const isDoc = isPlainObject;

function dateOf(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return new Date(Math.round(v > 1e11 ? v : v * 1000)).toISOString();
  if (typeof v === 'string') {
    const n = /^\d+(\.\d+)?$/.test(v) ? Number(v) : Date.parse(v);
    if (Number.isFinite(n)) return new Date(/^\d+(\.\d+)?$/.test(v) ? Math.round(n > 1e11 ? n : n * 1000) : n).toISOString();
  }
  return undefined;
}

export function recordInput(record: Doc, tag: TagInfo, collector: string, receivedAt: Date): PipelineInput {
  const { [DATE_KEY]: date, [PATH_KEY]: path, [OFFSET_KEY]: offset, ...rest } = record;
  const base: InputHint = {
    collector,
    source: tag.source,
    host: tag.host,
    department: tag.department,
    receivedAt,
    timestamp: dateOf(date),
    position: path !== undefined && offset !== undefined ? `${String(path)}:${String(offset)}` : undefined,
    extra: path !== undefined ? { log: { file: { path }, offset: typeof offset === 'number' ? offset : undefined } } : undefined,
  };
  if (typeof rest.log === 'string') {
    // Keys a filter added next to the tailed line (record_modifier) are kept as labels.
    const { log, ...labels } = rest;
    const extra = Object.keys(labels).length ? { ...base.extra, labels } : base.extra;
    return { raw: { kind: 'line', line: log }, hint: { ...base, extra } };
  }
  if (isJournalEntry(rest)) {
    const j = journalLine(rest);
    return { raw: { kind: 'line', line: j.line }, hint: { ...base, host: base.host ?? j.host, exactTimestamp: j.timestamp, original: JSON.stringify(rest) } };
  }
  if (isFlatWinEvent(rest)) return { raw: { kind: 'record', record: foldWinEvent(rest) }, hint: { ...base, original: JSON.stringify(rest) } };
  return { raw: { kind: 'record', record: rest }, hint: base };
}

export function decodeFluentBit(body: string, tag: TagInfo, collector: string, receivedAt: Date): DecodedPayload {
  const inputs: PipelineInput[] = [];
  const numbers: number[] = [];
  const malformed: DecodedPayload['malformed'] = [];
  const take = (v: unknown, index: number, raw: () => string) => {
    if (isDoc(v)) {
      inputs.push(recordInput(v, tag, collector, receivedAt));
      numbers.push(index);
    } else malformed.push({ index, raw: raw(), reason: `record ${index} is not a JSON object` });
  };
  const text = body.trimStart();
  if (text.startsWith('[')) {
    let arr: unknown;
    try {
      arr = JSON.parse(text);
    } catch (e) {
      malformed.push({ index: 1, raw: body, reason: `body is not valid JSON (format json): ${(e as Error).message}` });
      return { inputs, numbers, malformed };
    }
    (arr as unknown[]).forEach((v, i) => take(v, i + 1, () => JSON.stringify(v)));
    return { inputs, numbers, malformed };
  }
  const lines = body.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === '') continue;
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch (e) {
      malformed.push({ index: i + 1, raw, reason: `line ${i + 1} is not valid JSON (format json_lines): ${(e as Error).message}` });
      continue;
    }
    take(v, i + 1, () => raw);
  }
  return { inputs, numbers, malformed };
}
