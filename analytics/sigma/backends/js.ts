// The JavaScript matcher backend: a rule becomes closures `(event) => boolean` over nested events.
// Strings compare lowercased (Sigma is case-insensitive by default) unless `cased`.
import { cidrContains, parseCidr } from '../../../core/query/ip';
import type { CompareOp, FieldCondition, SigmaRule, SigmaValue, StringToken, TimePart } from '../model';
import type { ProcessedRule, ProcessingPipeline } from '../pipeline';
import { classifyString, SigmaBackend, type ValueContext } from './base';
import { compileAccessor, scalarText, type SigmaEvent } from './fieldpath';
import { comparator, extractTimePart, stringCheck, wildcardRegex } from './js-values';
import { toJsRegex } from './regex';

export type { SigmaEvent } from './fieldpath';
export type Predicate = (event: SigmaEvent) => boolean;

/** A test over the values one field resolved to; several share one field resolution. */
type ValueTest = (values: FieldValues) => boolean;
/** Predicates built for a single field carry their test so a field condition resolves the field once. */
type FieldPredicate = Predicate & { fieldTest?: { field: string; test: ValueTest } };

class FieldValues {
  private texts: (string | undefined)[] | undefined = undefined;
  private lowered: (string | undefined)[] | undefined = undefined;
  /** CIDR tests already answered for these values (by block text). */
  private cidrs: Map<string, boolean> | undefined = undefined;
  constructor(readonly raw: unknown[]) {}
  text(): (string | undefined)[] {
    return (this.texts ??= this.raw.map(scalarText));
  }
  lower(): (string | undefined)[] {
    return (this.lowered ??= this.text().map((s) => s?.toLowerCase()));
  }
  /** Whether any value is an address in the block, each block computed once per event and field. */
  inCidr(cidr: string): boolean {
    if (this.raw.length === 0) return false;
    const known = this.cidrs?.get(cidr);
    if (known !== undefined) return known;
    const hit = this.text().some((s) => s !== undefined && cidrContains(cidr, s));
    (this.cidrs ??= new Map()).set(cidr, hit);
    return hit;
  }
}

/** Field paths interned to small numbers, so the per-event cache is an array, not a map. */
const fieldIds = new Map<string, number>();
const accessors: ((e: SigmaEvent) => unknown[])[] = [];

function fieldId(path: string): number {
  let id = fieldIds.get(path);
  if (id === undefined) {
    id = accessors.length;
    fieldIds.set(path, id);
    accessors.push(compileAccessor(path));
  }
  return id;
}

/**
 * Field values of the event being matched, shared by every rule: a field is resolved and
 * lowercased once per event, not once per rule. Matching is synchronous, so one scope suffices.
 * Slots are stamped with the event's number instead of being cleared.
 */
class EventScope {
  private event: SigmaEvent | undefined;
  private current = 0;
  private stamps = new Int32Array(256);
  private readonly slots: (FieldValues | undefined)[] = [];
  begin(event: SigmaEvent): void {
    this.event = event;
    if (++this.current === 0x7fffffff) {
      this.stamps.fill(0);
      this.current = 1;
    }
  }
  values(event: SigmaEvent, id: number): FieldValues {
    if (event !== this.event) this.begin(event);
    if (this.stamps[id] === this.current) return this.slots[id] as FieldValues;
    if (id >= this.stamps.length) {
      const grown = new Int32Array(Math.max(id + 1, this.stamps.length * 2));
      grown.set(this.stamps);
      this.stamps = grown;
    }
    const v = new FieldValues((accessors[id] as (e: SigmaEvent) => unknown[])(event));
    this.slots[id] = v;
    this.stamps[id] = this.current;
    return v;
  }
  private everyStamp = 0;
  private every: FieldValues | undefined = undefined;
  /** Every scalar value of the whole event (what keywords search when it has no raw text), collected once per event. */
  everyValue(event: SigmaEvent): FieldValues {
    if (event !== this.event) this.begin(event);
    if (this.everyStamp === this.current && this.every) return this.every;
    const out: unknown[] = [];
    collectScalars(event, out);
    this.every = new FieldValues(out);
    this.everyStamp = this.current;
    return this.every;
  }
}

