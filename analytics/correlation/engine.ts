// The embedded correlation engine: per rule and group, event-time windows over the base-rule
// matches (and over firings of other correlations, for chains). Bounded: expired windows are
// swept as event time advances and caps evict the stalest state, with counters.
import type { SigmaEvent } from '../sigma/backends/fieldpath';
import { SigmaParseError } from '../sigma/errors';
import type { SigmaCorrelationRule } from '../sigma/model';
import { fieldTexts, groupOf, resolveField, type RuleRef } from './grouping';
import type { CompactEntry, CorrelationSnapshot } from './snapshot';
import { evaluationMode } from './threshold';
import type { CorrelationFiring, CorrelationOptions, CorrelationStats } from './types';
import { closedValue, eagerHit, insertionPoint, lowerBound, type Entry, type WindowSpec } from './windows';

interface GroupState {
  values: Record<string, string>;
  entries: Entry[];
}

interface RuleState {
  rule: SigmaCorrelationRule;
  key: string;
  spec: WindowSpec;
  mode: 'eager' | 'on-close';
  groups: Map<string, GroupState>;
  /**
   * Event ids this rule has counted, with their time, kept while a window could still hold them:
   * an event delivered again (a shipper's retry, a redelivered batch) is not counted twice.
   */
  seen: Map<string, number>;
  evictedGroups: number;
  evictedEntries: number;
  /** Events of this rule that came after every window they could belong to had closed. */
  late: number;
  /** Entries held in all its groups. */
  entries: number;
}

/** Most event ids remembered per rule for recognising repeats (the oldest are forgotten first). */
const MAX_SEEN_PER_RULE = 1_000_000;

export const correlationKey = (r: { id?: string; name?: string; title: string }): string => r.id ?? r.name ?? r.title;

export class CorrelationEngine {
  private readonly states: RuleState[];
  /** Referenced id or name → indexes of the correlations that reference it. */
  private readonly referrers = new Map<string, number[]>();
  private readonly lateness: number;
  private readonly maxGroups: number;
  private readonly maxEntries: number;
  private readonly maxTotal: number;
  /** Entries held by all rules: bounded by maxTotal. */
  private total = 0;
  private readonly maxIds: number;
  private readonly maxFutureMs: number;
  private readonly now: () => number;
  private maxSeen = Number.NEGATIVE_INFINITY;
  private nextSweep = Number.NEGATIVE_INFINITY;
  private lateDropped = 0;
  private lateAccepted = 0;

  constructor(rules: readonly SigmaCorrelationRule[], options: CorrelationOptions = {}) {
    this.lateness = options.allowedLatenessMs ?? 0;
    this.maxGroups = options.maxGroupsPerRule ?? 100_000;
    this.maxEntries = options.maxEntriesPerGroup ?? 10_000;
    this.maxTotal = options.maxEntries ?? 2_000_000;
    this.maxIds = options.maxEventIdsPerFiring ?? 100;
    this.maxFutureMs = options.maxFutureMs ?? 300_000;
    this.now = options.now ?? Date.now;
    this.states = rules.map((rule) => ({
      rule,
      key: correlationKey(rule),
      spec: { type: rule.type, spanMs: rule.timespan.milliseconds, ruleCount: rule.rules.length, ...(rule.condition ? { condition: rule.condition } : {}) },
      mode: evaluationMode(rule.type, rule.condition),
      groups: new Map(),
      seen: new Map(),
      evictedGroups: 0,
      evictedEntries: 0,
      late: 0,
      entries: 0,
    }));
    this.states.forEach((s, i) => {
      for (const ref of s.rule.rules) this.referrers.set(ref, [...(this.referrers.get(ref) ?? []), i]);
    });
    this.checkAcyclic();
  }

  /** Every id or name some correlation refers to: base rules whose own alerts `generate` governs. */
  referencedRefs(): Set<string> {
    return new Set(this.referrers.keys());
  }

