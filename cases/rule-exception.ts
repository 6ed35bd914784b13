/**
 * A false positive turned into a rule exception: a Sigma filter (sigma-filters-specification)
 * that names the alert's rule and excludes what the analyst marked as benign, written as a rule
 * file so detection content stays reviewable as code.
 *
 * What the analyst gives is data, never syntax: values are escaped so `*`, `?` and `\` match
 * themselves (a value `*` must not silence the rule), the document is serialized by the YAML
 * library, and the file name is derived from an id we make. The exception is scoped to the
 * alert's department: an analyst of one department cannot silence a rule for another.
 */
import { randomUUID } from 'node:crypto';
import YAML from 'yaml';
import type { Alert } from '../core/alert';
import { CitySocError } from '../core/errors';

/** The event field that carries the department (analytics canonicalises it before detection). */
export const DEPARTMENT_FIELD = 'organization.name';

export interface RuleExceptionDraft {
  /** Field → values that make an event benign (any value, all fields). */
  readonly fields: Readonly<Record<string, readonly string[]>>;
  readonly reason: string;
}

export interface RuleException {
  readonly id: string;
  readonly fileName: string;
  readonly yaml: string;
}

/** A value as a Sigma string that matches exactly itself: wildcards and the escape character escaped. */
export function sigmaLiteral(value: string): string {
  return value.replace(/[\\*?]/g, (c) => `\\${c}`);
}

export function ruleException(alert: Alert, draft: RuleExceptionDraft, author: string, now: Date): RuleException {
  for (const field of Object.keys(draft.fields))
    if (field === DEPARTMENT_FIELD || field.startsWith('organization.'))
      throw new CitySocError('INPUT_INVALID', `field ${field}: the department an exception covers is the alert's own, not a field of the exception`);
  if (alert.rule.type !== 'sigma')
    throw new CitySocError('INPUT_INVALID', `alert ${alert.id} comes from a ${alert.rule.type} rule; rule exceptions tune Sigma detection rules only`);
  const id = randomUUID();
  const selection: Record<string, string | string[]> = {};
  for (const [f, vs] of Object.entries(draft.fields)) {
    const literal = [...new Set(vs)].map(sigmaLiteral);
    selection[f] = literal.length === 1 ? literal[0]! : literal;
  }
  if (alert.department !== undefined) selection[DEPARTMENT_FIELD] = sigmaLiteral(alert.department);
  const doc = {
    title: `Exception to ${alert.rule.name}`.slice(0, 256),
    id,
    status: 'experimental',
    description: `False positive reported on alert ${alert.id}: ${draft.reason}`,
    author,
    date: now.toISOString().slice(0, 10),
    logsource: {},
    filter: { rules: [alert.rule.id], selection, condition: 'selection' },
  };
  return { id, fileName: `exception-${id}.yml`, yaml: YAML.stringify(doc) };
}
