// Many compiled rules matched against events. Both modes route by logsource (logsource.ts: a rule
// runs only on events of its product, and of its channel for a Windows service). Indexed mode skips rules
// whose necessary literals or fields are absent (one Aho-Corasick pass over the event's values
// and a look at its property names); naive mode runs every rule. What a rule needs comes as
// clauses (literals.ts): its most selective clause puts it on the candidate list when one of its
// literals is found, its other clauses are then checked against what was found, and only a rule
// with every clause satisfied is evaluated.
import { SigmaError } from '../errors';
import { applyFilters, filterApplies } from '../filters';
import type { LogSource, SigmaFilter, SigmaLevel, SigmaRule } from '../model';
import type { ProcessedRule, ProcessingPipeline } from '../pipeline';
import type { SigmaEvent } from './fieldpath';
import { beginEvent, JsMatcherBackend, type CompiledRule } from './js';
import { requiredClauses, type LiteralClause } from './literals';
import { Prefilter, prefilterTables, type PrefilterTables } from './prefilter';
import { LogsourceRouter } from './router';

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

/** What is known of a rule without its detection: enough to route, report and list it. */
export interface RuleInfo {
  id?: string;
  name?: string;
  title: string;
  level?: SigmaLevel;
  tags: string[];
  logsource: LogSource;
  /** The file it came from. */
  source?: string;
}

/**
 * A rule compiled earlier (the compiled-rule cache): its routing and prefilter needs up front, its
 * processed tree and its source on demand. `processed()` must give the tree the pipelines and
 * filters make of `source()`; the cache verifies it or rebuilds it from the rule file.
 */
export interface PreparedRule {
  info: RuleInfo;
  clauses: LiteralClause[];
  processed(): ProcessedRule;
  source(): SigmaRule;
}

interface Entry {
  info: RuleInfo;
  clauses: LiteralClause[];
  compiled?: CompiledRule;
  prepared?: PreparedRule;
  /** The rule as given, before filters: a filter added later recompiles from it. */
  source?: SigmaRule;
}

export const infoOf = (r: SigmaRule): RuleInfo => ({
  ...(r.id !== undefined ? { id: r.id } : {}),
  ...(r.name !== undefined ? { name: r.name } : {}),
  title: r.title,
  ...(r.level !== undefined ? { level: r.level } : {}),
  tags: r.tags,
  logsource: r.logsource,
  ...(r.source !== undefined ? { source: r.source } : {}),
});

export class RuleSet {
  private readonly backend: JsMatcherBackend;
  private readonly mode: 'indexed' | 'naive';
  private readonly entries: Entry[] = [];
  private readonly filters: SigmaFilter[] = [];
  private index?: Prefilter;
  private router?: LogsourceRouter;
  private readonly routeCache = new Map<string, Uint8Array>();

  constructor(options: RuleSetOptions = {}) {
    this.backend = new JsMatcherBackend(options.pipelines ?? []);
    this.mode = options.mode ?? 'indexed';
    this.filters.push(...(options.filters ?? []));
  }

  get size(): number {
    return this.entries.length;
  }

  /** How many rules are compiled to matchers so far (prepared rules compile when an event first needs them). */
  get compiledCount(): number {
    return this.entries.filter((e) => e.compiled !== undefined).length;
  }

  /** Compiles and adds a rule; throws SigmaUnsupportedError if the matcher cannot express it. Returns what a cache keeps of it. */
  add(rule: SigmaRule): { info: RuleInfo; processed: ProcessedRule; clauses: LiteralClause[] } {
    const compiled = this.backend.compile(applyFilters(rule, this.filters));
    const entry = { info: infoOf(rule), clauses: requiredClauses(compiled.rule), compiled, source: rule };
    this.push(entry);
    return { info: entry.info, processed: compiled.rule, clauses: entry.clauses };
  }

  /** Adds a rule compiled earlier; its matcher is built when an event first needs it. */
  addPrepared(rule: PreparedRule): void {
    this.push({ info: rule.info, clauses: rule.clauses, prepared: rule });
  }

  /** The filters in force, in order (a cache of compiled rules is only valid for the same ones). */
  activeFilters(): readonly SigmaFilter[] {
    return this.filters;
  }

  /** Adds a filter and recompiles the rules it names; throws (leaving the set unchanged) if one no longer compiles. */
  addFilter(filter: SigmaFilter): void {
    const affected = this.entries.flatMap((e, r) => (filterApplies(filter, e.info) ? [r] : []));
    const all = [...this.filters, filter];
    const recompiled = affected.map((r) => this.backend.compile(applyFilters(this.sourceAt(r), all)));
    this.filters.push(filter);
    affected.forEach((r, i) => {
      const c = recompiled[i] as CompiledRule;
      const entry = this.entries[r] as Entry;
      entry.compiled = c;
      entry.prepared = undefined;
      entry.clauses = requiredClauses(c.rule);
    });
    this.index = undefined;
  }

