// What any event a rule matches must contain, as clauses that must all hold: text clauses (one
// of the lowercase literals occurs in a scalar of one of the clause's fields, or of any field for
// keywords) and field clauses (one of the keys names a property somewhere in the event). Lets the RuleSet skip rules cheaply.
// Soundness is all that matters here: a clause may only be listed if every event the JS matcher
// accepts satisfies it; listing fewer clauses, or more literals in one, is always safe.
import type { ConditionNode, FieldCondition, SigmaValue } from '../model';
import type { ProcessedRule } from '../pipeline';

/** At least one of `literals` occurs. `weak` when it only comes from a pipeline's condition. */
export interface LiteralClause {
  /** 'text': lowercase literals searched in every scalar; 'field': property names searched in every object. */
  kind: 'text' | 'field';
  literals: string[];
  weak: boolean;
  /** Text clauses: the field paths whose values hold a literal; absent when it may be any (keywords). */
  fields?: string[];
}

/** Clauses that all hold; the empty list requires nothing. */
type Cnf = Clause[];
interface Clause {
  kind: 'text' | 'field';
  lits: Set<string>;
  weak: boolean;
  /** Text clauses: where the literals are found; null for anywhere. */
  fields: Set<string> | null;
  /** Higher is more selective (see `make`). */
  score: number;
  /** Identity of the clause, for removing repeats. */
  key: string;
}

/** Bounds on what a rule keeps: more clauses add selectivity but cost memory and checks. */
const MAX_CLAUSES = 6;
const MAX_PRODUCT = 8;

/** The rule's clauses, the most selective first; empty when nothing is required. */
export function requiredClauses(rule: ProcessedRule): LiteralClause[] {
  const text = anyOf(rule.detection.conditions.map((c) => nodeNeed(c, rule, textNeed)));
  const fields = anyOf(rule.detection.conditions.map((c) => nodeNeed(c, rule, fieldNeed)));
  return ranked([...text, ...fields])
    .slice(0, MAX_CLAUSES + 2)
    .map((c) => ({ kind: c.kind, literals: [...c.lits], weak: c.weak, ...(c.kind === 'text' && c.fields ? { fields: [...c.fields].sort() } : {}) }));
}

type LeafNeed = (fc: FieldCondition) => Cnf;

function nodeNeed(node: ConditionNode, rule: ProcessedRule, leaf: LeafNeed): Cnf {
  switch (node.kind) {
    case 'not':
      return [];
    case 'and': {
      // Conditions added by pipelines (Channel, EventID) hold in most events of their source,
      // so their clauses are weak: the clauses of last resort.
      const parts = node.args.map((a) => {
        const cnf = nodeNeed(a, rule, leaf);
        return a.kind === 'ref' && a.name.startsWith('_pipeline_') ? cnf.map((c) => make(c.kind, c.lits, true, c.fields)) : cnf;
      });
      return allOf(parts);
    }
    case 'or':
      return anyOf(node.args.map((a) => nodeNeed(a, rule, leaf)));
    case 'ref':
      return identifierNeed(node.name, rule, leaf);
    case 'of': {
      const parts = node.names.map((n) => identifierNeed(n, rule, leaf));
      return node.quantifier === 'all' ? allOf(parts) : anyOf(parts);
    }
  }
}

function identifierNeed(name: string, rule: ProcessedRule, leaf: LeafNeed): Cnf {
  const si = rule.detection.identifiers[name];
  if (!si) return [];
  return anyOf(si.anyOf.map((conj) => allOf(conj.map(leaf))));
}

function textNeed(fc: FieldCondition): Cnf {
  if (fc.negated || fc.timePart) return [];
  // The values' literals are found in this field's values (a keyword's anywhere).
  const where = fc.field === null ? null : new Set([fc.field]);
  const perValue = fc.values.map((v) => valueNeed(v, fc.cased).map((c) => make(c.kind, c.lits, c.weak, where)));
  return fc.linking === 'and' ? allOf(perValue) : anyOf(perValue);
}

/**
 * A field condition that only holds when its field resolves to some value needs the property
 * the field path ends in: `a.b.c` is found as `c` (nested), `b.c` or `a.b.c` (flat dotted keys).
 * Only `null` and `exists: false` hold for an absent field (and anything under `neq`).
 */
function fieldNeed(fc: FieldCondition): Cnf {
  if (fc.field === null || fc.negated) return [];
  const needs = fc.values.map((v) => v.type !== 'null' && !(v.type === 'exists' && !v.value));
  const required = fc.linking === 'and' ? needs.some((n) => n) : needs.length > 0 && needs.every((n) => n);
  if (!required) return [];
  const parts = fc.field.split('.');
  return [make('field', new Set(parts.map((_, i) => parts.slice(i).join('.'))), false, null)];
}

