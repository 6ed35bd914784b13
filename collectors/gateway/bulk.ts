/**
 * The Elasticsearch bulk API as Beats, Logstash and Fluent Bit's `es` output speak it:
 * NDJSON pairs of an action (`index` or `create`) and a document. Each item gets an ES-shaped
 * result; a malformed line is an item error (and a dead letter), never the whole request's.
 */
import { type Doc, isPlainObject } from '../../core/doc';
import { detectSource, sourceByName } from '../parsers';
import { depthProblem } from '../pipeline/json-depth';
import type { InputHint, PipelineInput } from '../pipeline/types';
import type { TagInfo } from './tag';

export const DEFAULT_INDEX = 'citysoc-events';

export type BulkItem =
  | { readonly kind: 'doc'; readonly action: 'index' | 'create'; readonly index: string; readonly id?: string; readonly input: PipelineInput }
  | {
      readonly kind: 'error';
      readonly action: string;
      readonly index: string;
      readonly id?: string;
      readonly status: number;
      readonly type: string;
      readonly reason: string;
      readonly raw: string;
      readonly line: number;
    };

const isDoc = isPlainObject;
const ACTIONS = new Set(['index', 'create', 'update', 'delete']);

function tryJson(s: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(s) };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

function asAction(v: unknown): { name: string; meta: Doc } | undefined {
  if (!isDoc(v)) return undefined;
  const keys = Object.keys(v);
  if (keys.length !== 1 || !ACTIONS.has(keys[0]!)) return undefined;
  const meta = v[keys[0]!];
  return isDoc(meta) ? { name: keys[0]!, meta } : undefined;
}

/** A source named by the index (`citysoc-openssh`, `logs-hdfs-audit-default`) when the tag says none. */
function sourceFromIndex(index: string): string | undefined {
  const m = /^(?:citysoc|logs)-([a-z0-9-]+?)(?:-default|-\d{4}\.\d{2}\.\d{2})?$/.exec(index);
  return m && sourceByName(m[1]!) ? m[1] : undefined;
}

const get = (d: Doc, a: string, b: string): unknown => (isDoc(d[a]) ? (d[a] as Doc)[b] : undefined);

/** The fields the gateway itself reads from a document must have their ECS types; else the item is refused (and kept). */
function fieldProblem(doc: Doc): string | undefined {
  const wrong = (field: string, v: unknown, want: 'string' | 'number') =>
    v !== undefined && v !== null && typeof v !== want
      ? `${field} must be a ${want === 'string' ? 'text' : 'number'}, got ${Array.isArray(v) ? 'array' : typeof v}`
      : undefined;
  return (
    wrong('@timestamp', doc['@timestamp'], 'string') ??
    wrong('message', doc.message, 'string') ??
    wrong('host.name', get(doc, 'host', 'name'), 'string') ??
    wrong('log.file.path', isDoc(doc.log) ? get(doc.log, 'file', 'path') : undefined, 'string') ??
    wrong('log.offset', isDoc(doc.log) ? (doc.log as Doc).offset : undefined, 'number')
  );
}

/**
 * The document becomes a line input when its `message` is a raw log line a source recognises; else
 * it is taken as a record. Without `_id` or a file offset, each item is a new event, as in
 * Elasticsearch (`unique` tells them apart; a shipper's retry of such items stores them again).
 */