  /** Whether matches of the rule are wanted as alerts on their own: unreferenced, or a referrer says `generate: true`. */
  generates(ref: RuleRef): boolean {
    const referrers = [...(this.referrers.get(ref.ruleId) ?? []), ...(ref.name !== undefined ? (this.referrers.get(ref.name) ?? []) : [])];
    return referrers.length === 0 || referrers.some((i) => (this.states[i] as RuleState).rule.generate);
  }

  /**
   * Feeds one event with the base rules it matched, at its event time (ms). Returns the firings
   * it caused, chained firings included. Call it for every event, matched or not: event time
   * advancing is what closes windows.
   */
  process(event: SigmaEvent, matched: readonly RuleRef[], time: number, eventId?: string): CorrelationFiring[] {
    const out: CorrelationFiring[] = [];
    const relevant = matched.some((m) => this.referrers.has(m.ruleId) || (m.name !== undefined && this.referrers.has(m.name)));
    if (relevant) {
      const late = this.feed(event, matched, time, eventId, out);
      if (late === 'all') this.lateDropped++;
      else if (time < this.maxSeen) this.lateAccepted++;
    }
    // The watermark follows event time, but an event stamped in the future (a wrong clock, a
    // hostile sender) may not carry it past now + maxFutureMs: otherwise every event after it
    // would be late and correlation would stop.
    const advance = Math.min(time, this.now() + this.maxFutureMs);
    if (advance > this.maxSeen) this.maxSeen = advance;
    if (this.maxSeen - this.lateness >= this.nextSweep) this.sweep(this.maxSeen - this.lateness, out);
    return out;
  }

  /**
   * The earliest event time a rule still takes (bounded out-of-orderness, as Flink's watermarks:
   * watermark = newest event time − allowed lateness). An event is late for a rule only when every
   * window it could belong to has closed: for a sliding (eager) rule when its time plus the span
   * is behind the watermark — it is counted with the entries the windows still hold (those behind
   * watermark − span are gone: it may undercount, never overcount); for a rule evaluated when its
   * window closes, when it is behind the watermark (its window may have been evaluated already).
   */
  private earliestFor(s: RuleState): number {
    const watermark = this.maxSeen - this.lateness;
    return s.mode === 'eager' ? watermark - s.spec.spanMs : watermark;
  }

  /** End of input: every open window is final. Evaluates the on-close rules and clears the windows; the ids counted are kept. */
  flush(): CorrelationFiring[] {
    const out: CorrelationFiring[] = [];
    this.sweep(Number.POSITIVE_INFINITY, out);
    return out;
  }

  stats(): CorrelationStats {
    const rules: CorrelationStats['rules'] = {};
    for (const s of this.states) rules[s.key] = { groups: s.groups.size, evictedGroups: s.evictedGroups, evictedEntries: s.evictedEntries, late: s.late };
    return { lateDropped: this.lateDropped, lateAccepted: this.lateAccepted, entries: this.total, rules };
  }

  /** Feeds the event to the rules that reference its matches; tells whether it was too late for all of them, some, or none. */
  private feed(event: SigmaEvent, matched: readonly RuleRef[], time: number, id: string | undefined, out: CorrelationFiring[]): 'all' | 'some' | 'none' {
    const touched = new Set<string>();
    let late = 0;
    let taken = 0;
    for (const m of matched) {
      for (const idx of this.indexesFor(m)) {
        const s = this.states[idx] as RuleState;
        const r = s.rule.rules.findIndex((x) => x === m.ruleId || x === m.name);
        const group = groupOf(s.rule, event, m);
        if (!group) continue;
        // Count-like types see an event once even if it matched several referenced rules.
        const once = s.rule.type !== 'temporal' && s.rule.type !== 'temporal_ordered';
        const touchKey = `${idx}\u0000${group.key}\u0000${once ? '' : r}`;
        if (touched.has(touchKey)) continue;
        touched.add(touchKey);
        if (time < this.earliestFor(s)) {
          s.late++;
          late++;
          continue;
        }
        taken++;
        const seenKey = id === undefined ? undefined : once ? id : `${id}\u0000${r}`;
        if (seenKey !== undefined && s.seen.has(seenKey)) continue;
        const entry = this.entryFor(s, event, m, r, time, id);
        if (!entry) continue;
        if (seenKey !== undefined) {
          s.seen.set(seenKey, time);
          if (s.seen.size > MAX_SEEN_PER_RULE) s.seen.delete(s.seen.keys().next().value as string);
        }
        this.insert(s, group.key, group.values, entry, out);
      }
    }
    return late === 0 ? 'none' : taken === 0 ? 'all' : 'some';
  }

