/**
 * The Elasticsearch-compatible surface: `POST [/<index>]/_bulk` with ES-shaped per-item results,
 * and the version probe at `/`, so Beats, Logstash and Fluent Bit's `es` output ship unchanged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { deadLetterEvent } from '../pipeline/dead-letter';
import { namedSource } from '../pipeline/pipeline';
import type { PipelineResult } from '../pipeline/types';
import { type Admit, ES_HEADERS, type GatewayDeps, refuse, refusedTooMany } from './admission';
import { type ItemOutcome, writeBatch } from './batch';
import { type BulkItem, parseBulk } from './bulk';
import { sendJson } from './http-io';
import { tagOfRequest } from './tag';

/** The version the ES-compatible endpoint claims: new enough for Beats 8 and Fluent Bit, whose checks only read the major. */
const ES_VERSION = '8.17.0';

export async function bulkRoute(
  deps: GatewayDeps,
  admit: Admit,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  pathIndex: string | undefined,
): Promise<void> {
  const started = Date.now();
  const got = await admit(req, res, 'es');
  if (!got) return;
  const receivedAt = new Date();
  const tag = tagOfRequest(req, url, undefined);
  const items = parseBulk(got.body, pathIndex, tag, got.collector, receivedAt, deps.maxJsonDepth);
  if (refusedTooMany(deps, res, 'es', items.length, 'documents')) return;
  const source = namedSource(tag.source);
  const results: PipelineResult[] = items.map((it) =>
    it.kind === 'doc'
      ? deps.publisher.pipeline.process(it.input.raw, it.input.hint)
      : {
          ok: false,
          source,
          error: it.reason,
          event: deadLetterEvent({
            original: it.raw,
            error: it.reason,
            source,
            collector: got.collector,
            receivedAt,
            position: `bulk:${it.line}`,
            host: tag.host,
            department: tag.department,
          }),
        },
  );
  const written = await writeBatch(deps, results, got);
  if (written.kind === 'refused') return refuse(res, 'es', written.status, written.code, written.message);
  if (written.kind === 'unavailable') return refuse(res, 'es', 503, 'UNAVAILABLE', written.message, { 'retry-after': '5' });
  const out = items.map((it, i) => bulkItemAnswer(it, written.outcomes[i]!, i));
  // Every item was written (event or dead letter): 200, with each item's own status, as Elasticsearch answers.
  sendJson(res, 200, { took: Date.now() - started, errors: out.some((o) => Object.values(o)[0]!.status >= 300), items: out }, ES_HEADERS);
}

type ItemAnswer = Record<string, { _index: string; _id: string; status: number } & Record<string, unknown>>;

/** One item in Elasticsearch's words: created, a repeat (409 for create, noop for index), a duplicate stored under a new id, or refused and kept. */
function bulkItemAnswer(it: BulkItem, o: ItemOutcome, seq: number): ItemAnswer {
  // Where the refused item was kept (its dead letter's id), and whether that dead letter was already stored by an
  // earlier request (an identical line sent again): the error stays an error, as Elasticsearch would answer it.
  const kept = { citysoc: { dead_letter: o.id, ...(o.status === 'repeat' ? { repeat: true } : {}) } };
  if (it.kind === 'error')
    return { [it.action]: { _index: it.index, _id: it.id ?? o.id, status: it.status, error: { type: it.type, reason: it.reason }, ...kept } };
  const head = { _index: it.index, _id: o.id };
  if (o.deadLetter)
    return { [it.action]: { ...head, status: 400, error: { type: 'mapper_parsing_exception', reason: `${o.reason!} (kept as a dead letter)` }, ...kept } };
  if (o.status === 'repeat') {
    return it.action === 'create'
      ? {
          create: {
            ...head,
            status: 409,
            error: { type: 'version_conflict_engine_exception', reason: `[${o.id}]: version conflict, document already exists (current version [1])` },
          },
        }
      : { index: { ...head, _version: 1, result: 'noop', status: 200, _shards: { total: 1, successful: 1, failed: 0 } } };
  }
  return {
    [it.action]: {
      ...head,
      _version: 1,
      result: 'created',
      status: 201,
      _shards: { total: 1, successful: 1, failed: 0 },
      _seq_no: seq,
      _primary_term: 1,
      ...(o.status === 'duplicate' ? { citysoc: { duplicate_of: o.duplicateOf } } : {}),
    },
  };
}

/** `GET|HEAD /`: the version probe of Beats, Logstash and Fluent Bit's es output. */
export function esRoot(req: IncomingMessage, res: ServerResponse): void {
  const body = {
    name: 'citysoc-gateway',
    cluster_name: 'citysoc',
    cluster_uuid: 'citysoc-ingest-gateway',
    version: {
      number: ES_VERSION,
      build_flavor: 'default',
      build_type: 'citysoc',
      lucene_version: '9.12.0',
      minimum_wire_compatibility_version: '7.17.0',
      minimum_index_compatibility_version: '7.0.0',
    },
    tagline: 'You Know, for Search',
  };
  if (req.method === 'HEAD') {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', ...ES_HEADERS });
    res.end();
  } else sendJson(res, 200, body, ES_HEADERS);
}

/** Logstash and Beats read the license on connect; a basic one keeps them from warning or refusing. */
export function esLicense(res: ServerResponse): void {
  sendJson(res, 200, { license: { status: 'active', uid: 'citysoc', type: 'basic', mode: 'basic' } }, ES_HEADERS);
}