  /** The rules as loaded (before filters), e.g. to resolve correlation references or convert them. */
  rules(): readonly SigmaRule[] {
    return this.entries.map((_, r) => this.sourceAt(r));
  }

  /** What each rule is, without reading prepared rules' detections. */
  ruleInfos(): readonly RuleInfo[] {
    return this.entries.map((e) => e.info);
  }

  private sourceAt(r: number): SigmaRule {
    const entry = this.entries[r] as Entry;
    return (entry.source ??= (entry.prepared as PreparedRule).source());
  }

  /** The matcher of rule r, built from its prepared tree on first use. */
  private compiledAt(r: number): CompiledRule {
    const entry = this.entries[r] as Entry;
    if (!entry.compiled) {
      const prepared = entry.prepared as PreparedRule;
      entry.compiled = this.backend.compileProcessed(prepared.processed());
    }
    return entry.compiled;
  }

  private push(entry: Entry): void {
    this.entries.push(entry);
    this.index = undefined;
    this.router = undefined;
    this.routeCache.clear();
  }

  /** How many rules the prefilter lets through for an event (for tuning and benchmarks). */
  candidateCount(event: SigmaEvent): number {
    return (this.index ??= this.buildIndex()).candidates(event).length;
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
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- the YAML parser only loads when files are added this way (see engine/content.ts)
        const docs = (require('../parse') as typeof import('../parse')).parseSigmaFile(file).documents;
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
        compiled.forEach((c, i) => {
          const rule = rules[i] as SigmaRule;
          this.push({ info: infoOf(rule), clauses: requiredClauses(c.rule), compiled: c, source: rule });
        });
        loaded += compiled.length;
      } catch (e) {
        if (!(e instanceof SigmaError)) throw e;
        rejected.push({ file, reason: e.message });
      }
    }
    return { loaded, rejected };
  }

  /**
   * Rules matching the event, among those of its logsource (read off the event). `logsource`,
   * when given, restricts further to rules whose logsource is compatible (each attribute the rule
   * sets equals the given one).
   */
  match(event: SigmaEvent, logsource?: LogSource): RuleMatch[] {
    const out: RuleMatch[] = [];
    beginEvent(event);
    const routed = (this.router ??= new LogsourceRouter(this.entries.map((e) => e.info.logsource))).mask(event);
    const eligible = logsource ? this.route(logsource) : undefined;
    if (this.mode === 'naive') {
      for (let r = 0; r < this.entries.length; r++) {
        if (!routed[r] || (eligible && !eligible[r])) continue;
        const c = this.compiledAt(r);
        if (c.evaluate(event)) out.push(toMatch(c, event));
      }
      return out;
    }
    const index = (this.index ??= this.buildIndex());
    const candidates = index.candidates(event);
    for (let i = 0; i < candidates.length; i++) {
      const r = candidates[i] as number;
      if (!routed[r] || (eligible && !eligible[r])) continue;
      const c = this.compiledAt(r);
      if (c.evaluate(event)) out.push(toMatch(c, event));
    }
    return out;
  }

  private buildIndex(): Prefilter {
    return new Prefilter(prefilterTables(this.clausesByRule()));
  }

  /** Every rule's prefilter clauses, in rule order: what the prefilter is built from. */
  clausesByRule(): LiteralClause[][] {
    return this.entries.map((e) => e.clauses);
  }

  /** The prefilter's tables (built now if need be), to keep in a cache. */
  prefilterTables(): PrefilterTables {
    return (this.index ??= this.buildIndex()).tables;
  }

  /**
   * Uses tables kept from an earlier build over the same clauses (clausesByRule() then equal to
   * what they were built from) instead of building them; throws if they do not fit this set.
   */
  usePrefilter(tables: PrefilterTables): void {
    if (tables.ruleCount !== this.entries.length) throw new Error(`prefilter tables are for ${tables.ruleCount} rules, not ${this.entries.length}`);
    this.index = new Prefilter(tables);
  }

  private route(ls: LogSource): Uint8Array {
    const key = `${ls.category ?? ''}|${ls.product ?? ''}|${ls.service ?? ''}`;
    let mask = this.routeCache.get(key);
    if (!mask) {
      mask = new Uint8Array(this.entries.length);
      this.entries.forEach((e, r) => {
        const rl = e.info.logsource;
        const ok = (['category', 'product', 'service'] as const).every((k) => rl[k] === undefined || rl[k] === ls[k]);
        (mask as Uint8Array)[r] = ok ? 1 : 0;
      });
      this.routeCache.set(key, mask);
    }
    return mask;
  }
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