  private indexesFor(m: RuleRef): number[] {
    const a = this.referrers.get(m.ruleId) ?? [];
    const b = m.name !== undefined ? (this.referrers.get(m.name) ?? []) : [];
    return b.length === 0 ? a : [...new Set([...a, ...b])];
  }

  /** The entry an event contributes; undefined when a value_* type finds no usable value. */
  private entryFor(s: RuleState, event: SigmaEvent, m: RuleRef, r: number, t: number, id: string | undefined): Entry | undefined {
    const entry: Entry = { t, r, ...(id !== undefined ? { id } : {}) };
    const field = s.rule.condition?.field;
    if (!field || s.rule.type === 'event_count' || s.rule.type.startsWith('temporal')) return entry;
    // An alias without a target for this rule reads the field of the alias's own name.
    const fields = (Array.isArray(field) ? field : [field]).map((f) => resolveField(s.rule, f, m) ?? f);
    if (s.rule.type === 'value_sum' || s.rule.type === 'value_avg') {
      const texts = fieldTexts(event, fields[0] as string);
      const n = Number(texts[0]);
      return texts.length > 0 && Number.isFinite(n) ? { ...entry, n } : undefined;
    }
    const parts = fields.map((f) => fieldTexts(event, f)[0]);
    if (parts.some((p) => p === undefined)) return undefined;
    return { ...entry, v: parts.join('\u001f') };
  }

  private insert(s: RuleState, key: string, values: Record<string, string>, entry: Entry, out: CorrelationFiring[]): void {
    let g = s.groups.get(key);
    if (g)
      s.groups.delete(key); // re-insert below: Map order is least recently updated first
    else {
      g = { values, entries: [] };
      if (s.groups.size >= this.maxGroups) {
        const stalest = s.groups.keys().next().value as string;
        this.dropped(s, s.groups.get(stalest)!.entries.length);
        s.groups.delete(stalest);
        s.evictedGroups++;
      }
    }
    s.groups.set(key, g);
    g.entries.splice(insertionPoint(g.entries, entry.t), 0, entry);
    s.entries++;
    this.total++;
    if (g.entries.length > this.maxEntries) {
      g.entries.shift();
      this.dropped(s, 1);
      s.evictedEntries++;
    }
    if (this.total > this.maxTotal) this.evictOldest();
    if (s.mode !== 'eager') return;
    const hit = eagerHit(s.spec, g.entries, entry.t);
    if (!hit) return;
    const window = g.entries.slice(hit.from, hit.to + 1);
    // The window restarts after a firing, so one burst fires once per threshold crossing.
    g.entries.splice(0, hit.to + 1);
    this.dropped(s, hit.to + 1);
    if (g.entries.length === 0) s.groups.delete(key);
    this.fire(s, key, g.values, window, hit.value, out);
  }

