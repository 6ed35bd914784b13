/**
 * What each source sent, as the gateway acknowledged it (collector, host, source type,
 * department; last seen, events per second, events, parse failures, dead letters), and how the
 * console judges a row: silent when nothing came for longer than the chosen time, failing when it
 * has dead letters.
 */
import { graphql } from './graphql';
import { pageOf, type ResourceAdapter } from './resource';

export interface SourceRecord {
  id: string;
  collector: string | null;
  host: string | null;
  sourceType: string | null;
  department: string | null;
  other: boolean;
  firstSeen: string;
  lastSeen: string;
  events: number;
  deadLetters: number;
  parseFailures: number;
  lastDeadLetterAt: string | null;
  lastDeadLetterReason: string | null;
  eventsPerSecond: number;
}

export type SourceState = 'ok' | 'silent' | 'failing';

const SOURCES = /* GraphQL */ `
  query Sources {
    sources {
      collector
      host
      sourceType
      department
      other
      firstSeen
      lastSeen
      events
      deadLetters
      parseFailures
      lastDeadLetterAt
      lastDeadLetterReason
      eventsPerSecond
    }
  }
`;

export async function listSources(): Promise<SourceRecord[]> {
  const rows = (await graphql<{ sources: Omit<SourceRecord, 'id'>[] }>(SOURCES)).sources;
  return rows.map((r) => ({ ...r, id: r.other ? '(other)' : JSON.stringify([r.collector, r.host, r.sourceType, r.department]) }));
}

/** Failing (dead letters) weighs more than silent: a source that sends only garbage is not healthy. */
export function sourceState(r: SourceRecord, now: number, silentAfterMs: number): SourceState {
  if (r.deadLetters > 0) return 'failing';
  return now - Date.parse(r.lastSeen) > silentAfterMs ? 'silent' : 'ok';
}

export const sources: ResourceAdapter = {
  async getList(params) {
    const rows = await listSources();
    const { size, offset } = pageOf(params.pagination);
    return { data: rows.slice(offset, offset + size), total: rows.length };
  },
};

/** The collectors' health in a few figures, as the 大屏 shows it. */
export interface SourcesSummary {
  sources: number;
  ok: number;
  silent: number;
  failing: number;
  parseFailures: number;
  deadLetters: number;
  /** The newest lastSeen of any source; null when there is none. */
  lastSeen: string | null;
}

export function summarizeSources(rows: readonly SourceRecord[], now: number, silentAfterMs: number): SourcesSummary {
  const s: SourcesSummary = { sources: rows.length, ok: 0, silent: 0, failing: 0, parseFailures: 0, deadLetters: 0, lastSeen: null };
  for (const r of rows) {
    s[sourceState(r, now, silentAfterMs)]++;
    s.parseFailures += r.parseFailures;
    s.deadLetters += r.deadLetters;
    if (s.lastSeen === null || Date.parse(r.lastSeen) > Date.parse(s.lastSeen)) s.lastSeen = r.lastSeen;
  }
  return s;
}
