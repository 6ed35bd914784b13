// Events derived from a rule's own detection, after its pipeline ran (so field names are the
// target shape's: Event.EventData.CommandLine for the windows pipeline, process.command_line
// for ecs). Each variant picks other OR branches and values and writes literals in another
// case and with other filler, so a good share of rules hit; near misses then break one
// literal, drop one field, or also satisfy the rule's `not` filters. Whether an event really
// matches is for the engines to say: the generator is only a source of interesting events.
import { toJsRegex } from '../sigma/backends/regex';
import type { ConditionNode, FieldCondition, SigmaValue, StringToken } from '../sigma/model';
import type { ProcessedRule } from '../sigma/pipeline';
import { sampleRegex } from './regex-sample';

type Doc = Record<string, unknown>;
interface Assigned {
  value: unknown;
  /** The rule literal inside value, which a near miss breaks. */
  literal?: string;
}
type Assignment = Map<string | null, Assigned>;

interface Walk {
  variant: number;
  /** Satisfy the inside of `not` too: the event then trips the rule's filter. */
  negated: boolean;
}

/** Filler standing for `*`, per variant: empty, a word, and characters the engines escape. */
const FILLERS = ['', 'zz', ' \\%_"'];

export function generateEvents(rule: ProcessedRule, variants = 3): Doc[] {
  const out: Doc[] = [];
  const seen = new Set<string>();
  const push = (a: Assignment): void => {
    const doc = toDoc(a);
    const key = JSON.stringify(doc);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(doc);
    }
  };
  for (let v = 0; v < variants; v++) {
    const hit = assign(rule, { variant: v, negated: false });
    push(hit);
    const fields = [...hit.keys()].filter((f) => hit.get(f)?.literal);
    const target = fields[v % Math.max(1, fields.length)];
    if (target !== undefined) {
      push(withChange(hit, target, breakLiteral(hit.get(target) as Assigned)));
      push(withChange(hit, target, undefined));
    }
    push(assign(rule, { variant: v, negated: true }));
  }
  return out;
}

function withChange(a: Assignment, field: string | null, to: Assigned | undefined): Assignment {
  const copy = new Map(a);
  if (to) copy.set(field, to);
  else copy.delete(field);
  return copy;
}

/** Drops the literal's first character: breaks exact, prefix, contains and most suffixes. */
function breakLiteral(a: Assigned): Assigned {
  const lit = a.literal as string;
  return { value: String(a.value).replace(lit, lit.slice(1)) };
}

function assign(rule: ProcessedRule, walk: Walk): Assignment {
  const a: Assignment = new Map();
  for (const c of rule.detection.conditions.slice(0, 1)) node(c, rule, walk, a);
  return a;
}

function node(n: ConditionNode, rule: ProcessedRule, walk: Walk, a: Assignment): void {
  switch (n.kind) {
    case 'and':
      n.args.forEach((x) => node(x, rule, walk, a));
      return;
    case 'or':
      node(pick(n.args, walk.variant), rule, walk, a);
      return;
    case 'not':
      if (walk.negated) node(n.arg, rule, { ...walk, negated: false }, a);
      return;
    case 'ref':
      identifier(n.name, rule, walk, a);
      return;
    case 'of':
      if (n.quantifier === 'all') n.names.forEach((x) => identifier(x, rule, walk, a));
      else identifier(pick(n.names, walk.variant), rule, walk, a);
  }
}

function identifier(name: string, rule: ProcessedRule, walk: Walk, a: Assignment): void {
  const si = rule.detection.identifiers[name];
  if (!si || si.anyOf.length === 0) return;
  for (const fc of pick(si.anyOf, walk.variant)) fieldCondition(fc, walk, a);
}

function fieldCondition(fc: FieldCondition, walk: Walk, a: Assignment): void {
  if (fc.negated) return;
  const chosen = fc.linking === 'and' ? fc.values : [pick(fc.values, walk.variant)];
  const parts = chosen.map((v) => concrete(v, fc, walk.variant)).filter((x): x is Assigned => x !== undefined);
  if (parts.length === 0) return;
  if (parts.length === 1) {
    a.set(fc.field, parts[0] as Assigned);
    return;
  }
  // `|all` on one field: every value inside one string.
  a.set(fc.field, { value: parts.map((p) => String(p.value)).join(' '), ...(parts[0]?.literal ? { literal: parts[0].literal } : {}) });
}

function concrete(v: SigmaValue, fc: FieldCondition, variant: number): Assigned | undefined {
  switch (v.type) {
    case 'string':
      return stringOf(v.tokens, fc.cased, variant);
    case 'number':
      return { value: v.value };
    case 'boolean':
      return { value: v.value };
    case 'compare':
      return { value: v.op === 'gt' ? v.value + 1 : v.op === 'lt' ? v.value - 1 : v.value };
    case 'cidr':
      if (v.version !== 4) return undefined;
      return { value: v.prefix >= 32 ? v.network : v.network.replace(/\.\d+$/, (m) => `.${Number(m.slice(1)) | 1}`) };
    case 'exists':
      // A number: one index holds every event, and a present field may be numeric elsewhere (Event.System.EventID).
      return v.value ? { value: 1 } : undefined;
    case 'regex': {
      const sample = sampleRegex(v.pattern);
      if (sample === undefined) return undefined;
      try {
        return toJsRegex(v.pattern, v.flags).test(sample) ? { value: sample } : undefined;
      } catch {
        return undefined;
      }
    }
    default:
      return undefined;
  }
}

function stringOf(tokens: StringToken[], cased: boolean, variant: number): Assigned | undefined {
  const filler = FILLERS[variant % FILLERS.length] as string;
  let longest = '';
  const text = tokens
    .map((t) => {
      if (t.kind === 'any') return filler;
      if (t.kind === 'one') return 'q';
      if (t.kind !== 'literal') return '';
      if (t.text.length > longest.length) longest = t.text;
      return t.text;
    })
    .join('');
  // Odd variants flip the case: case-insensitive engines must still match.
  const shown = !cased && variant % 2 === 1 ? swapCase(text) : text;
  const literal = !cased && variant % 2 === 1 ? swapCase(longest) : longest;
  return literal ? { value: shown, literal } : { value: shown };
}

function swapCase(s: string): string {
  return [...s].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('');
}

function pick<T>(items: readonly T[], variant: number): T {
  return items[variant % items.length] as T;
}

/** Nested objects from dotted names; a keyword (field null) becomes the raw line. */
function toDoc(a: Assignment): Doc {
  const doc: Doc = {};
  for (const [field, { value }] of a) {
    const path = (field ?? 'event.original').split('.');
    let cur = doc;
    for (const p of path.slice(0, -1)) {
      const next = cur[p];
      if (next === undefined || next === null || typeof next !== 'object') cur[p] = {};
      cur = cur[p] as Doc;
    }
    const leaf = path[path.length - 1] as string;
    // Two keywords, or a keyword and event.original: keep both texts in the one line.
    cur[leaf] = field === null && typeof cur[leaf] === 'string' ? `${cur[leaf] as string} ${String(value)}` : value;
  }
  return doc;
}
