// Sigma filters (spec: sigma-filters-specification): tuning without editing rules. A filter
// names the rules it tunes (by id or name) and a detection; the tuned rule matches only
// where its own condition holds and the filter's condition does not (pySigma semantics).
import type { ConditionNode, LogSource, SigmaFilter, SigmaRule } from './model';

/** A filter applies when it names the rule and each logsource attribute it sets equals the rule's. */
export function filterApplies(filter: SigmaFilter, rule: Pick<SigmaRule, 'id' | 'name' | 'logsource'>): boolean {
  const named = filter.rules.some((r) => r === rule.id || (rule.name !== undefined && r === rule.name));
  return named && logsourceCovers(filter.logsource, rule.logsource);
}

function logsourceCovers(filter: LogSource, rule: LogSource): boolean {
  return (['category', 'product', 'service'] as const).every((k) => filter[k] === undefined || filter[k] === rule[k]);
}

/**
 * The rule with every applicable filter folded into its condition as `and not (filter)`.
 * Filter identifiers are renamed `_filter<n>_<name>` so they can never shadow the rule's own.
 */
export function applyFilters(rule: SigmaRule, filters: readonly SigmaFilter[]): SigmaRule {
  const applicable = filters.filter((f) => filterApplies(f, rule));
  if (applicable.length === 0) return rule;
  const identifiers = { ...rule.detection.identifiers };
  const exclusions: ConditionNode[] = [];
  applicable.forEach((filter, n) => {
    const prefix = `_filter${n}_`;
    for (const [name, si] of Object.entries(filter.detection.identifiers)) identifiers[prefix + name] = { ...si, name: prefix + name };
    const conditions = filter.detection.conditions.map((c) => renameRefs(c, prefix));
    exclusions.push({ kind: 'not', arg: conditions.length === 1 ? (conditions[0] as ConditionNode) : { kind: 'or', args: conditions } });
  });
  return {
    ...rule,
    detection: {
      ...rule.detection,
      identifiers,
      conditions: rule.detection.conditions.map((c) => ({ kind: 'and', args: [c, ...exclusions] })),
      conditionText: rule.detection.conditionText.map((t) => `(${t}) and not filters(${applicable.map((f) => f.id ?? f.title).join(', ')})`),
    },
  };
}

function renameRefs(node: ConditionNode, prefix: string): ConditionNode {
  switch (node.kind) {
    case 'and':
    case 'or':
      return { kind: node.kind, args: node.args.map((a) => renameRefs(a, prefix)) };
    case 'not':
      return { kind: 'not', arg: renameRefs(node.arg, prefix) };
    case 'ref':
      return { kind: 'ref', name: prefix + node.name };
    case 'of':
      return { ...node, names: node.names.map((n) => prefix + n) };
  }
}