  private fire(s: RuleState, key: string, values: Record<string, string>, window: Entry[], value: number, out: CorrelationFiring[]): void {
    const firing: CorrelationFiring = {
      rule: s.rule,
      ruleId: s.key,
      groupKey: key,
      group: values,
      value,
      eventCount: window.length,
      eventIds: [...new Set(window.flatMap((e) => (e.id === undefined ? [] : [e.id])))].slice(0, this.maxIds),
      firstSeen: (window[0] as Entry).t,
      lastSeen: (window[window.length - 1] as Entry).t,
    };
    out.push(firing);
    // Chains: a firing is an event for the correlations that reference this one, carrying its group values.
    const ref: RuleRef = { ruleId: s.key, ...(s.rule.name !== undefined ? { name: s.rule.name } : {}) };
    if (this.indexesFor(ref).length > 0) this.feed({ ...values }, [ref], firing.lastSeen, `${s.key}:${key}:${firing.lastSeen}`, out);
  }

  private dropped(s: RuleState, n: number): void {
    s.entries -= n;
    this.total -= n;
  }

  /**
   * Over the engine-wide bound: the rule holding the most entries loses the oldest entry of its
   * least recently updated group (counted in evictedEntries). Memory stays bounded whatever the
   * rate and the spans; a window that lost entries may then undercount, never overcount.
   */
  private evictOldest(): void {
    let most: RuleState | undefined;
    for (const s of this.states) if (!most || s.entries > most.entries) most = s;
    if (!most || most.entries === 0) return;
    const key = most.groups.keys().next().value as string;
    const g = most.groups.get(key)!;
    g.entries.shift();
    this.dropped(most, 1);
    most.evictedEntries++;
    if (g.entries.length === 0) most.groups.delete(key);
  }

  /** Evaluates windows closed by `watermark` (on-close rules) and drops entries no future event can join. */
  private sweep(watermark: number, out: CorrelationFiring[]): void {
    let next = Number.POSITIVE_INFINITY;
    for (const s of this.states) {
      const span = s.spec.spanMs;
      for (const [key, g] of [...s.groups]) {
        if (s.mode === 'on-close') {
          while (g.entries.length > 0 && (g.entries[0] as Entry).t + span <= watermark) {
            const end = lowerBound(g.entries, (g.entries[0] as Entry).t + span + 1);
            const window = g.entries.splice(0, end);
            this.dropped(s, window.length);
            const value = closedValue(s.spec, window);
            if (value !== undefined) this.fire(s, key, g.values, window, value, out);
          }
        } else {
          const keep = lowerBound(g.entries, watermark - span);
          if (keep > 0) {
            g.entries.splice(0, keep);
            this.dropped(s, keep);
          }
        }
        if (g.entries.length === 0) s.groups.delete(key);
        else next = Math.min(next, (g.entries[0] as Entry).t + span);
      }
      // An id older than any window can hold cannot come back into one: forget it. At the end of
      // input (an infinite watermark) the ids are kept: the same events replayed within the
      // lateness of the last watermark must not be counted into windows a second time.
      if (Number.isFinite(watermark)) for (const [id, t] of s.seen) if (t < watermark - span - this.lateness) s.seen.delete(id);
    }
    // Sweeping costs one pass over all groups: do it at most every tenth of the shortest span.
    const shortest = Math.min(...this.states.map((s) => s.spec.spanMs), Number.POSITIVE_INFINITY);
    this.nextSweep = Math.max(next, watermark + Math.max(1000, shortest / 10));
  }

  private checkAcyclic(): void {
    const byRef = new Map<string, number>();
    this.states.forEach((s, i) => {
      byRef.set(s.key, i);
      if (s.rule.name !== undefined) byRef.set(s.rule.name, i);
    });
    const visiting = new Set<number>();
    const done = new Set<number>();
    const visit = (i: number, path: string[]): void => {
      if (done.has(i)) return;
      const s = this.states[i] as RuleState;
      if (visiting.has(i)) throw new SigmaParseError('correlation-cycle', `correlation chain loops: ${[...path, s.key].join(' → ')}`, { file: s.rule.source });
      visiting.add(i);
      for (const ref of s.rule.rules) {
        const j = byRef.get(ref);
        if (j !== undefined) visit(j, [...path, s.key]);
      }
      visiting.delete(i);
      done.add(i);
    };
    this.states.forEach((_, i) => visit(i, []));
  }

