// Necessary literals of a rule: a set of lowercase strings at least one of which must occur in
// some scalar of any event the rule matches. Lets the RuleSet skip rules cheaply.
import type { ConditionNode, FieldCondition, SigmaValue } from '../model';
import type { ProcessedRule } from '../pipeline';

type Need = Set<string> | undefined; // undefined: no literal is required

export function requiredLiterals(rule: ProcessedRule): string[] | undefined {
  const needs = rule.detection.conditions.map((c) => nodeNeed(c, rule));
  const merged = anyOf(needs);
  return merged ? [...merged] : undefined;
}

function nodeNeed(node: ConditionNode, rule: ProcessedRule): Need {
  switch (node.kind) {
    case 'not':
      return undefined;
    case 'and': {
      // Conditions added by pipelines (Channel, EventID) hold in most events of their source,
      // so they are the literal of last resort.
      const own = node.args.filter((a) => !(a.kind === 'ref' && a.name.startsWith('_pipeline_')));
      return best(own.map((a) => nodeNeed(a, rule))) ?? best(node.args.map((a) => nodeNeed(a, rule)));
    }
    case 'or':
      return anyOf(node.args.map((a) => nodeNeed(a, rule)));
    case 'ref':
      return identifierNeed(node.name, rule);
    case 'of': {
      const parts = node.names.map((n) => identifierNeed(n, rule));
      return node.quantifier === 'all' ? best(parts) : anyOf(parts);
    }
  }
}

function identifierNeed(name: string, rule: ProcessedRule): Need {
  const si = rule.detection.identifiers[name];
  if (!si) return undefined;
  return anyOf(si.anyOf.map((conj) => best(conj.map(conditionNeed))));
}

function conditionNeed(fc: FieldCondition): Need {
  if (fc.negated || fc.timePart) return undefined;
  const perValue = fc.values.map(valueNeed);
  return fc.linking === 'and' ? best(perValue) : anyOf(perValue);
}

function valueNeed(v: SigmaValue): Need {
  switch (v.type) {
    case 'string': {
      let longest = '';
      for (const t of v.tokens) if (t.kind === 'literal' && t.text.length > longest.length) longest = t.text;
      return longest ? new Set([longest.toLowerCase()]) : undefined;
    }
    // The JS matcher only equates numbers with decimal text, which contains String(n).
    case 'number':
    case 'boolean':
      return new Set([String(v.value).toLowerCase()]);
    default:
      return undefined;
  }
}

/** OR: every branch must require something; the union is required. */
function anyOf(needs: Need[]): Need {
  if (needs.length === 0 || needs.some((n) => n === undefined)) return undefined;
  const out = new Set<string>();
  for (const n of needs) for (const s of n as Set<string>) out.add(s);
  return out;
}

/** AND: any one branch's requirement suffices; pick the most selective (longest shortest literal). */
function best(needs: Need[]): Need {
  let chosen: Need;
  let score = -1;
  for (const n of needs) {
    if (!n) continue;
    let shortest = Infinity;
    for (const s of n) shortest = Math.min(shortest, s.length);
    const sc = shortest * 1000 - n.size;
    if (sc > score) {
      score = sc;
      chosen = n;
    }
  }
  return chosen;
}
