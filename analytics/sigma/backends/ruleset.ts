// Many compiled rules matched against events. Indexed mode routes by logsource and skips rules
// whose necessary literals are absent (one Aho-Corasick pass per event); naive mode runs every rule.
import { SigmaError } from '../errors';
import { applyFilters, filterApplies } from '../filters';
import type { LogSource, SigmaFilter, SigmaLevel, SigmaRule } from '../model';
import { parseSigmaFile } from '../parse';
import type { ProcessingPipeline } from '../pipeline';
import { AhoCorasick } from './aho-corasick';
import { leafTexts, type SigmaEvent } from './fieldpath';
import { beginEvent, JsMatcherBackend, type CompiledRule } from './js';
import { requiredLiterals } from './literals';

export interface RuleMatch {
  ruleId: string;
  /** The rule's `name`, by which correlations may refer to it. */
  name?: string;
  title: string;
  level?: SigmaLevel;
  tags: string[];
  matchedFields: string[];
}

export interface RuleSetOptions {
  pipelines?: readonly ProcessingPipeline[];
  /** 'indexed' (default) uses logsource routing and the literal prefilter; 'naive' evaluates every rule. */
  mode?: 'indexed' | 'naive';
  /** Sigma filters folded into the rules they name before compilation. */
  filters?: readonly SigmaFilter[];
}

export class RuleSet {
  private readonly backend: JsMatcherBackend;
  private readonly mode: 'indexed' | 'naive';
  private readonly compiled: CompiledRule[] = [];
  /** The rules as given, before filters: a filter added later recompiles from these. */
  private readonly sources: SigmaRule[] = [];
  private readonly filters: SigmaFilter[] = [];
  private readonly literalsByRule: (string[] | undefined)[] = [];
  private index?: { automaton: AhoCorasick; patternRules: number[][]; always: number[] };
  private readonly routeCache = new Map<string, Uint8Array>();

  constructor(options: RuleSetOptions = {}) {
    this.backend = new JsMatcherBackend(options.pipelines ?? []);
    this.mode = options.mode ?? 'indexed';
    this.filters.push(...(options.filters ?? []));
  }

  get size(): number {
    return this.compiled.length;
  }

  /** Compiles and adds a rule; throws SigmaUnsupportedError if the matcher cannot express it. */
  add(rule: SigmaRule): void {
    this.push(rule, this.backend.compile(applyFilters(rule, this.filters)));
  }

  /** Adds a filter and recompiles the rules it names; throws (leaving the set unchanged) if one no longer compiles. */
  addFilter(filter: SigmaFilter): void {
    const affected = this.sources.flatMap((rule, r) => (filterApplies(filter, rule) ? [r] : []));
    const all = [...this.filters, filter];
    const recompiled = affected.map((r) => this.backend.compile(applyFilters(this.sources[r] as SigmaRule, all)));
    this.filters.push(filter);
    affected.forEach((r, i) => {
      const c = recompiled[i] as CompiledRule;
      this.compiled[r] = c;
      this.literalsByRule[r] = requiredLiterals(c.rule);
    });
    this.index = undefined;
  }

  /** The rules as loaded (before filters), e.g. to resolve correlation references. */
  rules(): readonly SigmaRule[] {
    return this.sources;
  }

  private push(source: SigmaRule, c: CompiledRule): void {
    this.sources.push(source);
    this.compiled.push(c);
    this.literalsByRule.push(requiredLiterals(c.rule));
    this.index = undefined;
    this.routeCache.clear();
  }

  /** How many rules the prefilter lets through for an event (for tuning and benchmarks). */
  candidateCount(event: SigmaEvent): number {
    const index = (this.index ??= this.buildIndex());
    const hit = new Set(index.always);
    index.automaton.search(haystackOf(event), (id) => {
      for (const r of index.patternRules[id] as number[]) hit.add(r);
    });
    return hit.size;
  }

