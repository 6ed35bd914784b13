// What the correlation engine is given and what it gives back.
import type { SigmaCorrelationRule } from '../sigma/model';

export interface CorrelationOptions {
  /** How far behind the newest event time an event may arrive and still be counted (default 0). */
  allowedLatenessMs?: number;
  /** Most open groups per rule; beyond it the least recently updated group is evicted and counted. */
  maxGroupsPerRule?: number;
  /** Most entries kept per group; beyond it the oldest entry is evicted and counted. */
  maxEntriesPerGroup?: number;
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
  /** Events older than newest-time minus the allowed lateness: not counted. */
  lateDropped: number;
  /** Events behind the newest time but within the lateness bound: counted. */
  lateAccepted: number;
  /** Per rule: open groups, and groups/entries evicted by the caps. */
  rules: Record<string, { groups: number; evictedGroups: number; evictedEntries: number }>;
}
