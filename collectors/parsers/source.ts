/**
 * The one interface every log source implements (one file per source in this folder).
 * A source recognizes its input, parses it into fields, and normalizes those to ECS.
 */
import type { Doc } from '../../core/doc';

/** One unit of input: a raw line, or a structured record that arrived as JSON. */
export type RawInput = { readonly kind: 'line'; readonly line: string } | { readonly kind: 'record'; readonly record: Doc };

export interface ParseContext {
  /**
   * When the input was shipped (the shipper's clock) or else received: the @timestamp of records
   * that carry no time of their own, and the reference of the year rule for dates without a year.
   */
  readonly receivedAt: Date;
  /** The local zone of times written without one: an IANA name or an offset ("+08:00"); default the host's. */
  readonly timeZone?: string;
  /** Host the collector said the line came from. */
  readonly host?: string;
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
