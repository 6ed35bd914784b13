// The prefilter of a rule set (ruleset.ts): which rules an event may match, from the literals
// and property names each rule needs (literals.ts). Its tables can be kept and restored (the
// compiled-rule cache does), since building the automaton is most of what a start costs.
import { AhoCorasick, IdList, type AutomatonTables } from './aho-corasick';
import type { SigmaEvent } from './fieldpath';
import type { LiteralClause } from './literals';

/** Everything a prefilter is made of: the automaton's tables and the rule tables, all typed arrays but the key names. */
export interface PrefilterTables {
  /** Every text literal (pattern i is literal id i), searched in the values of `scanFields`. */
  automaton: AutomatonTables;
  /** The field paths text clauses name: only their values are searched with `automaton`. */
  scanFields: string[];
  /** The literals of clauses that may be found anywhere (keywords), their ids as reported, searched in every other value. */
  anywhere?: AutomatonTables;
  /** Property names field clauses ask for, their ids following the automaton's pattern ids. */
  keys: string[];
  ruleCount: number;
  triggerStart: Int32Array;
  triggerRules: Int32Array;
  /** Rule r's other clauses are clauses restStart[r]..restStart[r+1]; clause c holds ids clauseStart[c]..clauseStart[c+1]. */
  restStart: Int32Array;
  clauseStart: Int32Array;
  clauseIds: Int32Array;
  always: Int32Array;
}

/** Builds the tables of a prefilter over these rules' clauses (in rule order). */
export function prefilterTables(clausesByRule: readonly LiteralClause[][]): PrefilterTables {
  // An empty literal is in every text; its clause holds trivially.
  const usable = clausesByRule.map((clauses) => clauses.filter((c) => c.literals.length > 0 && !c.literals.includes('')));
  const textIds = new Map<string, number>();
  const keyIds = new Map<string, number>();
  for (const clauses of usable)
    for (const c of clauses) if (c.kind === 'text') for (const lit of c.literals) if (!textIds.has(lit)) textIds.set(lit, textIds.size);
  for (const clauses of usable)
    for (const c of clauses) if (c.kind === 'field') for (const key of c.literals) if (!keyIds.has(key)) keyIds.set(key, textIds.size + keyIds.size);
  const ids = textIds.size + keyIds.size;
  const idsOf = (c: LiteralClause): Int32Array => Int32Array.from(c.literals, (lit) => (c.kind === 'text' ? textIds : keyIds).get(lit) as number);
  const triggers: number[][] = [];
  const always: number[] = [];
  const restStart = new Int32Array(usable.length + 1);
  const clauseStart: number[] = [0];
  const clauseIds: number[] = [];
  usable.forEach((clauses, r) => {
    const [first, ...others] = clauses;
    if (!first) always.push(r);
    else {
      for (const id of idsOf(first)) (triggers[id] ??= []).push(r);
      // Smaller clauses first: cheaper to check, and the likelier to fail.
      for (const clause of others.map(idsOf).sort((a, b) => a.length - b.length)) {
        clauseIds.push(...clause);
        clauseStart.push(clauseIds.length);
      }
    }
    restStart[r + 1] = clauseStart.length - 1;
  });
  const triggerStart = new Int32Array(ids + 1);
  let n = 0;
  for (let id = 0; id < ids; id++) {
    triggerStart[id] = n;
    n += triggers[id]?.length ?? 0;
  }
  triggerStart[ids] = n;
  const triggerRules = new Int32Array(n);
  triggers.forEach((rules, id) => triggerRules.set(rules, triggerStart[id] as number));
  const scanFields = new Set<string>();
  const anywhere = new Set<string>();
  for (const clauses of usable)
    for (const c of clauses)
      if (c.kind === 'text')
        if (c.fields) for (const f of c.fields) scanFields.add(f);
        else for (const lit of c.literals) anywhere.add(lit);
  return {
    automaton: new AhoCorasick([...textIds.keys()]).tables(),
    scanFields: [...scanFields].sort(),
    ...(anywhere.size > 0 ? { anywhere: anywhereAutomaton([...anywhere], textIds) } : {}),
    keys: [...keyIds.keys()],
    ruleCount: clausesByRule.length,
    triggerStart,
    triggerRules,
    restStart,
    clauseStart: Int32Array.from(clauseStart),
    clauseIds: Int32Array.from(clauseIds),
    always: Int32Array.from(always),
  };
}

/** An automaton over some literals that reports their ids among all text literals. */
function anywhereAutomaton(literals: string[], textIds: ReadonlyMap<string, number>): AutomatonTables {
  const t = new AhoCorasick(literals).tables();
  return { ...t, outIds: Int32Array.from(t.outIds, (pattern) => textIds.get(literals[pattern] as string) as number) };
}

/** The field paths to search, as a tree of path segments. */
class ScanPath {
  scan = false;
  readonly children = new Map<string, ScanPath>();

