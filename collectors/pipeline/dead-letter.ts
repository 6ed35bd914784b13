/**
 * Input no source could parse is kept, not dropped: the original text, the parser's error and
 * the source it was tried as, searchable with `citysoc.dead_letter:true`.
 */
import type { Doc } from '../../core/doc';
import type { EcsEvent } from '../../core/event';
import { eventId } from './event-id';

export interface DeadLetterInput {
  readonly original: string;
  readonly error: string;
  readonly source: string;
  readonly collector: string;
  readonly receivedAt: Date;
  readonly position?: string;
  readonly host?: string;
  readonly department?: string;
  /** Why it is a dead letter: no parser understood it (default), or the event failed validation. */
  readonly type?: 'parse_error' | 'invalid_event';
}

export function deadLetterEvent(d: DeadLetterInput): EcsEvent {
  const doc: Doc = {
    '@timestamp': d.receivedAt.toISOString(),
    // Message holds a bounded copy so full-text search finds it; event.original keeps it whole.
    message: d.original.slice(0, 32_000),
    event: {
      id: `dl-${eventId(d.collector, d.source, d.original, d.position)}`,
      kind: 'pipeline_error',
      original: d.original,
      ingested: d.receivedAt.toISOString(),
    },
    error: { message: d.error, type: d.type ?? 'parse_error' },
    citysoc: { dead_letter: true, source: d.source, collector: d.collector },
  };
  // Only texts: a dead letter must be storable whatever the sender put where a name belongs.
  if (typeof d.host === 'string' && d.host) doc.host = { name: d.host };
  if (typeof d.department === 'string' && d.department) doc.organization = { name: d.department };
  return doc as EcsEvent;
}
