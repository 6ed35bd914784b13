/**
 * `POST /ingest/v1/fluent-bit[/<tag>]`: decodes the payload, runs every record through the
 * pipeline, publishes events and dead letters durably, then answers 200 with what was accepted
 * and why the rest was not (per record number).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { deadLetterEvent } from '../pipeline/dead-letter';
import { namedSource } from '../pipeline/pipeline';
import type { PipelineResult } from '../pipeline/types';
import type { Admit, GatewayDeps } from './admission';
import { decodeFluentBit } from './fluent-bit';
import { sendJson } from './http-io';
import { tagOfRequest } from './tag';

export async function fluentBitRoute(
  deps: GatewayDeps,
  admit: Admit,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  pathTag: string | undefined,
): Promise<void> {
  const got = await admit(req, res, 'citysoc');
  if (!got) return;
  const receivedAt = new Date();
  const tag = tagOfRequest(req, url, pathTag);
  const decoded = decodeFluentBit(got.body, tag, got.collector, receivedAt);
  const source = namedSource(tag.source);
  const letters: PipelineResult[] = decoded.malformed.map((m) => ({
    ok: false,
    source,
    error: m.reason,
    event: deadLetterEvent({
      original: m.raw,
      error: m.reason,
      source,
      collector: got.collector,
      receivedAt,
      position: `record:${m.index}`,
      host: tag.host,
      department: tag.department,
    }),
  }));
  const results = decoded.inputs.map((i) => deps.publisher.pipeline.process(i.raw, i.hint));
  await deps.publisher.publishResults([...results, ...letters]);
  const accepted = results.filter((r) => r.ok).length;
  const errors = [
    ...results.flatMap((r, i) => (r.ok ? [] : [{ record: decoded.numbers[i]!, source: r.source, reason: r.error }])),
    ...decoded.malformed.map((m) => ({ record: m.index, source, reason: m.reason })),
  ].sort((a, b) => a.record - b.record);
  // Fluent Bit retries anything but 2xx; a body with nothing usable in it is the sender's bug, said with 400.
  const status = accepted === 0 && decoded.inputs.length === 0 && decoded.malformed.length > 0 ? 400 : 200;
  sendJson(res, status, { accepted, deadLettered: results.length - accepted + letters.length, errors: errors.slice(0, 100) });
}