  static of(fields: readonly string[]): ScanPath {
    const root = new ScanPath();
    for (const field of fields) {
      let node = root;
      for (const part of field.split('.')) {
        let next = node.children.get(part);
        if (!next) node.children.set(part, (next = new ScanPath()));
        node = next;
      }
      node.scan = true;
    }
    return root;
  }

  /** Where a property leads: its own name, or a dotted name's segments (the matcher reads `{"a.b": x}` as a.b). */
  child(key: string): ScanPath | undefined {
    const direct = this.children.get(key);
    if (direct !== undefined || key.indexOf('.') < 0) return direct;
    let node: ScanPath | undefined = this as ScanPath;
    for (const part of key.split('.')) {
      node = node.children.get(part);
      if (!node) return undefined;
    }
    return node;
  }
}

/**
 * The prefilter of a rule set: one automaton over every text literal, run on the values of the
 * fields text clauses name (another, over keyword literals, on every other value), a table of the property
 * names field clauses ask for, the rules each literal or name triggers (as their first clause),
 * and each rule's other clauses as ids. Per-event state lives in typed arrays stamped with an
 * event number, so matching allocates nothing here beyond the candidate list it returns (reused
 * from event to event).
 */
export class Prefilter {
  private readonly automaton: AhoCorasick;
  private readonly paths: ScanPath;
  private readonly anywhere?: AhoCorasick;
  private readonly anywhereSeen = new Int32Array(0);
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

  constructor(readonly tables: PrefilterTables) {
    this.automaton = AhoCorasick.fromTables(tables.automaton);
    this.paths = ScanPath.of(tables.scanFields);
    if (tables.anywhere) {
      this.anywhere = AhoCorasick.fromTables(tables.anywhere);
      this.anywhereSeen = new Int32Array(this.anywhere.nodeCount);
    }
    const patterns = this.automaton.patternCount;
    tables.keys.forEach((key, i) => this.keyIds.set(key, patterns + i));
    const ids = patterns + tables.keys.length;
    if (tables.triggerStart.length !== ids + 1 || tables.restStart.length !== tables.ruleCount + 1) throw new Error('prefilter tables do not fit together');
    this.triggerStart = tables.triggerStart;
    this.triggerRules = tables.triggerRules;
    this.always = tables.always;
    const { restStart, clauseStart, clauseIds } = tables;
    this.rest = Array.from({ length: tables.ruleCount }, (_, r) => {
      const from = restStart[r] as number;
      const to = restStart[r + 1] as number;
      if (from === to) return undefined;
      const out: Int32Array[] = [];
      for (let c = from; c < to; c++) out.push(clauseIds.subarray(clauseStart[c], clauseStart[c + 1]));
      return out;
    });
    this.nodeSeen = new Int32Array(this.automaton.nodeCount);
    this.literalSeen = new Int32Array(ids);
    this.ruleSeen = new Int32Array(tables.ruleCount);
    this.scratch = new Int32Array(Math.max(16, this.always.length * 2));
  }

  /** Rules whose every clause has a literal in the event, ascending; valid until the next call. */
  candidates(event: SigmaEvent): Int32Array {
    if (++this.mark === 0x7fffffff) {
      this.nodeSeen.fill(0);
      this.anywhereSeen.fill(0);
      this.literalSeen.fill(0);
      this.ruleSeen.fill(0);
      this.mark = 1;
    }
    const mark = this.mark;
    const found = this.found;
    found.clear();
    this.searchLeaves(event, this.paths, mark);
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

  /**
   * Searches every scalar of the event, lowercased, as its own text: with the automaton of every
   * literal under the fields text clauses name (`at`), else with that of the keyword literals;
   * and notes every property name.
   */
  private searchLeaves(value: unknown, at: ScanPath | undefined, mark: number): void {
    if (typeof value === 'object') {
      if (value === null) return;
      if (Array.isArray(value)) for (let i = 0; i < value.length; i++) this.searchLeaves(value[i], at, mark);
      else
        for (const k in value) {
          if (!Object.prototype.hasOwnProperty.call(value, k)) continue;
          const id = this.keyIds.get(k);
          if (id !== undefined && this.literalSeen[id] !== mark) {
            this.literalSeen[id] = mark;
            this.found.push(id);
          }
          this.searchLeaves((value as Record<string, unknown>)[k], at?.child(k), mark);
        }
      return;
    }
    const scan = at?.scan === true;
    const automaton = scan ? this.automaton : this.anywhere;
    if (!automaton) return;
    const seen = scan ? this.nodeSeen : this.anywhereSeen;
    if (typeof value === 'string') {
      if (!automaton.search(value, seen, mark, this.found, true)) automaton.search(value.toLowerCase(), seen, mark, this.found);
    } else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
      automaton.search(String(value), seen, mark, this.found, true);
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
