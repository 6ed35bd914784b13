// One base class for every target (pySigma's conversion/base.py shape): it walks the processed
// rule tree and calls a hook per construct; a target overrides hooks and never touches the parser.
import { SigmaUnsupportedError } from '../errors';
import type { CompareOp, ConditionNode, FieldCondition, SigmaRule, SigmaValue, StringToken, TimePart } from '../model';
import { applyPipelines, type ProcessedRule, type ProcessingPipeline } from '../pipeline';

/** A Sigma string reduced to the cheapest operation that expresses it. */
export type StringShape = { kind: 'exact' | 'prefix' | 'suffix' | 'contains'; text: string } | { kind: 'wildcard'; tokens: StringToken[] };

export function classifyString(tokens: StringToken[]): StringShape {
  const lit = (t: StringToken | undefined): t is { kind: 'literal'; text: string } => t?.kind === 'literal';
  const [a, b, c] = tokens;
  if (tokens.length === 0) return { kind: 'exact', text: '' };
  if (tokens.length === 1 && lit(a)) return { kind: 'exact', text: a.text };
  if (tokens.length === 2 && lit(a) && b?.kind === 'any') return { kind: 'prefix', text: a.text };
  if (tokens.length === 2 && a?.kind === 'any' && lit(b)) return { kind: 'suffix', text: b.text };
  if (tokens.length === 3 && a?.kind === 'any' && lit(b) && c?.kind === 'any') return { kind: 'contains', text: b.text };
  return { kind: 'wildcard', tokens };
}

/** What a hook knows about the field condition it converts. */
export interface ValueContext {
  field: string;
  cased: boolean;
  condition: FieldCondition;
  rule: ProcessedRule;
}

export abstract class SigmaBackend<Q, Out = Q> {
  abstract readonly name: string;

  constructor(protected readonly pipelines: readonly ProcessingPipeline[] = []) {}

  /** Applies this backend's pipelines, converts, and lets the target wrap the result. */
  convertRule(rule: SigmaRule): Out {
    return this.convertProcessed(applyPipelines(rule, this.pipelines), rule.source);
  }

  /** Converts a rule the pipelines already processed (e.g. kept in the compiled-rule cache). */
  convertProcessed(processed: ProcessedRule, source = processed.source): Out {
    try {
      const parts = processed.detection.conditions.map((c) => this.convertCondition(c, processed));
      return this.finalize(parts.length === 1 ? (parts[0] as Q) : this.or(parts), processed);
    } catch (e) {
      if (e instanceof SigmaUnsupportedError) e.at({ file: source });
      throw e;
    }
  }

  protected abstract finalize(query: Q, rule: ProcessedRule): Out;
  protected abstract and(items: Q[]): Q;
  protected abstract or(items: Q[]): Q;
  protected abstract not(item: Q): Q;

  // Value hooks. Prefix/suffix/contains default to the generic wildcard hook.
  protected abstract stringWildcard(tokens: StringToken[], ctx: ValueContext): Q;
  protected stringExact(text: string, ctx: ValueContext): Q {
    return this.stringWildcard([{ kind: 'literal', text }], ctx);
  }
  protected stringPrefix(text: string, ctx: ValueContext): Q {
    return this.stringWildcard([{ kind: 'literal', text }, { kind: 'any' }], ctx);
  }
  protected stringSuffix(text: string, ctx: ValueContext): Q {
    return this.stringWildcard([{ kind: 'any' }, { kind: 'literal', text }], ctx);
  }
  protected stringContains(text: string, ctx: ValueContext): Q {
    return this.stringWildcard([{ kind: 'any' }, { kind: 'literal', text }, { kind: 'any' }], ctx);
  }
  protected abstract numberEquals(value: number, ctx: ValueContext): Q;
  protected abstract booleanEquals(value: boolean, ctx: ValueContext): Q;
  protected abstract isNull(ctx: ValueContext): Q;
  protected abstract exists(ctx: ValueContext): Q;
  protected abstract regex(pattern: string, flags: { i: boolean; m: boolean; s: boolean }, ctx: ValueContext): Q;
  protected abstract cidr(network: string, prefix: number, version: 4 | 6, ctx: ValueContext): Q;
  protected abstract compare(op: CompareOp, value: number, ctx: ValueContext): Q;
  protected fieldRef(other: string, ctx: ValueContext): Q {
    return this.unsupported(`field references (${ctx.field} = ${other})`, ctx);
  }
  protected timePart(part: TimePart, value: SigmaValue, ctx: ValueContext): Q {
    void value;
    return this.unsupported(`time-part modifier '${part}'`, ctx);
  }
  /** Keyword search over the whole event (a field condition without a field). */
  protected abstract keyword(tokens: StringToken[], ctx: Omit<ValueContext, 'field'>): Q;