/** A text clause found anywhere; textNeed narrows it to its field. */
const clause = (lits: Iterable<string>): Clause => make('text', new Set(lits), false, null);

function valueNeed(v: SigmaValue, cased: boolean): Cnf {
  switch (v.type) {
    case 'string': {
      let longest = '';
      for (const t of v.tokens) if (t.kind === 'literal' && t.text.length > longest.length) longest = t.text;
      // A cased match of text holding Σ need not survive lowercasing (final sigma lowercases by context).
      if (!longest || (cased && longest.includes('\u03a3'))) return [];
      return [clause([longest.toLowerCase()])];
    }
    // The JS matcher equates numbers with decimal text, which contains the digits of String(n)
    // when that is plain decimal too (not 1e+21 or 1e-7); the sign is left out, as '-007' is -7.
    // Known gap (as before clauses): text with more than 15 significant digits can round to n
    // without containing them ('4623.99999999999999999' is 4624).
    case 'number': {
      const text = String(Math.abs(v.value));
      return /^\d+(\.\d+)?$/.test(text) ? [clause([text])] : [];
    }
    case 'boolean':
      return [clause([String(v.value)])];
    case 'regex':
      return regexNeed(v.pattern);
    default:
      return [];
  }
}

/** AND: every part's clauses hold. */
function allOf(parts: Cnf[]): Cnf {
  const out: Cnf = [];
  const seen = new Set<string>();
  for (const part of parts)
    for (const c of part) {
      if (seen.has(c.key)) continue;
      seen.add(c.key);
      out.push(c);
    }
  return ranked(out).slice(0, MAX_CLAUSES);
}

/**
 * OR: a clause of the result must hold whichever branch holds, so it joins one clause of each
 * branch; all such joins while they are few, else the join of each branch's best clause.
 */
function anyOf(parts: Cnf[]): Cnf {
  if (parts.length === 0 || parts.some((p) => p.length === 0)) return [];
  if (parts.length === 1) return parts[0] as Cnf;
  const best = (p: Cnf): Clause => p.reduce((a, b) => (b.score > a.score ? b : a));
  // Choices of one clause per branch, joined once at the end (joining as we go is quadratic).
  let choices: Clause[][] = [[]];
  for (const part of parts) {
    if (choices.length * part.length > MAX_PRODUCT) return [join(parts.map(best))];
    if (part.length === 1) for (const c of choices) c.push(part[0] as Clause);
    else choices = choices.flatMap((c) => part.map((b) => [...c, b]));
  }
  return allOf([choices.map(join)]);
}

function join(clauses: Clause[]): Clause {
  const lits = new Set<string>();
  for (const c of clauses) for (const s of c.lits) lits.add(s);
  // Found in any of the joined clauses' fields; anywhere when one of them is.
  let fields: Set<string> | null = new Set<string>();
  for (const c of clauses)
    if (c.fields === null) fields = null;
    else if (fields) for (const f of c.fields) fields.add(f);
  return make(
    clauses[0]?.kind ?? 'text',
    lits,
    clauses.some((c) => c.weak),
    clauses[0]?.kind === 'field' ? null : fields,
  );
}

/** Most selective first. */
function ranked(cnf: Cnf): Cnf {
  return [...cnf].sort((a, b) => b.score - a.score);
}

/**
 * A clause with its rank: strong before weak; text clauses by their shortest literal (longer is
 * rarer; a non-ASCII unit counts six, such characters being rare in events), fewer literals
 * first; a field clause ranks like a text clause of 2.5 ASCII characters.
 */
function make(kind: Clause['kind'], lits: Set<string>, weak: boolean, fields: Set<string> | null): Clause {
  let shortest = Infinity;
  if (kind === 'text') for (const s of lits) shortest = Math.min(shortest, rarity(s));
  const length = kind === 'field' ? 2.5 : Math.min(shortest, 1000);
  const score = (weak ? 0 : 1e9) + length * 1000 - Math.min(lits.size, 999);
  // Keyed by the literals alone: of two clauses with the same literals, either one is enough.
  return { kind, lits, weak, fields, score, key: `${kind}\u0000${[...lits].sort().join('\u0000')}` };
}

function rarity(literal: string): number {
  let n = 0;
  for (let i = 0; i < literal.length; i++) n += literal.charCodeAt(i) < 128 ? 1 : 6;
  return n;
}

