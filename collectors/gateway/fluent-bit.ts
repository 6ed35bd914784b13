/**
 * Decodes what Fluent Bit's `http` output posts: `format json` (one JSON array of records)
 * or `json_lines` (one record per line), each record with its `date`. Tailed lines arrive as
 * `log`, journal entries as fields, structured sources (winevtlog, JSON audit logs) as records.
 */
import { type Doc, isPlainObject } from '../../core/doc';
import { isoFromEpoch } from '../parsers/timestamps';
import { depthProblem, splitJsonArray } from '../pipeline/json-depth';
import type { InputHint, PipelineInput } from '../pipeline/types';
import { isJournalEntry, journalLine } from './journald';
import { foldWinEvent, isFlatWinEvent } from './winevtlog';
import type { TagInfo } from './tag';

/** Keys our Fluent Bit configurations add (path_key, offset_key): transport facts, not content. */
export const PATH_KEY = 'file_path';
export const OFFSET_KEY = 'file_offset';
const DATE_KEY = 'date';

/** One record of a payload, in order: the pipeline input, or why there is none (a dead letter). */
export interface DecodedRecord {
  /** Array position or line, from 1, for error reports. */
  readonly index: number;
  /** The record as sent, for the dead letter. */
  readonly raw: string;
  readonly input?: PipelineInput;
  readonly error?: string;
}

const isDoc = isPlainObject;

/** Fluent Bit's `date`: seconds since the epoch (json_date_format double/epoch) or an ISO 8601 text. */
function dateOf(v: unknown): { ok: true; iso?: string } | { ok: false; error: string } {
  if (v === undefined || v === null) return { ok: true };
  const iso = typeof v === 'number' ? isoFromEpoch(v) : typeof v === 'string' ? (isoFromEpoch(v) ?? isoText(v)) : undefined;
  if (iso === undefined) return { ok: false, error: `"${DATE_KEY}" ${JSON.stringify(v).slice(0, 40)} is not a time (seconds since 1970, or ISO 8601)` };
  return { ok: true, iso };
}

function isoText(v: string): string | undefined {
  const t = Date.parse(v);
  return Number.isFinite(t) && /^\d{4}-\d{2}-\d{2}T/.test(v) ? new Date(t).toISOString() : undefined;
}

/** A multiline record (a joined stack trace) ends with the newline of its last line: layout, not content. */
const withoutTrailingNewline = (s: string): string => s.replace(/\r?\n+$/, '');

/**
 * The pipeline input of one record, or why it cannot be one. `position` is where the record was
 * in its source (file and offset); without one, the shipper's time and the record's place in the
 * batch stand for it, so a retried batch keeps its ids and two records of one batch never share one.
 */
export function recordInput(record: Doc, tag: TagInfo, collector: string, receivedAt: Date, index = 0): PipelineInput | { error: string } {
  const { [DATE_KEY]: date, [PATH_KEY]: path, [OFFSET_KEY]: offset, ...rest } = record;
  const when = dateOf(date);
  if (!when.ok) return { error: when.error };
  if (path !== undefined && typeof path !== 'string') return { error: `"${PATH_KEY}" must be a text, got ${typeof path}` };
  if (offset !== undefined && typeof offset !== 'number' && !(typeof offset === 'string' && /^\d+$/.test(offset)))
    return { error: `"${OFFSET_KEY}" must be a whole number, got ${JSON.stringify(offset).slice(0, 40)}` };
  const position =
    path !== undefined && offset !== undefined
      ? `${path}:${String(offset)}`
      : `batch:${date === undefined ? `${receivedAt.getTime()}:${Math.random()}` : String(date)}:${index}`;
  const base: InputHint = {
    collector,
    source: tag.source,
    host: tag.host,
    department: tag.department,
    receivedAt,
    timestamp: when.iso,
    position,
    extra: path !== undefined ? { log: { file: { path }, offset: typeof offset === 'number' ? offset : undefined } } : undefined,
  };
  if (typeof rest.log === 'string') {
    // Keys a filter added next to the tailed line (record_modifier) are kept as labels.
    const { log, ...labels } = rest;
    const extra = Object.keys(labels).length ? { ...base.extra, labels } : base.extra;
    return { raw: { kind: 'line', line: withoutTrailingNewline(log) }, hint: { ...base, extra } };
  }
  if (isJournalEntry(rest)) {
    const j = journalLine(rest);
    return { raw: { kind: 'line', line: j.line }, hint: { ...base, host: base.host ?? j.host, exactTimestamp: j.timestamp, original: JSON.stringify(rest) } };
  }
  if (isFlatWinEvent(rest)) return { raw: { kind: 'record', record: foldWinEvent(rest) }, hint: { ...base, original: JSON.stringify(rest) } };
  return { raw: { kind: 'record', record: rest }, hint: base };
}

/** Decodes `format json` (one array) or `json_lines`; every record is decoded, bounded and reported on its own. */
export function decodeFluentBit(body: string, tag: TagInfo, collector: string, receivedAt: Date, maxDepth = 64): DecodedRecord[] {
  const out: DecodedRecord[] = [];
  const take = (raw: string, index: number, format: string) => {
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch (e) {
      out.push({ index, raw, error: `${format === 'json_lines' ? 'line' : 'record'} ${index} is not valid JSON (format ${format}): ${(e as Error).message}` });
      return;
    }
    if (!isDoc(v)) return out.push({ index, raw, error: `record ${index} is not a JSON object` });
    const deep = depthProblem(v, maxDepth);
    if (deep) return out.push({ index, raw, error: `record ${index}: ${deep}` });
    const input = recordInput(v, tag, collector, receivedAt, index);
    out.push('error' in input ? { index, raw, error: `record ${index}: ${input.error}` } : { index, raw, input });
  };
  if (body.trimStart().startsWith('[')) {
    const parts = splitJsonArray(body);
    if (parts === undefined) out.push({ index: 1, raw: body, error: 'body is not one JSON array (format json): unbalanced brackets or text after it' });
    else parts.forEach((raw, i) => take(raw, i + 1, 'json'));
    return out;
  }
  const lines = body.split('\n');
  for (let i = 0; i < lines.length; i++) if (lines[i]!.trim() !== '') take(lines[i]!, i + 1, 'json_lines');
  return out;
}
