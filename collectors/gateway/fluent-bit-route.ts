/**
 * `POST /ingest/v1/fluent-bit[/<tag>]`: decodes the payload, runs every record through the
 * pipeline, writes events and dead letters durably, then answers 200 with the counts and the
 * first few errors. Fluent Bit's `http` output reads at most 4,096 bytes of response (status
 * line and headers included) and counts a longer one as a failed flush, retried forever: the
 * answer is kept well under that, and the full per-record report goes to the log.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { deadLetterEvent } from '../pipeline/dead-letter';
import { namedSource } from '../pipeline/pipeline';
import type { PipelineResult } from '../pipeline/types';
import { type Admit, type GatewayDeps, refuse, refusedTooMany } from './admission';
import { writeBatch } from './batch';
import { decodeFluentBit } from './fluent-bit';
import { sendJson } from './http-io';
import { tagOfRequest } from './tag';

/** Errors named in the answer; the rest are counted, logged and searchable as dead letters. */
export const ANSWER_ERRORS = 5;
const REASON_CHARS = 400;
/** The answer's body stays below this, leaving room for the status line and headers in Fluent Bit's 4,096 bytes. */
export const ANSWER_BODY_BYTES = 3_000;
const LOGGED_ERRORS = 1_000;

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
  const records = decodeFluentBit(got.body, tag, got.collector, receivedAt, deps.maxJsonDepth);
  if (refusedTooMany(deps, res, 'citysoc', records.length, 'records')) return;
  const named = namedSource(tag.source);
  const results: PipelineResult[] = records.map((r) =>
    r.input
      ? deps.publisher.pipeline.process(r.input.raw, r.input.hint)
      : {
          ok: false,
          source: named,
          error: r.error!,
          event: deadLetterEvent({
            original: r.raw,
            error: r.error!,
            source: named,
            collector: got.collector,
            receivedAt,
            position: `record:${r.index}`,
            host: tag.host,
            department: tag.department,
          }),
        },
  );
  const written = await writeBatch(deps, results, got);
  if (written.kind === 'refused') return refuse(res, 'citysoc', written.status, written.code, written.message);
  if (written.kind === 'unavailable') return sendJson(res, 503, { error: 'UNAVAILABLE', message: written.message }, { 'retry-after': '5' });
  const errors = written.outcomes.flatMap((o, i) => (o.status === 'dead_letter' ? [{ record: records[i]!.index, source: o.source, reason: o.reason! }] : []));
  const batch = randomUUID();
  if (errors.length > 0) {
    deps.log.warn(
      { batch, collector: got.collector, deadLettered: errors.length, errors: errors.slice(0, LOGGED_ERRORS) },
      'Fluent Bit records kept as dead letters (search citysoc.dead_letter:true)',
    );
  }
  // Every record was written (events or dead letters): 200 tells Fluent Bit not to send them again.
  sendJson(res, 200, compactAnswer(written.counts, errors, batch));
}

/** Counts, then as many of the first errors (reasons cut short) as fit the budget. */
export function compactAnswer(counts: object, errors: readonly { record: number; source: string; reason: string }[], batch: string): object {
  const shown = errors
    .slice(0, ANSWER_ERRORS)
    .map((e) => ({ ...e, reason: e.reason.length > REASON_CHARS ? `${e.reason.slice(0, REASON_CHARS)}…` : e.reason }));
  for (;;) {
    const answer = { ...counts, errors: shown, ...(errors.length > shown.length ? { moreErrors: errors.length - shown.length } : {}), batch };
    if (Buffer.byteLength(JSON.stringify(answer)) <= ANSWER_BODY_BYTES || shown.length === 0) return answer;
    shown.pop();
  }
}
