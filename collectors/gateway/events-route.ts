/**
 * `POST /ingest/v1/events`: ECS events as JSON lines or one JSON array, from clients that already
 * speak ECS. Each goes through the same pipeline as every other input (source `ecs`: validation,
 * enrichment, detection hooks, metrics); lines that are not JSON objects become dead letters.
 * An event `citysoc parse` printed (it names its source and keeps its original line) is read
 * again from that line by that source, so posting parse output stores what ingesting the raw
 * line would have, with the same original, source and id.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isPlainObject } from '../../core/doc';
import { sourceByName } from '../parsers';
import { deadLetterEvent } from '../pipeline/dead-letter';
import { depthProblem, splitJsonArray } from '../pipeline/json-depth';
import type { InputHint, PipelineInput, PipelineResult } from '../pipeline/types';
import { type Admit, type GatewayDeps, refuse, refusedTooMany } from './admission';
import { writeBatch } from './batch';
import { sendJson } from './http-io';

interface Item {
  readonly line: number;
  readonly raw: string;
  readonly record?: Record<string, unknown>;
  readonly error?: string;
}

/** Line errors named in the answer; the rest are counted and searchable as dead letters. */
const ANSWER_ERRORS = 100;
const REASON_CHARS = 500;

/** Non-blank lines of the body, counted up to the first past `limit` (without splitting the body). */
function linesUpTo(body: string, limit: number): number {
  let n = 0;
  for (let start = 0; start < body.length && n <= limit;) {
    const end = body.indexOf('\n', start);
    const stop = end < 0 ? body.length : end;
    if (body.slice(start, stop).trim() !== '') n++;
    start = stop + 1;
  }
  return n;
}

/** The body's records, or their count when there are more than `maxItems` (none is parsed then). */
function items(body: string, maxDepth: number, maxItems: number): Item[] | { tooMany: number } {
  const one = (raw: string, line: number): Item => {
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (e) {
      return { line, raw, error: `not valid JSON: ${(e as Error).message}` };
    }
    if (!isPlainObject(value)) return { line, raw, error: 'not a JSON object' };
    const deep = depthProblem(value, maxDepth);
    return deep ? { line, raw, error: deep } : { line, raw, record: value };
  };
  if (body.trimStart().startsWith('[')) {
    const parts = splitJsonArray(body);
    if (parts === undefined) return [{ line: 1, raw: body, error: 'body is not one JSON array: unbalanced brackets or text after it' }];
    if (parts.length > maxItems) return { tooMany: parts.length };
    return parts.map((raw, i) => one(raw, i + 1));
  }
  const lines = linesUpTo(body, maxItems);
  if (lines > maxItems) return { tooMany: lines };
  return body.split('\n').flatMap((raw, i) => (raw.trim() === '' ? [] : [one(raw, i + 1)]));
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** What `citysoc parse` printed: its source's name and the original line, to be read again. */
function parsedOutput(record: Record<string, unknown>, base: InputHint): PipelineInput | undefined {
  const event = isPlainObject(record.event) ? record.event : undefined;
  const citysoc = isPlainObject(record.citysoc) ? record.citysoc : undefined;
  const original = text(event?.original);
  const source = text(citysoc?.source);
  if (!original || !source || source === 'ecs' || citysoc?.dead_letter === true || !sourceByName(source)) return undefined;
  return {
    raw: { kind: 'line', line: original },
    hint: {
      ...base,
      source,
      original,
      id: text(event?.id) ?? base.id,
      // The year rule and zone-less times read against the time parse gave it.
      timestamp: text(record['@timestamp']),
      host: text(isPlainObject(record.host) ? record.host.name : undefined),
      department: text(isPlainObject(record.organization) ? record.organization.name : undefined),
    },
  };
}

export async function eventsRoute(deps: GatewayDeps, admit: Admit, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const got = await admit(req, res, 'citysoc');
  if (!got) return;
  const receivedAt = new Date();
  const list = items(got.body, deps.maxJsonDepth, deps.maxItemsPerRequest);
  if (!Array.isArray(list)) {
    refusedTooMany(deps, res, 'citysoc', list.tooMany, 'records');
    return;
  }
  const results: PipelineResult[] = list.map((item) => {
    const position = `line:${item.line}`;
    if (item.record) {
      const given = isPlainObject(item.record.event) ? text(item.record.event.id) : undefined;
      const base: InputHint = { collector: got.collector, receivedAt, position, ...(given ? { id: given } : {}) };
      const again = parsedOutput(item.record, base);
      if (again) return deps.publisher.pipeline.process(again.raw, again.hint);
      return deps.publisher.pipeline.process({ kind: 'record', record: item.record }, { ...base, source: 'ecs', original: item.raw });
    }
    const error = item.error!;
    return {
      ok: false,
      source: 'ecs',
      error,
      event: deadLetterEvent({ original: item.raw, error, source: 'ecs', collector: got.collector, receivedAt, position }),
    };
  });
  const written = await writeBatch(deps, results, got);
  if (written.kind === 'refused') return refuse(res, 'citysoc', written.status, written.code, written.message);
  if (written.kind === 'unavailable') return sendJson(res, 503, { error: 'UNAVAILABLE', message: written.message }, { 'retry-after': '5' });
  const lines = written.outcomes.map((o, i) => ({ o, line: list[i]!.line }));
  const errors = lines.filter((x) => x.o.status === 'dead_letter');
  const duplicates = lines.filter((x) => x.o.status === 'duplicate');
  // Every line was written, as an event or a dead letter: the same 200 as on every ingest route.
  sendJson(res, 200, {
    ...written.counts,
    errors: errors
      .slice(0, ANSWER_ERRORS)
      .map((x) => ({ line: x.line, reason: x.o.reason!.length > REASON_CHARS ? `${x.o.reason!.slice(0, REASON_CHARS)}…` : x.o.reason! })),
    ...(errors.length > ANSWER_ERRORS ? { moreErrors: errors.length - ANSWER_ERRORS } : {}),
    ...(duplicates.length ? { duplicatesOf: duplicates.slice(0, ANSWER_ERRORS).map((x) => ({ line: x.line, id: x.o.id, of: x.o.duplicateOf! })) } : {}),
  });
}
