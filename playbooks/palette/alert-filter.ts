/**
 * Which alerts an `alert in` node takes: by rule (id or name), rule type (sigma, correlation,
 * ueba, manual), lowest severity, tag, entity and department. Lists match any of their values;
 * the criteria match all together, or any one of them when the node says so (a playbook for
 * "UEBA alerts or alerts tagged insider"). Settings are checked once, when the node starts.
 */
import { type Alert, SEVERITIES, type Severity } from '../../core/alert';
import { CitySocError } from '../../core/errors';

export interface AlertFilterSettings {
  readonly rules?: string;
  readonly types?: readonly string[] | string;
  readonly minSeverity?: string;
  readonly tags?: string;
  readonly entityType?: string;
  readonly entityValue?: string;
  readonly departments?: string;
  readonly match?: string;
}

export interface AlertFilter {
  readonly rules: readonly string[];
  readonly types: readonly string[];
  readonly minSeverity: Severity | null;
  /** Exact tags, or prefixes when written with a trailing `*`. */
  readonly tags: readonly string[];
  readonly entityType: string | null;
  readonly entityValue: RegExp | null;
  readonly departments: readonly string[];
  readonly match: 'all' | 'any';
}

const TYPES = ['sigma', 'correlation', 'ueba', 'manual'];
const ENTITY_TYPES = ['user', 'host', 'ip', 'dataset', 'process', 'file'];

function list(s: string | readonly string[] | undefined): string[] {
  const items = typeof s === 'string' ? s.split(/[,\n]/) : (s ?? []);
  return [...new Set(items.map((x) => x.trim()).filter((x) => x !== ''))];
}

function wildcard(pattern: string): RegExp {
  const body = pattern
    .split('*')
    .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`);
}

export function parseAlertFilter(s: AlertFilterSettings): AlertFilter {
  const types = list(s.types);
  for (const t of types) if (!TYPES.includes(t)) throw new CitySocError('INPUT_INVALID', `alert type '${t}' is not one of ${TYPES.join(', ')}`);
  const min = (s.minSeverity ?? '').trim();
  if (min !== '' && !(SEVERITIES as readonly string[]).includes(min))
    throw new CitySocError('INPUT_INVALID', `severity '${min}' is not one of ${SEVERITIES.join(', ')}`);
  const entityType = (s.entityType ?? '').trim();
  if (entityType !== '' && !ENTITY_TYPES.includes(entityType))
    throw new CitySocError('INPUT_INVALID', `entity type '${entityType}' is not one of ${ENTITY_TYPES.join(', ')}`);
  const entityValue = (s.entityValue ?? '').trim();
  if (entityValue.length > 200) throw new CitySocError('INPUT_INVALID', 'the entity pattern is longer than 200 characters');
  const match = (s.match ?? 'all').trim();
  if (match !== 'all' && match !== 'any') throw new CitySocError('INPUT_INVALID', `match '${match}' is neither all nor any`);
  return {
    rules: list(s.rules),
    types,
    minSeverity: min === '' ? null : (min as Severity),
    tags: list(s.tags),
    entityType: entityType === '' ? null : entityType,
    entityValue: entityValue === '' ? null : wildcard(entityValue),
    departments: list(s.departments),
    match,
  };
}

export function matchesAlert(f: AlertFilter, a: Alert): boolean {
  const checks: boolean[] = [];
  if (f.rules.length) checks.push(f.rules.includes(a.rule.id) || f.rules.includes(a.rule.name));
  if (f.types.length) checks.push(f.types.includes(a.rule.type));
  if (f.minSeverity) checks.push(SEVERITIES.indexOf(a.rule.severity) >= SEVERITIES.indexOf(f.minSeverity));
  if (f.tags.length) checks.push(f.tags.some((t) => (t.endsWith('*') ? a.rule.tags.some((x) => x.startsWith(t.slice(0, -1))) : a.rule.tags.includes(t))));
  if (f.entityType || f.entityValue)
    checks.push(a.entities.some((e) => (!f.entityType || e.type === f.entityType) && (!f.entityValue || f.entityValue.test(e.value))));
  if (f.departments.length) checks.push(a.department !== undefined && f.departments.includes(a.department));
  if (checks.length === 0) return true;
  return f.match === 'any' ? checks.some(Boolean) : checks.every(Boolean);
}
