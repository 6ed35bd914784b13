/**
 * What each source sent, as the gateway acknowledged it: per collector, host, source type and
 * department, the events and dead letters durably published (fed by the publisher after the
 * durable write, so the counts are exactly what the answers said was stored and dead-lettered),
 * when it was first and last seen, and its events per second over the last minute. In memory
 * and bounded: past `maxSources` distinct sources, the source seen longest ago gives its row up
 * and its counts go into one "other" row, so the rows still add up to every acknowledged item.
 * Evicting the stalest (not refusing the newest) matters because host names are the senders'
 * text: a flood of invented names must not leave a real source without a row of its own.
 */
import { isPlainObject } from '../../core/doc';
import type { PipelineResult } from '../pipeline/types';

/** The rate is the events of the last RATE_SECONDS, per second. */
export const RATE_SECONDS = 60;
/** Names are hostile text: a row keeps at most this many characters of each. */
const NAME_CHARS = 256;
const REASON_CHARS = 500;

export interface SourceKey {
  readonly collector: string | null;
  readonly host: string | null;
  readonly sourceType: string | null;
  readonly department: string | null;
}

export interface SourceHealth extends SourceKey {
  /** The row of every source past the bound (its key fields are null). */
  readonly other: boolean;
  readonly firstSeen: string;
  readonly lastSeen: string;
  /** Events durably published (stored), not counting dead letters. */
  readonly events: number;
  /** Dead letters durably published: input kept raw because it could not be made an event. */
  readonly deadLetters: number;
  /** Of the dead letters, those a parser or the JSON reader refused (the rest are malformed transport messages). */
  readonly parseFailures: number;
  readonly lastDeadLetterAt: string | null;
  readonly lastDeadLetterReason: string | null;
  /** Events per second over the last minute. */
  readonly eventsPerSecond: number;
}

interface Row {
  readonly key: SourceKey;
  readonly other: boolean;
  firstSeen: number;
  lastSeen: number;
  events: number;
  deadLetters: number;
  parseFailures: number;
  lastDeadLetterAt: number | null;
  lastDeadLetterReason: string | null;
  /** Events per second of the last RATE_SECONDS, by second modulo RATE_SECONDS, and the second each slot holds. */
  readonly perSecond: number[];
  readonly slotSecond: number[];
}

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v.slice(0, NAME_CHARS) : null);
const field = (doc: unknown, name: string): unknown => (isPlainObject(doc) ? doc[name] : undefined);

export function keyOf(r: PipelineResult): SourceKey {
  const e = r.event as unknown as Record<string, unknown>;
  return {
    collector: text(field(e.citysoc, 'collector')),
    host: text(field(e.host, 'name')),
    sourceType: text(r.source),
    department: text(field(e.organization, 'name')),
  };
}

export class SourceHealthModel {
  private readonly rows = new Map<string, Row>();
  private other: Row | undefined;

  constructor(
    private readonly maxSources: number,
    private readonly clock: () => Date,
  ) {}

  /** Counts one durably published batch. */
  record(results: readonly PipelineResult[]): void {
    const now = this.clock().getTime();
    for (const r of results) {
      const row = this.rowOf(keyOf(r), now);
      row.lastSeen = now;
      if (r.ok) {
        row.events++;
        this.countSecond(row, now);
      } else {
        row.deadLetters++;
        if (field(field(r.event, 'error'), 'type') !== 'invalid_event') row.parseFailures++;
        row.lastDeadLetterAt = now;
        row.lastDeadLetterReason = r.error.slice(0, REASON_CHARS);
      }
    }
  }

  /** Every row, most recently seen first, the "other" row last. */
  list(): SourceHealth[] {
    const now = this.clock().getTime();
    const rows = [...this.rows.values()].sort((a, b) => b.lastSeen - a.lastSeen);
    return [...rows, ...(this.other ? [this.other] : [])].map((r) => view(r, now));
  }

  /** The source's row, moved to the end of the map: the map's first row is always the one seen longest ago. */
  private rowOf(key: SourceKey, now: number): Row {
    const id = JSON.stringify([key.collector, key.host, key.sourceType, key.department]);
    const found = this.rows.get(id);
    if (found) {
      this.rows.delete(id);
      this.rows.set(id, found);
      return found;
    }
    if (this.rows.size >= this.maxSources) this.evictStalest();
    const row = newRow(key, false, now);
    this.rows.set(id, row);
    return row;
  }

  private evictStalest(): void {
    const [id, stale] = this.rows.entries().next().value as [string, Row];
    this.rows.delete(id);
    const other = (this.other ??= {
      ...newRow({ collector: null, host: null, sourceType: null, department: null }, true, stale.firstSeen),
      lastSeen: stale.lastSeen,
    });
    other.firstSeen = Math.min(other.firstSeen, stale.firstSeen);
    other.lastSeen = Math.max(other.lastSeen, stale.lastSeen);
    other.events += stale.events;
    other.deadLetters += stale.deadLetters;
    other.parseFailures += stale.parseFailures;
    if (stale.lastDeadLetterAt !== null && (other.lastDeadLetterAt === null || stale.lastDeadLetterAt >= other.lastDeadLetterAt)) {
      other.lastDeadLetterAt = stale.lastDeadLetterAt;
      other.lastDeadLetterReason = stale.lastDeadLetterReason;
    }
    for (let i = 0; i < RATE_SECONDS; i++) {
      if (stale.slotSecond[i] === -1) continue;
      if (other.slotSecond[i] !== stale.slotSecond[i]) {
        // the slot holds the newer second's count; an older second falls out of the last minute anyway
        if (other.slotSecond[i]! > stale.slotSecond[i]!) continue;
        other.slotSecond[i] = stale.slotSecond[i]!;
        other.perSecond[i] = 0;
      }
      other.perSecond[i]! += stale.perSecond[i]!;
    }
  }

  private countSecond(row: Row, now: number): void {
    const second = Math.floor(now / 1000);
    const slot = second % RATE_SECONDS;
    if (row.slotSecond[slot] !== second) {
      row.slotSecond[slot] = second;
      row.perSecond[slot] = 0;
    }
    row.perSecond[slot]!++;
  }
}

function newRow(key: SourceKey, other: boolean, now: number): Row {
  return {
    key,
    other,
    firstSeen: now,
    lastSeen: now,
    events: 0,
    deadLetters: 0,
    parseFailures: 0,
    lastDeadLetterAt: null,
    lastDeadLetterReason: null,
    perSecond: new Array<number>(RATE_SECONDS).fill(0),
    slotSecond: new Array<number>(RATE_SECONDS).fill(-1),
  };
}

function view(r: Row, now: number): SourceHealth {
  const second = Math.floor(now / 1000);
  let recent = 0;
  for (let i = 0; i < RATE_SECONDS; i++) if (second - r.slotSecond[i]! < RATE_SECONDS) recent += r.perSecond[i]!;
  return {
    ...r.key,
    other: r.other,
    firstSeen: new Date(r.firstSeen).toISOString(),
    lastSeen: new Date(r.lastSeen).toISOString(),
    events: r.events,
    deadLetters: r.deadLetters,
    parseFailures: r.parseFailures,
    lastDeadLetterAt: r.lastDeadLetterAt === null ? null : new Date(r.lastDeadLetterAt).toISOString(),
    lastDeadLetterReason: r.lastDeadLetterReason,
    eventsPerSecond: Math.round((recent / RATE_SECONDS) * 1000) / 1000,
  };
}
