// Group keys: the values of a correlation's group-by fields in one event. A group-by name may be
// an alias that resolves to a different field per referenced rule (spec: Field Name Aliases).
import { compileAccessor, scalarText, type FieldAccessor, type SigmaEvent } from '../sigma/backends/fieldpath';
import type { SigmaCorrelationRule } from '../sigma/model';

/** How a base rule (or correlation) that matched is known: by id, and by name when it has one. */
export interface RuleRef {
  ruleId: string;
  name?: string;
}

const accessors = new Map<string, FieldAccessor>();
function access(field: string): FieldAccessor {
  let a = accessors.get(field);
  if (!a) accessors.set(field, (a = compileAccessor(field)));
  return a;
}

/** The first scalar value of the field, as text; undefined when absent. */
export function fieldText(event: SigmaEvent, field: string): string | undefined {
  for (const v of access(field)(event)) {
    const s = scalarText(v);
    if (s !== undefined) return s;
  }
  return undefined;
}

/** Every scalar value of the field, as text (arrays flattened, objects and nulls skipped). */
export function fieldTexts(event: SigmaEvent, field: string): string[] {
  return access(field)(event).flatMap((v) => {
    const s = scalarText(v);
    return s === undefined ? [] : [s];
  });
}

/** The field a group-by name reads in events of the given rule: the alias target, or the name itself. */
export function resolveField(rule: SigmaCorrelationRule, groupBy: string, ref: RuleRef): string | undefined {
  const alias = rule.aliases[groupBy];
  if (!alias) return groupBy;
  return alias[ref.ruleId] ?? (ref.name !== undefined ? alias[ref.name] : undefined);
}

/**
 * The group of an event for a correlation, or undefined when a group-by value is absent: events
 * without the value share nothing, so they are not lumped into one "empty" group.
 */
export function groupOf(rule: SigmaCorrelationRule, event: SigmaEvent, ref: RuleRef): { key: string; values: Record<string, string> } | undefined {
  const values: Record<string, string> = {};
  for (const g of rule.groupBy) {
    const field = resolveField(rule, g, ref);
    const v = field === undefined ? undefined : fieldText(event, field);
    if (v === undefined) return undefined;
    values[g] = v;
  }
  return { key: rule.groupBy.map((g) => values[g]).join('\u001f'), values };
}
