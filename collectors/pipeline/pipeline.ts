/**
 * The ingest pipeline, the same for every transport (Fluent Bit, _bulk, syslog, CLI replay):
 * detect the source → parse and normalize to ECS → stamp id, ingest time, original → enrich →
 * validate → detection hooks. It never throws on input: what fails becomes a dead letter.
 */
import { jsonRecord } from '../parsers/json-input';
import { isPlainObject } from '../../core/doc';
import { validateEcsEvent } from '../../core/ecs-validation';
import { describeIssues, type EcsEvent, MAX_EVENT_ID } from '../../core/event';
import type { Enricher } from '../enrich/enricher';
import { detectSource, sourceByName, SOURCES } from '../parsers';
import type { LogSource, ParseContext, ParseOutcome, RawInput } from '../parsers/source';
import { deadLetterEvent } from './dead-letter';
import { eventId } from './event-id';
import { fillMissing } from './fill-missing';
import { depthProblem, textNestingExceeds } from './json-depth';
import { NO_OBSERVER, type InputHint, type PipelineObserver, type PipelineResult } from './types';

/** Called with every normalized event; the rules engine registers its single-event matchers here. */
export type EventHook = (event: EcsEvent) => void;

export interface PipelineOptions {
  /** The local zone of times written without one (IANA name or offset); default the host's. */
  readonly timeZone?: string;
  /** Deepest nesting of a JSON record (ingest.maxJsonDepth); deeper records are dead letters. */
  readonly maxJsonDepth?: number;
  /** The current enricher; a function so a reload takes effect on the next event. */
  readonly enricher?: () => Enricher | undefined;
  readonly observer?: PipelineObserver;
  /** Where a failing hook is reported; a hook's bug must not lose the event. */
  readonly onHookError?: (err: unknown, hook: EventHook) => void;
}

/** The source a failure is counted under: the one named, or 'unknown' when it was to be detected. */
export function namedSource(name: string | undefined): string {
  return name === undefined || name === '' || name === 'auto' ? 'unknown' : name;
}

const isDoc = isPlainObject;

export class Pipeline {
  private readonly hooks: EventHook[] = [];
  private readonly observer: PipelineObserver;

  constructor(private readonly opts: PipelineOptions = {}) {
    this.observer = opts.observer ?? NO_OBSERVER;
  }

  onEvent(hook: EventHook): () => void {
    this.hooks.push(hook);
    return () => {
      const i = this.hooks.indexOf(hook);
      if (i >= 0) this.hooks.splice(i, 1);
    };
  }