function collectScalars(value: unknown, out: unknown[]): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) for (let i = 0; i < value.length; i++) collectScalars(value[i], out);
  else if (typeof value === 'object') {
    for (const k in value) if (Object.prototype.hasOwnProperty.call(value, k)) collectScalars((value as Record<string, unknown>)[k], out);
  } else out.push(value);
}

const scope = new EventScope();

/** Starts matching a new event (or the same object after it changed). */
export function beginEvent(event: SigmaEvent): void {
  scope.begin(event);
}

/** A field path's slot in the per-event cache of field values (interned once). */
export function fieldSlot(path: string): number {
  return fieldId(path);
}

/** The values of a field of the event being matched, resolved once per event for every rule and router alike. */
export function slotValues(event: SigmaEvent, slot: number): unknown[] {
  return scope.values(event, slot).raw;
}

export interface CompiledLeaf {
  field: string | null;
  test: Predicate;
}

export interface CompiledRule {
  rule: ProcessedRule;
  /** Self-contained: safe on any event, any time. */
  match: Predicate;
  /** Reuses field values cached since the last beginEvent(event); for matching many rules on one event. */
  evaluate: Predicate;
  /** Every field condition on its own, to report which fields matched. */
  leaves: CompiledLeaf[];
}

const DECIMAL = /^\s*-?\d+(\.\d+)?\s*$/;

export class JsMatcherBackend extends SigmaBackend<Predicate, CompiledRule> {
  readonly name = 'js';
  private leaves: CompiledLeaf[] = [];

  constructor(pipelines: readonly ProcessingPipeline[] = []) {
    super(pipelines);
  }

  compile(rule: SigmaRule): CompiledRule {
    this.leaves = [];
    return this.convertRule(rule);
  }

  /** Compiles a rule the pipelines already processed. */
  compileProcessed(rule: ProcessedRule): CompiledRule {
    this.leaves = [];
    return this.convertProcessed(rule);
  }

  protected finalize(evaluate: Predicate, rule: ProcessedRule): CompiledRule {
    const leaves = this.leaves;
    this.leaves = [];
    const match: Predicate = (e) => {
      scope.begin(e);
      return evaluate(e);
    };
    return { rule, match, evaluate, leaves };
  }

  protected and(items: Predicate[]): Predicate {
    if (items.length === 1) return items[0] as Predicate;
    if (items.length === 2) {
      const [a, b] = items as [Predicate, Predicate];
      return (e) => a(e) && b(e);
    }
    return (e) => {
      for (let i = 0; i < items.length; i++) if (!(items[i] as Predicate)(e)) return false;
      return true;
    };
  }
  protected or(items: Predicate[]): Predicate {
    if (items.length === 1) return items[0] as Predicate;
    if (items.length === 2) {
      const [a, b] = items as [Predicate, Predicate];
      return (e) => a(e) || b(e);
    }
    return (e) => {
      for (let i = 0; i < items.length; i++) if ((items[i] as Predicate)(e)) return true;
      return false;
    };
  }
  protected not(item: Predicate): Predicate {
    return (e) => !item(e);
  }

  protected override convertFieldCondition(fc: FieldCondition, rule: ProcessedRule): Predicate {
    let pred = this.stringBatch(fc) ?? this.mergedFieldCondition(fc, rule);
    if (fc.negated) pred = this.not(pred);
    // A test that holds by the field's absence (null, exists: false) names no field that matched.
    if (!fc.values.every((v) => v.type === 'null' || (v.type === 'exists' && !v.value))) this.leaves.push({ field: fc.field, test: pred });
    return pred;
  }

  /** Values of one field share a single resolution of that field. */
  private mergedFieldCondition(fc: FieldCondition, rule: ProcessedRule): Predicate {
    const parts = fc.values.map((v) => this.convertValue(v, fc, rule)) as FieldPredicate[];
    const tests = parts.map((p) => p.fieldTest);
    if (fc.field === null || !tests.every((t) => t !== undefined && t.field === fc.field)) {
      return fc.linking === 'and' ? this.and(parts) : this.or(parts);
    }
    const field = fieldId(fc.field);
    const fns = tests.map((t) => (t as { test: ValueTest }).test);
    if (fc.linking === 'and') {
      return (e) => {
        const values = scope.values(e, field);
        for (let i = 0; i < fns.length; i++) if (!(fns[i] as ValueTest)(values)) return false;
        return true;
      };
    }
    return (e) => {
      const values = scope.values(e, field);
      for (let i = 0; i < fns.length; i++) if ((fns[i] as ValueTest)(values)) return true;
      return false;
    };
  }

