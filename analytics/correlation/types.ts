// What the correlation engine is given and what it gives back.
import type { SigmaCorrelationRule } from '../sigma/model';

export interface CorrelationOptions {
  /**
   * Bounded out-of-orderness: the watermark is the newest event time minus this (default 0). An
   * event behind the watermark is counted unless every window it could belong to has closed.
   */
  allowedLatenessMs?: number;
  /** How far past the clock an event time may move the watermark (default 5 min). */
  maxFutureMs?: number;
  /** The clock the future bound is measured from (default Date.now). */
  now?: () => number;
  /** Most open groups per rule; beyond it the least recently updated group is evicted and counted. */
  maxGroupsPerRule?: number;
  /** Most entries kept per group; beyond it the oldest entry is evicted and counted. */
  maxEntriesPerGroup?: number;
  /**
   * Most entries kept by all rules together (default 2,000,000: about 0.9 GiB at ~0.45 KiB an entry with its id remembered); beyond it
   * the rule holding the most loses the oldest entry of its least recently updated group, counted.
   */
  maxEntries?: number;
  /** Most event ids carried by one firing (the count stays exact). */
  maxEventIdsPerFiring?: number;
}

export interface CorrelationFiring {
  rule: SigmaCorrelationRule;
  /** id, else name, else title: how alerts and chained correlations refer to the rule. */
  ruleId: string;
  /** group-by values joined by U+001F, '' without group-by. */
  groupKey: string;
  group: Record<string, string>;
  /** The measured quantity: count, distinct values, sum, average or percentile share. */
  value: number;
  /** Base events (or chained firings) in the window. */
  eventCount: number;
  eventIds: string[];
  /** Event time of the window's first and last entry, ms since the epoch. */
  firstSeen: number;
  lastSeen: number;
}

export interface CorrelationStats {
  /** Events that came after every window of every rule they matched had closed: not counted (and told). */
  lateDropped: number;
  /** Events behind the newest time but still counted in at least one rule's windows. */
  lateAccepted: number;
  /** Window entries held by all rules (bounded by maxEntries). */
  entries: number;
  /** Per rule: open groups, groups/entries evicted by the caps, events too late for its windows. */
  rules: Record<string, { groups: number; evictedGroups: number; evictedEntries: number; late: number }>;
}