  /** Never throws: whatever goes wrong with one input makes that input a dead letter, not the batch a failure. */
  process(raw: RawInput, hint: InputHint): PipelineResult {
    const receivedAt = hint.receivedAt ?? new Date();
    const maxDepth = this.opts.maxJsonDepth ?? 64;
    const deep =
      raw.kind === 'record'
        ? depthProblem(raw.record, maxDepth)
        : /^\s*\{/.test(raw.line) && textNestingExceeds(raw.line, maxDepth)
          ? `the JSON line nests objects or arrays deeper than ${maxDepth} levels (ingest.maxJsonDepth)`
          : undefined;
    if (deep)
      return this.failure(raw, hint, receivedAt, namedSource(hint.source), deep, raw.kind === 'line' ? raw.line : '(a record nested too deep to keep whole)');
    const original = hint.original ?? (raw.kind === 'line' ? raw.line : JSON.stringify(raw.record));
    try {
      return this.processOne(raw, hint, receivedAt, original);
    } catch (e) {
      return this.failure(raw, hint, receivedAt, namedSource(hint.source), `the input could not be processed: ${(e as Error).message}`, original);
    }
  }

  private failure(raw: RawInput, hint: InputHint, receivedAt: Date, source: string, error: string, original: string): PipelineResult {
    this.observer.parseFailed(source);
    const event = deadLetterEvent({
      original,
      error,
      source,
      collector: hint.collector,
      receivedAt,
      position: hint.position,
      host: hint.host,
      department: hint.department,
    });
    return { ok: false, event, source, error };
  }

  private processOne(raw: RawInput, hint: InputHint, receivedAt: Date, original: string): PipelineResult {
    // A JSON line is decoded once here, not again by each JSON source's detect() in turn.
    const input = hint.source === undefined || hint.source === '' || hint.source === 'auto' ? decodeJsonLine(raw) : raw;
    const chosen = this.chooseSource(input, hint.source);
    const sourceName = chosen.source?.name ?? namedSource(hint.source);
    this.observer.received(sourceName);
    const failed = (error: string): PipelineResult => this.failure(raw, hint, receivedAt, sourceName, error, original);
    if (!chosen.source) return failed(chosen.error);
    if (hint.id !== undefined && hint.id.length > MAX_EVENT_ID)
      return failed(`event.id: the id given has ${hint.id.length} characters; at most ${MAX_EVENT_ID} (the search engines refuse longer document ids)`);

    const outcome = this.parse(chosen.source, input, hint, receivedAt);
    if (!outcome.ok) return failed(outcome.error);
    const doc = outcome.event;
    if (hint.extra) fillMissing(doc, hint.extra);
    if (hint.exactTimestamp !== undefined) doc['@timestamp'] = hint.exactTimestamp;
    else if (doc['@timestamp'] === undefined) doc['@timestamp'] = hint.timestamp ?? receivedAt.toISOString();
    const event = isDoc(doc.event) ? doc.event : (doc.event = {});
    event.id = hint.id ?? eventId(hint.collector, sourceName, original, hint.position);
    event.original = original;
    event.ingested = receivedAt.toISOString();
    const citysoc = isDoc(doc.citysoc) ? doc.citysoc : (doc.citysoc = {});
    citysoc.source = sourceName;
    citysoc.collector = hint.collector;
    if (hint.host) {
      const host = isDoc(doc.host) ? doc.host : (doc.host = {});
      host.name ??= hint.host;
    }
    if (hint.department) {
      // The collector's tag names the department that runs the machine: it wins over lookups.
      const org = isDoc(doc.organization) ? doc.organization : (doc.organization = {});
      org.name ??= hint.department;
    }
    try {
      this.opts.enricher?.()?.enrich(doc);
    } catch (e) {
      return failed(`enrichment failed: ${(e as Error).message}`);
    }
    const valid = validateEcsEvent(doc);
    if (!valid.success) return failed(`the ${sourceName} parser produced an invalid event: ${describeIssues(valid.error)}`);
    this.observer.normalized(sourceName);
    for (const hook of this.hooks) {
      try {
        hook(valid.data);
      } catch (err) {
        this.opts.onHookError?.(err, hook);
      }
    }
    return { ok: true, event: valid.data, source: sourceName };
  }

  private chooseSource(raw: RawInput, name: string | undefined): { source: LogSource; error?: never } | { source?: never; error: string } {
    if (name !== undefined && name !== '' && name !== 'auto') {
      const s = sourceByName(name);
      return s ? { source: s } : { error: `unknown source type "${name}"; known: ${SOURCES.map((x) => x.name).join(', ')}, auto` };
    }
    const s = detectSource(raw);
    return s ? { source: s } : { error: 'no log source recognised this input (give the source type in the tag or --source)' };
  }

  private parse(source: LogSource, raw: RawInput, hint: InputHint, receivedAt: Date): ParseOutcome {
    // The shipper's clock (Fluent Bit's date, Beats' @timestamp) is closer to when the line was written than ours.
    const measured = hint.timestamp === undefined ? Number.NaN : Date.parse(hint.timestamp);
    const at = Number.isNaN(measured) ? receivedAt : new Date(measured);
    const ctx: ParseContext = { timeZone: this.opts.timeZone, host: hint.host, receivedAt: at };
    try {
      return source.parse(raw, ctx);
    } catch (e) {
      // A parser bug is one bad event, never a crashed gateway.
      return { ok: false, error: `the ${source.name} parser failed: ${(e as Error).message}` };
    }
  }
}

function decodeJsonLine(raw: RawInput): RawInput {
  if (raw.kind !== 'line' || !raw.line.trimStart().startsWith('{')) return raw;
  const r = jsonRecord(raw);
  return r.ok ? { kind: 'record', record: r.record } : raw;
}
