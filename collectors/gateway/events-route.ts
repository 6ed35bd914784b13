/**
 * `POST /ingest/v1/events`: ECS events as JSON lines or one JSON array, from clients that already
 * speak ECS. Each goes through the same pipeline as every other input (source `ecs`: validation,
 * enrichment, detection hooks, metrics); lines that are not JSON objects become dead letters.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { deadLetterEvent } from '../pipeline/dead-letter';
import type { PipelineResult } from '../pipeline/types';
import type { Admit, GatewayDeps } from './admission';
import { sendJson } from './http-io';

interface Item {
  readonly line: number;
  readonly raw: string;
  readonly record?: Record<string, unknown>;
  readonly error?: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function items(body: string): Item[] {
  const trimmed = body.trim();
  const one = (raw: string, line: number, value: unknown): Item => (isRecord(value) ? { line, raw, record: value } : { line, raw, error: 'not a JSON object' });
  if (trimmed.startsWith('[')) {
    try {
      return (JSON.parse(trimmed) as unknown[]).map((v, i) => one(JSON.stringify(v), i + 1, v));
    } catch (e) {
      return [{ line: 1, raw: trimmed, error: `body is not valid JSON: ${(e as Error).message}` }];
    }
  }
  return body.split('\n').flatMap((raw, i) => {
    if (raw.trim() === '') return [];
    try {
      return [one(raw, i + 1, JSON.parse(raw))];
    } catch (e) {
      return [{ line: i + 1, raw, error: `not valid JSON: ${(e as Error).message}` }];
    }
  });
}

export async function eventsRoute(deps: GatewayDeps, admit: Admit, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const got = await admit(req, res, 'citysoc');
  if (!got) return;
  const receivedAt = new Date();
  const list = items(got.body);
  const results: PipelineResult[] = list.map((item) => {
    const position = `line:${item.line}`;
    if (item.record) {
      const given = isRecord(item.record.event) && typeof item.record.event.id === 'string' ? item.record.event.id : undefined;
      return deps.publisher.pipeline.process(
        { kind: 'record', record: item.record },
        { source: 'ecs', collector: got.collector, receivedAt, position, original: item.raw, ...(given ? { id: given } : {}) },
      );
    }
    const error = item.error!;
    return {
      ok: false,
      source: 'ecs',
      error,
      event: deadLetterEvent({ original: item.raw, error, source: 'ecs', collector: got.collector, receivedAt, position }),
    };
  });
  await deps.publisher.publishResults(results);
  const accepted = results.filter((r) => r.ok).length;
  const errors = results.flatMap((r, i) => (r.ok ? [] : [{ line: list[i]!.line, reason: r.error }]));
  sendJson(res, accepted === 0 && errors.length > 0 ? 400 : 200, { accepted, deadLettered: results.length - accepted, errors: errors.slice(0, 100) });
}