export function bulkInput(doc: Doc, hintBase: InputHint, named: string | undefined, unique = ''): PipelineInput {
  const filePath = isDoc(doc.log) ? get(doc.log, 'file', 'path') : undefined;
  const offset = isDoc(doc.log) ? (doc.log as Doc).offset : undefined;
  const host = (get(doc, 'host', 'name') as string | undefined) ?? hintBase.host;
  const hint: InputHint = {
    ...hintBase,
    host,
    timestamp: typeof doc['@timestamp'] === 'string' ? doc['@timestamp'] : undefined,
    position: hintBase.position ?? (filePath !== undefined && offset !== undefined ? `${String(filePath)}:${String(offset)}` : unique || undefined),
  };
  const message = doc.message;
  if (typeof message === 'string') {
    const line = { kind: 'line' as const, line: message };
    const lineSource = named ?? detectSource(line)?.name;
    if (lineSource !== undefined && lineSource !== 'json' && lineSource !== 'ecs') {
      const { message: _m, '@timestamp': _t, ...extra } = doc;
      return { raw: line, hint: { ...hint, source: lineSource, extra, original: message } };
    }
  }
  return { raw: { kind: 'record', record: doc }, hint: { ...hint, source: named } };
}

export function parseBulk(body: string, pathIndex: string | undefined, tag: TagInfo, collector: string, receivedAt: Date, maxDepth = 64): BulkItem[] {
  const lines = body.split('\n');
  const request = `bulk:${receivedAt.getTime()}:${Math.random().toString(36).slice(2)}`;
  const items: BulkItem[] = [];
  let i = 0;
  const next = () => {
    while (i < lines.length && lines[i]!.trim() === '') i++;
    return i < lines.length ? { text: lines[i]!, line: ++i } : undefined;
  };
  for (let a = next(); a !== undefined; a = next()) {
    const parsed = tryJson(a.text);
    const action = parsed.ok ? asAction(parsed.value) : undefined;
    if (!action) {
      const reason = parsed.ok
        ? `line ${a.line}: malformed action/metadata line, expected {"index"|"create":{...}}`
        : `line ${a.line}: the action line is not valid JSON: ${parsed.error}`;
      items.push({
        kind: 'error',
        action: 'index',
        index: pathIndex ?? DEFAULT_INDEX,
        status: 400,
        type: 'illegal_argument_exception',
        reason,
        raw: a.text,
        line: a.line,
      });
      continue;
    }
    const index = typeof action.meta._index === 'string' ? action.meta._index : (pathIndex ?? DEFAULT_INDEX);
    const id = typeof action.meta._id === 'string' && action.meta._id !== '' ? action.meta._id : undefined;
    if (action.name === 'delete' || action.name === 'update') {
      if (action.name === 'update') next();
      items.push({
        kind: 'error',
        action: action.name,
        index,
        id,
        status: 400,
        type: 'illegal_argument_exception',
        reason: `line ${a.line}: ${action.name} is not supported: stored events are immutable evidence`,
        raw: a.text,
        line: a.line,
      });
      continue;
    }
    const d = next();
    if (d === undefined) {
      items.push({
        kind: 'error',
        action: action.name,
        index,
        id,
        status: 400,
        type: 'action_request_validation_exception',
        reason: `line ${a.line}: the ${action.name} action has no document line after it`,
        raw: a.text,
        line: a.line,
      });
      continue;
    }
    const doc = tryJson(d.text);
    if (!doc.ok || !isDoc(doc.value)) {
      const reason = `line ${d.line}: failed to parse the document: ${doc.ok ? 'not a JSON object' : doc.error}`;
      items.push({ kind: 'error', action: action.name, index, id, status: 400, type: 'mapper_parsing_exception', reason, raw: d.text, line: d.line });
      continue;
    }
    const problem = depthProblem(doc.value, maxDepth) ?? fieldProblem(doc.value);
    if (problem) {
      const reason = `line ${d.line}: failed to parse the document: ${problem}`;
      items.push({ kind: 'error', action: action.name, index, id, status: 400, type: 'mapper_parsing_exception', reason, raw: d.text, line: d.line });
      continue;
    }
    const named = tag.source ?? sourceFromIndex(index);
    const base: InputHint = { collector, host: tag.host, department: tag.department, receivedAt, id };
    items.push({ kind: 'doc', action: action.name as 'index' | 'create', index, id, input: bulkInput(doc.value, base, named, `${request}:${d.line}`) });
  }
  return items;
}