/**
 * Literal runs every match of a JavaScript regex (non-unicode mode, as toJsRegex builds them)
 * contains. Only printable ASCII outside escapes, classes and groups counts; anything unclear
 * ends the run (always safe). An ASCII run the regex matches, even case-insensitively, appears
 * lowercased in the lowercased text. Top-level alternatives are OR-ed; groups are opaque.
 */
export function regexNeed(pattern: string): Cnf {
  const alternatives = splitTopLevel(pattern);
  if (!alternatives) return [];
  return anyOf(alternatives.map(sequenceNeed));
}

const LITERAL = /^[A-Za-z0-9 !"#%&',\-/:;<=>@_`~]$/;

/** Splits at top-level `|`; undefined when the pattern does not scan cleanly. */
function splitTopLevel(source: string): string[] | undefined {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (c === '[') {
      const end = classEnd(source, i);
      if (end < 0) return undefined;
      i = end;
    } else if (c === '(') depth++;
    else if (c === ')') {
      if (--depth < 0) return undefined;
    } else if (c === '|' && depth === 0) {
      out.push(source.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) return undefined;
  out.push(source.slice(start));
  return out;
}

/** Index of the `]` closing the class opened at `open`, or -1. */
function classEnd(source: string, open: number): number {
  for (let i = open + 1; i < source.length; i++) {
    if (source[i] === '\\') i++;
    else if (source[i] === ']') return i;
  }
  return -1;
}

/** Index of the `)` closing the group opened at `open`, or -1. */
function groupEnd(source: string, open: number): number {
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (c === '[') {
      i = classEnd(source, i);
      if (i < 0) return -1;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
}

/** Clauses of one alternative (no top-level `|`): each maximal literal run is required. */
function sequenceNeed(source: string): Cnf {
  const runs: string[] = [];
  let run = '';
  const end = (): void => {
    if (run) runs.push(run);
    run = '';
  };
  let i = 0;
  while (i < source.length) {
    // One atom: a literal character, or something opaque.
    let literal: string | undefined;
    const c = source[i] as string;
    if (c === '\\') {
      const n = source[i + 1];
      if (n === undefined) return [];
      i += 2;
      // Escaped ASCII punctuation is that character (identity escape).
      if (/^[\x20-\x7e]$/.test(n) && !/[A-Za-z0-9]/.test(n)) literal = n;
      // \d \w \b \xHH \uHHHH \cX \1 \k<name>…: opaque, with every character the escape may consume.
      else if (n === 'x') i += hexRun(source, i, 2);
      else if (n === 'u') i += hexRun(source, i, 4);
      else if (n === 'c' && /[A-Za-z]/.test(source[i] ?? '')) i++;
      else if (/[0-9]/.test(n)) while (/[0-9]/.test(source[i] ?? '')) i++;
      else if (n === 'k' && source[i] === '<') {
        const close = source.indexOf('>', i);
        i = close < 0 ? source.length : close + 1;
      }
    } else if (c === '[') {
      const e = classEnd(source, i);
      if (e < 0) return [];
      i = e + 1;
    } else if (c === '(') {
      const e = groupEnd(source, i);
      if (e < 0) return [];
      i = e + 1;
    } else if (c === '*' || c === '+' || c === '?' || c === ')' || c === '|') {
      return []; // a quantifier with nothing to repeat, or a stray bracket: not a regex we read
    } else {
      if (LITERAL.test(c)) literal = c.toLowerCase();
      i++;
    }
    // Its quantifier, if any.
    let min = 1;
    let max = 1;
    let quantified = true;
    const q = source[i];
    const braces = q === '{' ? /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i)) : null;
    if (q === '*' || q === '?') {
      min = 0;
      max = q === '?' ? 1 : Infinity;
      i++;
    } else if (q === '+') {
      max = Infinity;
      i++;
    } else if (braces) {
      min = Number(braces[1]);
      max = braces[2] === undefined ? min : braces[3] ? Number(braces[3]) : Infinity;
      i += braces[0].length;
    } else quantified = false;
    if (quantified && source[i] === '?') i++; // lazy
    if (literal === undefined || min === 0) end();
    else if (max === 1 && min === 1) run += literal;
    else {
      run += literal;
      end();
    }
  }
  end();
  return runs.map((r) => clause([r]));
}

function hexRun(source: string, from: number, most: number): number {
  let n = 0;
  while (n < most && /[0-9A-Fa-f]/.test(source[from + n] ?? '')) n++;
  return n;
}
