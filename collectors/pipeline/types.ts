/** What a transport hands the pipeline, and what it gets back. */
import type { Doc } from '../../core/doc';
import type { EcsEvent } from '../../core/event';
import type { RawInput } from '../parsers/source';

/** What the transport knows about an input besides its content (Fluent Bit tag, syslog peer, ...). */
export interface InputHint {
  /** Source type name ('openssh', 'hdfs-audit', ...); absent or 'auto': detected. */
  readonly source?: string;
  readonly host?: string;
  readonly department?: string;
  /** Who sent it: the collector token's name, 'syslog', 'cli'. Part of the event id. */
  readonly collector: string;
  /** Distinguishes identical inputs that are different occurrences (file + offset); part of the id. */
  readonly position?: string;
  /** An id the sender chose (ES bulk `_id`); wins over the derived one. */
  readonly id?: string;
  /** Fields the transport adds (agent, log.file, syslog header); parsed fields win over them. */
  readonly extra?: Doc;
  /** @timestamp the transport measured (syslog header, Fluent Bit date), used when the parser finds none. */
  readonly timestamp?: string;
  /** A time the transport knows better than the text (journald's microsecond clock, RFC 5424): replaces the parsed one. */
  readonly exactTimestamp?: string;
  /** What arrived, when the transport reshaped it before parsing (journald fields → a syslog line). */
  readonly original?: string;
  readonly receivedAt?: Date;
}

export interface PipelineInput {
  readonly raw: RawInput;
  readonly hint: InputHint;
}

export type PipelineResult =
  | { readonly ok: true; readonly event: EcsEvent; readonly source: string }
  | { readonly ok: false; readonly event: EcsEvent; readonly source: string; readonly error: string };

/** Counts per source, for /metrics; the pipeline calls these, metrics implement them. */
export interface PipelineObserver {
  received(source: string): void;
  normalized(source: string): void;
  parseFailed(source: string): void;
}

export const NO_OBSERVER: PipelineObserver = { received() {}, normalized() {}, parseFailed() {} };
