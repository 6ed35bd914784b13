/**
 * Resources and their paths. Datasets form a hierarchy, data domain → dataset → table/path →
 * field (`dataset/人口/户籍/person/id_number`); a policy on `dataset/人口/*` covers all of it.
 * Collections (events, alerts, audit, ...) are searched, so their decisions become row filters.
 */

export { RESOURCE_TYPES, type ResourceRef, type ResourceType } from '../core/authz';
import type { ResourceRef, ResourceType } from '../core/authz';

/** Where a collection keeps the department and the classification of a row. */
export const ROW_FIELDS: Partial<Record<ResourceType, { department: string; classification?: string }>> = {
  events: { department: 'organization.name', classification: 'citysoc.data.classification' },
  alerts: { department: 'department' },
  cases: { department: 'department' },
  entities: { department: 'department' },
  audit: { department: 'details.department' },
};

export function isCollection(type: ResourceType): boolean {
  return ROW_FIELDS[type] !== undefined;
}

export function resourcePath(r: ResourceRef): string {
  if (r.type !== 'dataset') return r.type;
  const parts = ['dataset'];
  for (const p of [r.domain, r.dataset, r.table, r.field]) {
    if (p === undefined || p === '') break;
    parts.push(p);
  }
  return parts.join('/');
}

/** `*` matches all; `a/b/*` matches a/b and everything below it; otherwise exact. */
export function resourceMatch(path: string, pattern: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('/*')) {
    const base = pattern.slice(0, -2);
    return path === base || (path.startsWith(base) && path.charCodeAt(base.length) === 47); /* / */
  }
  return path === pattern;
}

export function actionMatch(action: string, pattern: string): boolean {
  return pattern === '*' || pattern === action || pattern.split('|').includes(action);
}

export function domainMatch(domain: string, pattern: string): boolean {
  return pattern === '*' || pattern === domain;
}
