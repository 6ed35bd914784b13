// Sigma matches and correlation firings as core Alerts: severity from the level, ATT&CK
// technique ids from the tags, the entities involved, a dedup key (rule + group) and a risk score.
import { randomUUID } from 'node:crypto';
import type { Alert, AlertEntity, Severity } from '../core/alert';
import type { CorrelationFiring } from './correlation/types';
import { fieldText } from './correlation/grouping';
import type { SigmaEvent } from './sigma/backends/fieldpath';
import type { RuleMatch } from './sigma/backends/ruleset';
import type { SigmaLevel } from './sigma/model';

/** A single-event hit, with what the alert needs of its event. */
export interface SigmaDetection {
  kind: 'sigma';
  match: RuleMatch;
  event: SigmaEvent;
  eventId?: string;
  time: number;
}

export interface CorrelationDetection {
  kind: 'correlation';
  firing: CorrelationFiring;
}

export type Detection = SigmaDetection | CorrelationDetection;

/** Rules without a level are treated as medium: unknown is not harmless. */
export function severityOf(level: SigmaLevel | undefined): Severity {
  return level ?? 'medium';
}

const BASE_RISK: Record<Severity, number> = { informational: 10, low: 30, medium: 50, high: 75, critical: 95 };

/** Level sets the base; a correlation adds up to 20 for volume (log2 of the events behind it). */
export function riskScore(level: SigmaLevel | undefined, eventCount = 1): number {
  const volume = eventCount > 1 ? Math.min(20, 5 * Math.log2(eventCount)) : 0;
  return Math.min(100, Math.round(BASE_RISK[severityOf(level)] + volume));
}

/** `attack.t1110.001` → `T1110.001`; other tags (tactics, cve, car) are kept as written. */
export function alertTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((t) => (/^attack\.t\d{4}(\.\d{3})?$/i.test(t) ? t.slice('attack.'.length).toUpperCase() : t)))];
}

/** Where each entity type is found: ECS first, then the raw Windows EventData/System names. */
const ENTITY_FIELDS: [AlertEntity['type'], string[]][] = [
  ['user', ['user.name', 'user.target.name', 'Event.EventData.TargetUserName', 'Event.EventData.SubjectUserName', 'Event.EventData.User']],
  ['host', ['host.name', 'host.hostname', 'Event.System.Computer']],
  ['ip', ['source.ip', 'destination.ip', 'client.ip', 'Event.EventData.IpAddress', 'Event.EventData.SourceIp', 'Event.EventData.DestinationIp']],
  ['process', ['process.executable', 'Event.EventData.Image']],
  ['dataset', ['citysoc.data.dataset']],
  ['file', ['file.path', 'Event.EventData.TargetFilename']],
];

export function entitiesOf(event: SigmaEvent): AlertEntity[] {
  const out: AlertEntity[] = [];
  for (const [type, fields] of ENTITY_FIELDS) {
    for (const f of fields) {
      const v = fieldText(event, f);
      if (v !== undefined && v !== '' && v !== '-' && !out.some((e) => e.type === type && e.value === v)) out.push({ type, value: v });
    }
  }
  return out;
}

/**
 * The group key of a single-event alert: the host, the user and the department, so one noisy
 * account is one alert, and never one alert across departments (each sees only its own alerts:
 * folding another department's event into one would show its count and event ids). Each part is
 * escaped, so a value holding the separator cannot make two groups' keys equal.
 */
export function sigmaGroupKey(event: SigmaEvent): string {
  return [
    fieldText(event, 'host.name') ?? fieldText(event, 'Event.System.Computer') ?? '',
    fieldText(event, 'user.name') ?? fieldText(event, 'Event.EventData.User') ?? '',
    fieldText(event, 'organization.name') ?? '',
  ]
    .map((v) => v.replace(/[\\|]/g, (c) => `\\${c}`))
    .join('|');
}

export function toAlert(d: Detection): Alert {
  if (d.kind === 'sigma') {
    const m = d.match;
    const at = new Date(d.time).toISOString();
    const department = fieldText(d.event, 'organization.name');
    return {
      id: randomUUID(),
      dedupKey: `${m.ruleId}|${sigmaGroupKey(d.event)}`,
      rule: { id: m.ruleId, name: m.title, type: 'sigma', severity: severityOf(m.level), tags: alertTags(m.tags) },
      entities: entitiesOf(d.event),
      eventIds: d.eventId === undefined ? [] : [d.eventId],
      firstSeen: at,
      lastSeen: at,
      count: 1,
      risk: riskScore(m.level),
      ...(department !== undefined ? { department } : {}),
      status: 'open',
      history: [],
    };
  }
  const f = d.firing;
  // Group values are keyed by group-by names, which are usually ECS fields: read them as an event.
  const groupEvent: SigmaEvent = { ...f.group };
  return {
    id: randomUUID(),
    dedupKey: `${f.ruleId}|${f.groupKey}`,
    rule: { id: f.ruleId, name: f.rule.title, type: 'correlation', severity: severityOf(f.rule.level), tags: alertTags(f.rule.tags) },
    entities: entitiesOf(groupEvent),
    eventIds: f.eventIds,
    firstSeen: new Date(f.firstSeen).toISOString(),
    lastSeen: new Date(f.lastSeen).toISOString(),
    count: 1,
    risk: riskScore(f.rule.level, f.eventCount),
    status: 'open',
    history: [],
  };
}