  /**
   * Adds every detection rule and filter of the files (filters first, so they tune rules of any
   * file); files the matcher cannot take are returned with the reason.
   */
  addFiles(files: readonly string[]): { loaded: number; rejected: { file: string; reason: string }[] } {
    const rejected: { file: string; reason: string }[] = [];
    const parsed: { file: string; rules: SigmaRule[] }[] = [];
    for (const file of files) {
      try {
        const docs = parseSigmaFile(file).documents;
        for (const f of docs) if (f.kind === 'filter') this.filters.push(f);
        parsed.push({ file, rules: docs.filter((d): d is SigmaRule => d.kind === 'rule') });
      } catch (e) {
        if (!(e instanceof SigmaError)) throw e;
        rejected.push({ file, reason: e.message });
      }
    }
    let loaded = 0;
    for (const { file, rules } of parsed) {
      try {
        const compiled = rules.map((r) => this.backend.compile(applyFilters(r, this.filters)));
        compiled.forEach((c, i) => this.push(rules[i] as SigmaRule, c));
        loaded += compiled.length;
      } catch (e) {
        if (!(e instanceof SigmaError)) throw e;
        rejected.push({ file, reason: e.message });
      }
    }
    return { loaded, rejected };
  }

  /**
   * Rules matching the event. `logsource`, when given, restricts to rules whose logsource is
   * compatible (each attribute the rule sets equals the event's).
   */
  match(event: SigmaEvent, logsource?: LogSource): RuleMatch[] {
    const out: RuleMatch[] = [];
    beginEvent(event);
    if (this.mode === 'naive') {
      for (const c of this.compiled) if (c.evaluate(event)) out.push(toMatch(c, event));
      return out;
    }
    const index = (this.index ??= this.buildIndex());
    const eligible = logsource ? this.route(logsource) : undefined;
    const candidates = new Uint8Array(this.compiled.length);
    for (const r of index.always) candidates[r] = 1;
    index.automaton.search(haystackOf(event), (id) => {
      for (const r of index.patternRules[id] as number[]) candidates[r] = 1;
    });
    for (let r = 0; r < candidates.length; r++) {
      if (!candidates[r] || (eligible && !eligible[r])) continue;
      const c = this.compiled[r] as CompiledRule;
      if (c.evaluate(event)) out.push(toMatch(c, event));
    }
    return out;
  }

  private buildIndex(): NonNullable<RuleSet['index']> {
    const patternIds = new Map<string, number>();
    const patternRules: number[][] = [];
    const always: number[] = [];
    this.literalsByRule.forEach((lits, r) => {
      if (!lits) {
        always.push(r);
        return;
      }
      for (const lit of lits) {
        let id = patternIds.get(lit);
        if (id === undefined) {
          id = patternRules.length;
          patternIds.set(lit, id);
          patternRules.push([]);
        }
        (patternRules[id] as number[]).push(r);
      }
    });
    return { automaton: new AhoCorasick([...patternIds.keys()]), patternRules, always };
  }

  private route(ls: LogSource): Uint8Array {
    const key = `${ls.category ?? ''}|${ls.product ?? ''}|${ls.service ?? ''}`;
    let mask = this.routeCache.get(key);
    if (!mask) {
      mask = new Uint8Array(this.compiled.length);
      this.compiled.forEach((c, r) => {
        const rl = c.rule.logsource;
        const ok = (['category', 'product', 'service'] as const).every((k) => rl[k] === undefined || rl[k] === ls[k]);
        (mask as Uint8Array)[r] = ok ? 1 : 0;
      });
      this.routeCache.set(key, mask);
    }
    return mask;
  }
}

/** Every scalar of the event, lowercased, NUL-separated: what necessary literals are searched in. */
function haystackOf(event: SigmaEvent): string {
  return leafTexts(event)
    .map((s) => s.toLowerCase())
    .join('\u0000');
}

function toMatch(c: CompiledRule, event: SigmaEvent): RuleMatch {
  const fields = new Set<string>();
  for (const leaf of c.leaves) if (leaf.field !== null && leaf.test(event)) fields.add(leaf.field);
  return {
    ruleId: c.rule.id ?? c.rule.title,
    ...(c.rule.name !== undefined ? { name: c.rule.name } : {}),
    title: c.rule.title,
    level: c.rule.level,
    tags: c.rule.tags,
    matchedFields: [...fields],
  };
}