  /**
   * The common shape `Field|endswith: [many strings]` (OR): one pass over the field's values
   * with a Set for exact values and plain loops for prefixes/suffixes/substrings.
   */
  private stringBatch(fc: FieldCondition): Predicate | undefined {
    if (fc.field === null || fc.linking !== 'or' || fc.timePart || fc.values.length < 2) return undefined;
    const exact = new Set<string>();
    const prefixes: string[] = [];
    const suffixes: string[] = [];
    const contains: string[] = [];
    const patterns: RegExp[] = [];
    for (const v of fc.values) {
      if (v.type !== 'string' || v.tokens.some((t) => t.kind === 'placeholder')) return undefined;
      const shape = classifyString(v.tokens);
      if (shape.kind === 'wildcard') patterns.push(wildcardRegex(shape.tokens, fc.cased));
      else {
        const text = fc.cased ? shape.text : shape.text.toLowerCase();
        if (shape.kind === 'exact') exact.add(text);
        else (shape.kind === 'prefix' ? prefixes : shape.kind === 'suffix' ? suffixes : contains).push(text);
      }
    }
    const field = fieldId(fc.field);
    const cased = fc.cased;
    return (e) => {
      const values = scope.values(e, field);
      const texts = cased ? values.text() : values.lower();
      for (let i = 0; i < texts.length; i++) {
        const s = texts[i];
        if (s === undefined) continue;
        if (exact.has(s)) return true;
        for (let k = 0; k < suffixes.length; k++) if (s.endsWith(suffixes[k] as string)) return true;
        for (let k = 0; k < contains.length; k++) if (s.includes(contains[k] as string)) return true;
        for (let k = 0; k < prefixes.length; k++) if (s.startsWith(prefixes[k] as string)) return true;
        for (let k = 0; k < patterns.length; k++) if ((patterns[k] as RegExp).test(s)) return true;
      }
      return false;
    };
  }

  private onField(ctx: ValueContext, test: ValueTest): FieldPredicate {
    const field = fieldId(ctx.field);
    const pred: FieldPredicate = (e) => test(scope.values(e, field));
    pred.fieldTest = { field: ctx.field, test };
    return pred;
  }

  private stringTest(ctx: ValueContext, check: (s: string) => boolean): FieldPredicate {
    const cased = ctx.cased;
    return this.onField(ctx, (v) => {
      const texts = cased ? v.text() : v.lower();
      for (let i = 0; i < texts.length; i++) {
        const s = texts[i];
        if (s !== undefined && check(s)) return true;
      }
      return false;
    });
  }

  protected override stringExact(text: string, ctx: ValueContext): Predicate {
    const t = ctx.cased ? text : text.toLowerCase();
    return this.stringTest(ctx, (s) => s === t);
  }
  protected override stringPrefix(text: string, ctx: ValueContext): Predicate {
    const t = ctx.cased ? text : text.toLowerCase();
    return this.stringTest(ctx, (s) => s.startsWith(t));
  }
  protected override stringSuffix(text: string, ctx: ValueContext): Predicate {
    const t = ctx.cased ? text : text.toLowerCase();
    return this.stringTest(ctx, (s) => s.endsWith(t));
  }
  protected override stringContains(text: string, ctx: ValueContext): Predicate {
    const t = ctx.cased ? text : text.toLowerCase();
    return this.stringTest(ctx, (s) => s.includes(t));
  }
  protected stringWildcard(tokens: StringToken[], ctx: ValueContext): Predicate {
    const re = wildcardRegex(tokens, ctx.cased);
    return this.stringTest(ctx, (s) => re.test(s));
  }

