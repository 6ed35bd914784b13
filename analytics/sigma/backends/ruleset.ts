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
import { parseSigmaFile } from '../parse';
import type { ProcessedRule, ProcessingPipeline } from '../pipeline';
import { AhoCorasick, IdList } from './aho-corasick';
import type { SigmaEvent } from './fieldpath';
import { beginEvent, JsMatcherBackend, type CompiledRule } from './js';
import { requiredClauses, type LiteralClause } from './literals';
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
    return new Prefilter(this.entries.map((e) => e.clauses));
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

/**
 * The prefilter of a rule set: one automaton over every text literal, a table of the property
 * names field clauses ask for, the rules each literal or name triggers (as their first clause),
 * and each rule's other clauses as ids. Per-event state lives in typed arrays stamped with an
 * event number, so matching allocates nothing here beyond the candidate list it returns (reused
 * from event to event).
 */
class Prefilter {
  private readonly automaton: AhoCorasick;
  /** Property name → id (ids after the automaton's pattern ids). */
  private readonly keyIds = new Map<string, number>();
  /** Id → rules whose first clause holds it (CSR: triggerStart, triggerRules). */
  private readonly triggerStart: Int32Array;
  private readonly triggerRules: Int32Array;
  /** Rule → its other clauses, each a list of ids; undefined when it has none. */
  private readonly rest: (Int32Array[] | undefined)[];
  /** Rules with no clause: candidates for every event. */
  private readonly always: Int32Array;
  private readonly nodeSeen: Int32Array;
  private readonly literalSeen: Int32Array;
  private readonly ruleSeen: Int32Array;
  private mark = 0;
  private readonly found = new IdList();
  private scratch: Int32Array;

  constructor(clausesByRule: readonly LiteralClause[][]) {
    // An empty literal is in every text; its clause holds trivially.
    const usable = clausesByRule.map((clauses) => clauses.filter((c) => c.literals.length > 0 && !c.literals.includes('')));
    const textIds = new Map<string, number>();
    for (const clauses of usable)
      for (const c of clauses) if (c.kind === 'text') for (const lit of c.literals) if (!textIds.has(lit)) textIds.set(lit, textIds.size);
    for (const clauses of usable)
      for (const c of clauses)
        if (c.kind === 'field') for (const key of c.literals) if (!this.keyIds.has(key)) this.keyIds.set(key, textIds.size + this.keyIds.size);
    const ids = textIds.size + this.keyIds.size;
    const idsOf = (c: LiteralClause): Int32Array => Int32Array.from(c.literals, (lit) => (c.kind === 'text' ? textIds : this.keyIds).get(lit) as number);
    const triggers: number[][] = [];
    const always: number[] = [];
    this.rest = usable.map((clauses, r) => {
      const [first, ...others] = clauses;
      if (!first) {
        always.push(r);
        return undefined;
      }
      for (const id of idsOf(first)) (triggers[id] ??= []).push(r);
      // Smaller clauses first: cheaper to check, and the likelier to fail.
      return others.length > 0 ? others.map(idsOf).sort((a, b) => a.length - b.length) : undefined;
    });
    this.automaton = new AhoCorasick([...textIds.keys()]);
    this.triggerStart = new Int32Array(ids + 1);
    let n = 0;
    for (let id = 0; id < ids; id++) {
      this.triggerStart[id] = n;
      n += triggers[id]?.length ?? 0;
    }
    this.triggerStart[ids] = n;
    this.triggerRules = new Int32Array(n);
    triggers.forEach((rules, id) => this.triggerRules.set(rules, this.triggerStart[id] as number));
    this.always = Int32Array.from(always);
    this.nodeSeen = new Int32Array(this.automaton.nodeCount);
    this.literalSeen = new Int32Array(ids);
    this.ruleSeen = new Int32Array(clausesByRule.length);
    this.scratch = new Int32Array(Math.max(16, always.length * 2));
  }

  /** Rules whose every clause has a literal in the event, ascending; valid until the next call. */
  candidates(event: SigmaEvent): Int32Array {
    if (++this.mark === 0x7fffffff) {
      this.nodeSeen.fill(0);
      this.literalSeen.fill(0);
      this.ruleSeen.fill(0);
      this.mark = 1;
    }
    const mark = this.mark;
    const found = this.found;
    found.clear();
    this.searchLeaves(event, mark);
    const { literalSeen, ruleSeen, triggerStart, triggerRules, rest } = this;
    const ids = found.ids;
    for (let i = 0; i < found.length; i++) literalSeen[ids[i] as number] = mark;
    let out = this.scratch;
    out.set(this.always);
    let count = this.always.length;
    for (let i = 0; i < found.length; i++) {
      const id = ids[i] as number;
      const end = triggerStart[id + 1] as number;
      for (let k = triggerStart[id] as number; k < end; k++) {
        const r = triggerRules[k] as number;
        if (ruleSeen[r] === mark) continue;
        ruleSeen[r] = mark;
        const others = rest[r];
        if (others && !allHold(others, literalSeen, mark)) continue;
        if (count === out.length) {
          const grown = new Int32Array(out.length * 2);
          grown.set(out);
          out = this.scratch = grown;
        }
        out[count++] = r;
      }
    }
    const list = out.subarray(0, count);
    if (count > 48) return list.sort();
    // Insertion sort: a few dozen ids, mostly in order already.
    for (let i = 1; i < count; i++) {
      const r = list[i] as number;
      let j = i - 1;
      while (j >= 0 && (list[j] as number) > r) {
        list[j + 1] = list[j] as number;
        j--;
      }
      list[j + 1] = r;
    }
    return list;
  }

  /** Searches every scalar of the event, lowercased, as its own text, and notes every property name. */
  private searchLeaves(value: unknown, mark: number): void {
    if (typeof value === 'string') {
      if (!this.automaton.search(value, this.nodeSeen, mark, this.found, true)) this.automaton.search(value.toLowerCase(), this.nodeSeen, mark, this.found);
    } else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
      this.automaton.search(String(value), this.nodeSeen, mark, this.found, true);
    else if (Array.isArray(value)) for (let i = 0; i < value.length; i++) this.searchLeaves(value[i], mark);
    else if (value !== null && typeof value === 'object')
      for (const k in value) {
        if (!Object.prototype.hasOwnProperty.call(value, k)) continue;
        const id = this.keyIds.get(k);
        if (id !== undefined && this.literalSeen[id] !== mark) {
          this.literalSeen[id] = mark;
          this.found.push(id);
        }
        this.searchLeaves((value as Record<string, unknown>)[k], mark);
      }
  }
}

/** Each clause has a literal marked as found. */
function allHold(clauses: Int32Array[], literalSeen: Int32Array, mark: number): boolean {
  for (let c = 0; c < clauses.length; c++) {
    const clause = clauses[c] as Int32Array;
    let held = false;
    for (let k = 0; k < clause.length && !held; k++) held = literalSeen[clause[k] as number] === mark;
    if (!held) return false;
  }
  return true;
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
