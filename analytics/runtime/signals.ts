/**
 * Detections as signals (core/signal.ts) and signals as alerts. Every id is deterministic: a
 * Sigma match's signal is hash(rule, event), a correlation firing's hash(rule, group, window), an
 * alert's that of its first signal — so a redelivered event or a replayed firing yields the same
 * ids and is folded once.
 */
import type { Alert, AlertEntity } from '../../core/alert';
import { type Signal, signalId } from '../../core/signal';
import { alertTags, entitiesOf, riskScore, severityOf, sigmaGroupKey } from '../alerts';
import { fieldText } from '../correlation/grouping';
import type { CorrelationFiring } from '../correlation/types';
import type { Detection } from '../alerts';
import type { SigmaEvent } from '../sigma/backends/fieldpath';

/** Entities whose department is remembered from the events that carry one. */
const DEPARTMENT_KEYS: readonly [AlertEntity['type'], string][] = [
  ['host', 'host.name'],
  ['user', 'user.name'],
  ['ip', 'source.ip'],
  ['ip', 'destination.ip'],
  ['dataset', 'citysoc.data.dataset'],
];

/**
 * Which department each recently seen entity belongs to, learned from the events' own
 * department (organization.name, set by enrichment): a correlation grouped by an attacker's
 * address belongs to the department of the hosts it attacked. Bounded (least recently seen go).
 */
export class EntityDepartments {
  private readonly map = new Map<string, string>();

  constructor(
    private readonly max = 100_000,
    entries: readonly (readonly [string, string])[] = [],
  ) {
    for (const [k, v] of entries) this.map.set(k, v);
  }

  learn(event: SigmaEvent): void {
    const dept = fieldText(event, 'organization.name');
    if (!dept) return;
    for (const [type, field] of DEPARTMENT_KEYS) {
      const v = fieldText(event, field);
      if (!v || v === '-') continue;
      const k = `${type}:${v}`;
      this.map.delete(k);
      this.map.set(k, dept);
      if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
    }
  }

  of(entities: readonly AlertEntity[]): string[] {
    const out = new Set<string>();
    for (const e of entities) {
      const d = this.map.get(`${e.type}:${e.value}`);
      if (d) out.add(d);
    }
    return [...out].sort();
  }

  entries(): [string, string][] {
    return [...this.map];
  }
}

export function sigmaSignal(d: Extract<Detection, { kind: 'sigma' }>, engine: Signal['provenance']['engine']): Signal {
  const m = d.match;
  const at = new Date(d.time).toISOString();
  const department = fieldText(d.event, 'organization.name');
  const eventId = d.eventId ?? '';
  return {
    id: signalId('sigma', m.ruleId, eventId || JSON.stringify(d.event).slice(0, 4096)),
    rule: { id: m.ruleId, name: m.title, type: 'sigma', severity: severityOf(m.level), tags: alertTags(m.tags) },
    time: at,
    firstSeen: at,
    lastSeen: at,
    dedupKey: `${m.ruleId}|${sigmaGroupKey(d.event)}`,
    entities: entitiesOf(d.event),
    departments: department ? [department] : [],
    eventIds: eventId ? [eventId] : [],
    count: 1,
    risk: riskScore(m.level),
    reason: { matchedFields: m.matchedFields },
    provenance: { engine },
  };
}

export function correlationSignal(f: CorrelationFiring, departments: EntityDepartments, engine: Signal['provenance']['engine'], job?: string): Signal {
  // Group values are keyed by group-by names, which are usually ECS fields: read them as an event.
  const entities = entitiesOf({ ...f.group });
  const first = new Date(f.firstSeen).toISOString();
  const last = new Date(f.lastSeen).toISOString();
  return {
    id: signalId('correlation', f.ruleId, f.groupKey, String(f.firstSeen), String(f.lastSeen), String(f.eventCount)),
    rule: { id: f.ruleId, name: f.rule.title, type: 'correlation', severity: severityOf(f.rule.level), tags: alertTags(f.rule.tags) },
    time: last,
    firstSeen: first,
    lastSeen: last,
    dedupKey: `${f.ruleId}|${f.groupKey}`,
    entities,
    departments: departments.of(entities),
    eventIds: f.eventIds,
    count: f.eventCount,
    risk: riskScore(f.rule.level, f.eventCount),
    reason: { group: f.group, value: f.value, type: f.rule.type },
    provenance: { engine, ...(job ? { job } : {}) },
  };
}

/** The alert a signal opens (or folds into, by its dedup key). */
export function alertOf(s: Signal): Alert {
  return {
    id: `al-${s.id}`,
    dedupKey: s.dedupKey,
    rule: { id: s.rule.id, name: s.rule.name, type: s.rule.type, severity: s.rule.severity, tags: s.rule.tags },
    entities: s.entities,
    eventIds: s.eventIds,
    firstSeen: s.firstSeen,
    lastSeen: s.lastSeen,
    // One occurrence per signal (a match, a firing); the signal keeps how many events are behind it.
    count: 1,
    risk: s.risk,
    ...(s.departments[0] !== undefined ? { department: s.departments[0] } : {}),
    status: 'open',
    history: [],
    signalIds: [s.id],
  };
}