  /** The state in the compact form (version 2): a checkpoint is written every few seconds. */
  snapshot(): CorrelationSnapshot {
    const rules: Extract<CorrelationSnapshot, { version: 2 }>['rules'] = {};
    for (const s of this.states) {
      const once = s.rule.type !== 'temporal' && s.rule.type !== 'temporal_ordered';
      const carried = new Set<string>();
      const groups: [string, Record<string, string>, CompactEntry[]][] = [];
      for (const [key, g] of s.groups) {
        let prev = 0;
        const entries: CompactEntry[] = [];
        for (const e of g.entries) {
          const x = e.v ?? e.n;
          entries.push(x === undefined ? [e.t - prev, e.r, e.id ?? null] : [e.t - prev, e.r, e.id ?? null, x]);
          prev = e.t;
          if (e.id !== undefined) carried.add(once ? e.id : `${e.id}\u0000${e.r}`);
        }
        groups.push([key, g.values, entries]);
      }
      const seen: [string, number][] = [];
      for (const [id, t] of s.seen) if (!carried.has(id)) seen.push([id, t]);
      rules[s.key] = { evictedGroups: s.evictedGroups, evictedEntries: s.evictedEntries, late: s.late, groups, seen };
    }
    return { version: 2, maxSeen: Number.isFinite(this.maxSeen) ? this.maxSeen : null, lateDropped: this.lateDropped, lateAccepted: this.lateAccepted, rules };
  }

  /** Loads state saved by snapshot() (either version); rules that no longer exist are skipped, new rules start empty. */
  restore(snapshot: CorrelationSnapshot): void {
    this.restoreState(snapshot);
    this.total = 0;
    for (const s of this.states) {
      s.entries = 0;
      for (const g of s.groups.values()) s.entries += g.entries.length;
      this.total += s.entries;
    }
    while (this.total > this.maxTotal) this.evictOldest();
  }

  private restoreState(snapshot: CorrelationSnapshot): void {
    this.maxSeen = snapshot.maxSeen ?? Number.NEGATIVE_INFINITY;
    this.nextSweep = Number.NEGATIVE_INFINITY;
    this.lateDropped = snapshot.lateDropped;
    this.lateAccepted = snapshot.lateAccepted;
    for (const s of this.states) {
      s.groups.clear();
      s.seen = new Map();
      if (snapshot.version === 1) {
        const saved = snapshot.rules[s.key];
        s.evictedGroups = saved?.evictedGroups ?? 0;
        s.evictedEntries = saved?.evictedEntries ?? 0;
        s.late = saved?.late ?? 0;
        for (const g of saved?.groups ?? []) s.groups.set(g.key, { values: g.values, entries: g.entries.filter((e) => e.r < s.spec.ruleCount) });
        s.seen = new Map(saved?.seen ?? []);
        continue;
      }
      const saved = snapshot.rules[s.key];
      s.evictedGroups = saved?.evictedGroups ?? 0;
      s.evictedEntries = saved?.evictedEntries ?? 0;
      s.late = saved?.late ?? 0;
      const once = s.rule.type !== 'temporal' && s.rule.type !== 'temporal_ordered';
      for (const [id, t] of saved?.seen ?? []) s.seen.set(id, t);
      for (const [key, values, compact] of saved?.groups ?? []) {
        const entries: Entry[] = [];
        let t = 0;
        for (const [dt, r, id, x] of compact) {
          t += dt;
          if (r >= s.spec.ruleCount) continue;
          const e: Entry = { t, r };
          if (id !== null) {
            e.id = id;
            s.seen.set(once ? id : `${id}\u0000${r}`, t);
          }
          if (typeof x === 'string') e.v = x;
          else if (typeof x === 'number') e.n = x;
          entries.push(e);
        }
        s.groups.set(key, { values, entries });
      }
    }
  }
}