  protected unsupported(what: string, ctx: { condition: FieldCondition }): never {
    throw new SigmaUnsupportedError('backend-unsupported', `${this.name} backend cannot express ${what}`, { path: ctx.condition.path });
  }

  protected convertCondition(node: ConditionNode, rule: ProcessedRule): Q {
    switch (node.kind) {
      case 'and':
        return this.and(node.args.map((a) => this.convertCondition(a, rule)));
      case 'or':
        return this.or(node.args.map((a) => this.convertCondition(a, rule)));
      case 'not':
        return this.not(this.convertCondition(node.arg, rule));
      case 'ref':
        return this.convertIdentifier(node.name, rule);
      case 'of': {
        const refs = node.names.map((n) => this.convertIdentifier(n, rule));
        return node.quantifier === 'all' ? this.and(refs) : this.or(refs);
      }
    }
  }

  protected convertIdentifier(name: string, rule: ProcessedRule): Q {
    const si = rule.detection.identifiers[name];
    if (!si) throw new SigmaUnsupportedError('unknown-identifier', `condition refers to missing identifier '${name}'`);
    const alternatives = si.anyOf.map((conj) => {
      const parts = conj.map((fc) => this.convertFieldCondition(fc, rule));
      return parts.length === 1 ? (parts[0] as Q) : this.and(parts);
    });
    return alternatives.length === 1 ? (alternatives[0] as Q) : this.or(alternatives);
  }

  /** One `field|mods: values` item: per-value hooks, linked by OR (or AND under `all`), negated by `neq`. */
  protected convertFieldCondition(fc: FieldCondition, rule: ProcessedRule): Q {
    const parts = fc.values.map((v) => this.convertValue(v, fc, rule));
    const linked = parts.length === 1 ? (parts[0] as Q) : fc.linking === 'and' ? this.and(parts) : this.or(parts);
    return fc.negated ? this.not(linked) : linked;
  }

  protected convertValue(value: SigmaValue, fc: FieldCondition, rule: ProcessedRule): Q {
    if (value.type === 'string' && value.tokens.some((t) => t.kind === 'placeholder')) {
      const names = value.tokens.flatMap((t) => (t.kind === 'placeholder' ? [`%${t.name}%`] : []));
      throw new SigmaUnsupportedError('unexpanded-placeholder', `placeholder ${names.join(', ')} was not expanded by a pipeline`, { path: fc.path });
    }
    if (fc.field === null) {
      const base = { cased: fc.cased, condition: fc, rule };
      if (value.type === 'string') return this.keyword(value.tokens, base);
      if (value.type === 'number' || value.type === 'boolean') return this.keyword([{ kind: 'literal', text: String(value.value) }], base);
      return this.unsupported(`a ${value.type} keyword`, base);
    }
    const ctx: ValueContext = { field: fc.field, cased: fc.cased, condition: fc, rule };
    if (fc.timePart) return this.timePart(fc.timePart, value, ctx);
    switch (value.type) {
      case 'string': {
        const shape = classifyString(value.tokens);
        switch (shape.kind) {
          case 'exact':
            return this.stringExact(shape.text, ctx);
          case 'prefix':
            return this.stringPrefix(shape.text, ctx);
          case 'suffix':
            return this.stringSuffix(shape.text, ctx);
          case 'contains':
            return this.stringContains(shape.text, ctx);
          case 'wildcard':
            return this.stringWildcard(shape.tokens, ctx);
        }
        break;
      }
      case 'number':
        return this.numberEquals(value.value, ctx);
      case 'boolean':
        return this.booleanEquals(value.value, ctx);
      case 'null':
        return this.isNull(ctx);
      case 'exists':
        return value.value ? this.exists(ctx) : this.not(this.exists(ctx));
      case 'regex':
        return this.regex(value.pattern, value.flags, ctx);
      case 'cidr':
        return this.cidr(value.network, value.prefix, value.version, ctx);
      case 'compare':
        return this.compare(value.op, value.value, ctx);
      case 'fieldref':
        return this.fieldRef(value.field, ctx);
    }
  }
}