  protected numberEquals(value: number, ctx: ValueContext): Predicate {
    return this.onField(ctx, (v) => v.raw.some((x) => (typeof x === 'number' ? x === value : typeof x === 'string' && DECIMAL.test(x) && Number(x) === value)));
  }
  protected booleanEquals(value: boolean, ctx: ValueContext): Predicate {
    const text = String(value);
    return this.onField(ctx, (v) => v.raw.some((x) => x === value || (typeof x === 'string' && x.toLowerCase() === text)));
  }
  protected isNull(ctx: ValueContext): Predicate {
    return this.onField(ctx, (v) => v.raw.length === 0 || v.raw.some((x) => x === null));
  }
  protected exists(ctx: ValueContext): Predicate {
    return this.onField(ctx, (v) => v.raw.length > 0);
  }
  protected regex(pattern: string, flags: { i: boolean; m: boolean; s: boolean }, ctx: ValueContext): Predicate {
    const re = toJsRegex(pattern, flags, ctx.condition.path);
    return this.onField(ctx, (v) => v.text().some((s) => s !== undefined && re.test(s)));
  }
  protected cidr(network: string, prefix: number, _version: 4 | 6, ctx: ValueContext): Predicate {
    const cidr = `${network}/${prefix}`;
    if (!parseCidr(cidr)) return this.unsupported(`CIDR ${cidr}`, ctx);
    return this.onField(ctx, (v) => v.inCidr(cidr));
  }
  protected compare(op: CompareOp, value: number, ctx: ValueContext): Predicate {
    const cmp = comparator(op, value);
    return this.onField(ctx, (v) =>
      v.raw.some((x) => {
        const n = typeof x === 'number' ? x : typeof x === 'string' && x.trim() !== '' ? Number(x) : NaN;
        return Number.isFinite(n) && cmp(n);
      }),
    );
  }
  protected override fieldRef(other: string, ctx: ValueContext): Predicate {
    const otherField = fieldId(other);
    const cased = ctx.cased;
    return this.onFieldWithEvent(ctx, (v, e) => {
      const mine = cased ? v.text() : v.lower();
      const theirs = cased ? scope.values(e, otherField).text() : scope.values(e, otherField).lower();
      for (const s of mine) if (s !== undefined && theirs.includes(s)) return true;
      return false;
    });
  }
  protected override timePart(part: TimePart, value: SigmaValue, ctx: ValueContext): Predicate {
    const check = value.type === 'compare' ? comparator(value.op, value.value) : value.type === 'number' ? (n: number) => n === value.value : undefined;
    if (!check) return this.unsupported(`time part '${part}' with a ${value.type} value`, ctx);
    return this.onField(ctx, (v) =>
      v.raw.some((x) => {
        const n = extractTimePart(x, part);
        return n !== undefined && check(n);
      }),
    );
  }

  /**
   * Keywords search the whole event (see README.md): the raw text `event.original` when the event
   * has one, else `message`, else every scalar value of the event. Contains semantics.
   */
  protected keyword(tokens: StringToken[], ctx: Omit<ValueContext, 'field'>): Predicate {
    const wrapped: StringToken[] = [
      ...(tokens[0]?.kind === 'any' ? [] : [{ kind: 'any' } as const]),
      ...tokens,
      ...(tokens[tokens.length - 1]?.kind === 'any' ? [] : [{ kind: 'any' } as const]),
    ];
    const check = stringCheck(wrapped, ctx.cased);
    const cased = ctx.cased;
    return (e) => {
      const texts = keywordTexts(e, cased);
      for (let i = 0; i < texts.length; i++) {
        const s = texts[i];
        if (s !== undefined && check(s)) return true;
      }
      return false;
    };
  }

  private onFieldWithEvent(ctx: ValueContext, test: (v: FieldValues, e: SigmaEvent) => boolean): Predicate {
    const field = fieldId(ctx.field);
    return (e) => test(scope.values(e, field), e);
  }
}

export const KEYWORD_FIELD = 'event.original';
export const KEYWORD_FALLBACK_FIELD = 'message';
const originalField = fieldId(KEYWORD_FIELD);
const messageField = fieldId(KEYWORD_FALLBACK_FIELD);

const present = (v: FieldValues): boolean => v.raw.some((x) => x !== null && x !== undefined);

/**
 * The texts keywords search: event.original's values, else message's, else every scalar of the
 * event (the raw text holds every value of the event, so it stands for the whole event when
 * there is one). Each is resolved, and lowercased, once per event and only when a keyword asks.
 */
function keywordTexts(e: SigmaEvent, cased: boolean): (string | undefined)[] {
  const original = scope.values(e, originalField);
  let values = original;
  if (!present(original)) {
    const message = scope.values(e, messageField);
    values = present(message) ? message : scope.everyValue(e);
  }
  return cased ? values.text() : values.lower();
}

export { wildcardRegex } from './js-values';
