/**
 * A false positive turned into a rule exception: a Sigma filter (sigma-filters-specification)
 * that names the alert's rule and excludes what the analyst marked as benign, written as a rule
 * file so detection content stays reviewable as code.
 */
import { randomUUID } from 'node:crypto';
import YAML from 'yaml';
import type { Alert } from '../core/alert';

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

export function ruleException(alert: Alert, draft: RuleExceptionDraft, author: string, now: Date): RuleException {
  const id = randomUUID();
  const selection = Object.fromEntries(Object.entries(draft.fields).map(([f, vs]) => [f, vs.length === 1 ? vs[0] : [...vs]]));
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
