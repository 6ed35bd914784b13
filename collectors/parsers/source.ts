/**
 * The one interface every log source implements (one file per source in this folder).
 * A source recognizes its input, parses it into fields, and normalizes those to ECS.
 */
import type { Doc } from '../../core/doc';

/** One unit of input: a raw line, or a structured record that arrived as JSON. */
export type RawInput = { readonly kind: 'line'; readonly line: string } | { readonly kind: 'record'; readonly record: Doc };

export interface ParseContext {
  /** Year for formats without one (syslog's "Jun 14 15:16:01"), from the receiving time. */
  readonly defaultYear: number;
  /** Time zone offset for formats without one, e.g. "+08:00"; default UTC. */
  readonly defaultOffset?: string;
  /** Host the collector said the line came from. */
  readonly host?: string;
  /** When the gateway received the input: the @timestamp of records that carry no time of their own. */
  readonly receivedAt: Date;
}

export type ParseOutcome = { readonly ok: true; readonly event: Doc } | { readonly ok: false; readonly error: string };

export interface LogSource {
  /** Stable name used in tags, `--source` and `citysoc.source` (e.g. 'openssh', 'hdfs-audit'). */
  readonly name: string;
  readonly description: string;
  /** True when this input looks like this source; cheap, used for auto-detection. */
  detect(input: RawInput): boolean;
  /**
   * Parses and normalizes one input into an ECS document (nested objects) with @timestamp,
   * message, event.kind/category/type/outcome, log.level, process.*, and source fields.
   * event.original and event.id are set by the pipeline, not here.
   */
  parse(input: RawInput, ctx: ParseContext): ParseOutcome;
}
