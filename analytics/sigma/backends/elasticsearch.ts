// Elasticsearch / OpenSearch query DSL. Fields are keyword fields; case-insensitivity uses
// `case_insensitive: true` on term/prefix/wildcard/regexp (ES ≥ 7.10, OpenSearch ≥ 1.0).
import type { CompareOp, StringToken } from '../model';
import type { ProcessedRule, ProcessingPipeline } from '../pipeline';
import { SigmaBackend, type ValueContext } from './base';

export type EsQuery = Record<string, unknown>;

export interface EsSearch {
  /** Index pattern from the pipeline state (`set_state index`), else the backend default. */
  index: string;
  query: EsQuery;
}

export interface EsBackendOptions {
  pipelines?: readonly ProcessingPipeline[];
  defaultIndex?: string;
  /** Field searched by keyword (field-less) detections: the raw event, default `event.original`. */
  keywordField?: string;
  /** Searched instead when an event has no keywordField (see README.md); default `message`. */
  keywordFallbackField?: string;
}

export class ElasticsearchBackend extends SigmaBackend<EsQuery, EsSearch> {
  readonly name = 'elasticsearch';
  private readonly defaultIndex: string;
  private readonly keywordField: string;
  private readonly keywordFallbackField: string;

  constructor(options: EsBackendOptions = {}) {
    super(options.pipelines ?? []);
    this.defaultIndex = options.defaultIndex ?? 'logs-*';
    this.keywordField = options.keywordField ?? 'event.original';
    this.keywordFallbackField = options.keywordFallbackField ?? 'message';
  }

  protected finalize(query: EsQuery, rule: ProcessedRule): EsSearch {
    const index = typeof rule.state.index === 'string' ? rule.state.index : this.defaultIndex;
    return { index, query };
  }

  protected and(items: EsQuery[]): EsQuery {
    return { bool: { filter: items.flatMap((q) => (isOnly(q, 'filter') ? (q.bool as { filter: EsQuery[] }).filter : [q])) } };
  }
  protected or(items: EsQuery[]): EsQuery {
    const should = items.flatMap((q) => (isOnly(q, 'should', 'minimum_should_match') ? (q.bool as { should: EsQuery[] }).should : [q]));
    return { bool: { should, minimum_should_match: 1 } };
  }
  protected not(item: EsQuery): EsQuery {
    return { bool: { must_not: [item] } };
  }

  /** Only text with cased letters needs it; `ip` and numeric fields reject case_insensitive terms. */
  private ci(ctx: { cased: boolean }, text: string): { case_insensitive?: true } {
    return ctx.cased || text.toLowerCase() === text.toUpperCase() ? {} : { case_insensitive: true };
  }

  protected override stringExact(text: string, ctx: ValueContext): EsQuery {
    return { term: { [ctx.field]: { value: text, ...this.ci(ctx, text) } } };
  }
  protected override stringPrefix(text: string, ctx: ValueContext): EsQuery {
    return { prefix: { [ctx.field]: { value: text, ...this.ci(ctx, text) } } };
  }
  protected stringWildcard(tokens: StringToken[], ctx: ValueContext): EsQuery {
    const value = wildcardText(tokens);
    return { wildcard: { [ctx.field]: { value, ...this.ci(ctx, value) } } };
  }
  protected numberEquals(value: number, ctx: ValueContext): EsQuery {
    return { term: { [ctx.field]: value } };
  }
  protected booleanEquals(value: boolean, ctx: ValueContext): EsQuery {
    return { term: { [ctx.field]: value } };
  }
  protected isNull(ctx: ValueContext): EsQuery {
    return { bool: { must_not: [{ exists: { field: ctx.field } }] } };
  }
  protected exists(ctx: ValueContext): EsQuery {
    return { exists: { field: ctx.field } };
  }
  protected regex(pattern: string, flags: { i: boolean; m: boolean; s: boolean }, ctx: ValueContext): EsQuery {
    let value: string;
    try {
      value = luceneRegex(pattern.replace(/^\(\?i\)/, ''));
      const risk = determinizationRisk(pattern.replace(/^\(\?i\)/, ''));
      if (risk) throw new LuceneRegexError(risk);
    } catch (e) {
      if (!(e instanceof LuceneRegexError)) throw e;
      return this.unsupported(`the regular expression ${pattern} in Lucene syntax (${e.message})`, ctx);
    }
    const i = flags.i || pattern.startsWith('(?i)');
    return { regexp: { [ctx.field]: { value, flags: 'NONE', ...(i ? { case_insensitive: true } : {}) } } };
  }
  protected cidr(network: string, prefix: number, _version: 4 | 6, ctx: ValueContext): EsQuery {
    // A term query on an `ip` field accepts CIDR notation.
    return { term: { [ctx.field]: `${network}/${prefix}` } };
  }
  protected compare(op: CompareOp, value: number, ctx: ValueContext): EsQuery {
    return { range: { [ctx.field]: { [op]: value } } };
  }
  protected keyword(tokens: StringToken[], ctx: Omit<ValueContext, 'field'>): EsQuery {
    const wrapped = `${tokens[0]?.kind === 'any' ? '' : '*'}${wildcardText(tokens)}${tokens[tokens.length - 1]?.kind === 'any' ? '' : '*'}`;
    const on = (field: string): EsQuery => ({ wildcard: { [field]: { value: wrapped, ...this.ci(ctx, wrapped) } } });
    // The raw event: keywordField when the event has it, else the fallback field. The matcher's
    // last resort — every value of an event that has neither — is left out here: a regular
    // expression over every field of every document trips the engines' circuit breakers and
    // clause limits for rules of many keywords, and every event CitySOC stores keeps its original.
    return {
      bool: {
        should: [
          { bool: { filter: [{ exists: { field: this.keywordField } }, on(this.keywordField)] } },
          {
            bool: {
              must_not: [{ exists: { field: this.keywordField } }],
              filter: [{ exists: { field: this.keywordFallbackField } }, on(this.keywordFallbackField)],
            },
          },
        ],
        minimum_should_match: 1,
      },
    };
  }
}

function isOnly(q: EsQuery, ...keys: string[]): boolean {
  const b = q.bool as Record<string, unknown> | undefined;
  return Object.keys(q).length === 1 && b !== undefined && Object.keys(b).every((k) => keys.includes(k));
}

/** ES wildcard syntax: `*`, `?`, and `\` escaping of literal specials. */
export function wildcardText(tokens: StringToken[]): string {
  return tokens.map((t) => (t.kind === 'literal' ? t.text.replace(/[\\*?]/g, '\\$&') : t.kind === 'any' ? '*' : t.kind === 'one' ? '?' : '')).join('');
}

/** A Sigma (PCRE) regex Lucene's RegExp cannot express with the same meaning. */
export class LuceneRegexError extends Error {}

const LUCENE_CLASS_ESCAPES = 'dDsSwW';
const RAW_ESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r' };

/**
 * Lucene regexps always match the whole term, Sigma's (PCRE) search anywhere: unanchored ends
 * get `.*`, explicit anchors are dropped, a top-level alternation is grouped first (else `.*`
 * would bind to its first and last branch only). `"` is quoted because Lucene treats it as a
 * string delimiter. Throws LuceneRegexError for what Lucene lacks or reads differently:
 * anchors inside the pattern, `(?` groups and lookarounds, lazy/possessive quantifiers,
 * back-references and word boundaries (Lucene takes `\b` for an unknown character class).
 */
export function luceneRegex(pattern: string): string {
  let p = pattern;
  const anchoredStart = p.startsWith('^');
  const anchoredEnd = p.endsWith('$') && !p.endsWith('\\$');
  if (anchoredStart) p = p.slice(1);
  if (anchoredEnd) p = p.slice(0, -1);
  let out = '';
  let depth = 0;
  let topLevelAlternation = false;
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i] as string;
    const next = p[i + 1] ?? '';
    if (c === '\\') {
      if (/[A-Za-z0-9]/.test(next) && !LUCENE_CLASS_ESCAPES.includes(next)) {
        const raw = RAW_ESCAPES[next];
        if (raw === undefined) throw new LuceneRegexError(`escape \\${next}`);
        out += raw;
      } else out += c + next;
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c === '"' ? '\\"' : c;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') {
      depth++;
      // Capturing or not makes no difference to whether a term matches.
      if (next === '?' && p[i + 2] === ':') {
        out += '(';
        i += 2;
        continue;
      }
      if (next === '?') throw new LuceneRegexError('lookarounds and inline flags');
    } else if (c === ')') depth--;
    else if (c === '|' && depth === 0) topLevelAlternation = true;
    else if (c === '^' || c === '$') throw new LuceneRegexError(`anchor ${c} inside the pattern`);
    else if ('*+?}'.includes(c) && (next === '?' || next === '+')) throw new LuceneRegexError('lazy or possessive quantifiers');
    out += c === '"' ? '\\"' : c;
  }
  if (topLevelAlternation && (anchoredStart || anchoredEnd)) throw new LuceneRegexError('anchors on a top-level alternation');
  if (topLevelAlternation) out = `(${out})`;
  return `${anchoredStart ? '' : '.*'}${out}${anchoredEnd ? '' : '.*'}`;
}

/** Counted repetitions with an upper bound above this, followed by required pattern, are refused. */
export const MAX_FLOATING_REPETITION = 32;

type RegexAtom = { kind: 'char' } | { kind: 'class' } | { kind: 'group'; alternatives: RegexItem[][] };
interface RegexItem {
  atom: RegexAtom;
  min: number;
  max: number;
}

/**
 * Heuristic guard against Lucene's determinization limit (ES/OpenSearch refuse a regexp whose
 * automaton needs more than 10,000 determinization effort, at query time). Lucene copies the
 * atom of `{m,n}` n times; when that atom can match more than one character (a class, `.`, a
 * group) and required pattern follows it, the floating `.*` our conversion adds in front makes
 * the DFA track every position the repetition may have started at: up to 2^n states. So: a
 * counted repetition over more than one character with an upper bound above
 * MAX_FLOATING_REPETITION, followed by anything that cannot match empty, is refused. A trailing
 * repetition (`\\[^\\]{1,256}$`, `\w{1,64}(?:-p)?`) stays linear and is accepted. Returns the reason, or
 * undefined. `pattern` is the Sigma (PCRE) source; unparsable patterns are left to luceneRegex.
 */
export function determinizationRisk(pattern: string): string | undefined {
  let p = pattern;
  if (p.startsWith('^')) p = p.slice(1);
  if (p.endsWith('$') && !p.endsWith('\\$')) p = p.slice(0, -1);
  let i = 0;
  const parseAlternatives = (): RegexItem[][] => {
    const alts: RegexItem[][] = [[]];
    while (i < p.length && p[i] !== ')') {
      const c = p[i] as string;
      if (c === '|') {
        alts.push([]);
        i++;
        continue;
      }
      let atom: RegexAtom;
      if (c === '\\') {
        atom = /[dDsSwW]/.test(p[i + 1] ?? '') ? { kind: 'class' } : { kind: 'char' };
        i += 2;
      } else if (c === '[') {
        let j = i + 1;
        if (p[j] === '^') j++;
        if (p[j] === ']') j++;
        while (j < p.length && p[j] !== ']') j += p[j] === '\\' ? 2 : 1;
        atom = { kind: 'class' };
        i = j + 1;
      } else if (c === '(') {
        i++;
        if (p[i] === '?') i += p[i + 1] === '<' ? 3 : 2;
        atom = { kind: 'group', alternatives: parseAlternatives() };
        i++;
      } else {
        atom = c === '.' ? { kind: 'class' } : { kind: 'char' };
        i++;
      }
      let [min, max] = [1, 1];
      const q = p[i];
      if (q === '?') [min, max, i] = [0, 1, i + 1];
      else if (q === '*') [min, max, i] = [0, Infinity, i + 1];
      else if (q === '+') [min, max, i] = [1, Infinity, i + 1];
      else if (q === '{') {
        const m = /^\{(\d*)(,?)(\d*)\}/.exec(p.slice(i));
        if (m) {
          min = Number(m[1] || 0);
          max = m[2] ? (m[3] ? Number(m[3]) : Infinity) : min;
          i += m[0].length;
        }
      }
      (alts[alts.length - 1] as RegexItem[]).push({ atom, min, max });
    }
    return alts;
  };
  const alternatives = parseAlternatives();
  const check = (seq: RegexItem[], followRequired: boolean): string | undefined => {
    for (let k = 0; k < seq.length; k++) {
      const item = seq[k] as RegexItem;
      const restRequired = followRequired || seq.slice(k + 1).some((x) => x.min > 0);
      if (item.atom.kind !== 'char' && Number.isFinite(item.max) && item.max > MAX_FLOATING_REPETITION && restRequired)
        return `a repetition {${item.min},${item.max}} followed by more pattern would exceed Lucene's determinization limit`;
      if (item.atom.kind === 'group') {
        const inner = restRequired || item.max > 1;
        for (const alt of item.atom.alternatives) {
          const r = check(alt, inner);
          if (r) return r;
        }
      }
    }
    return undefined;
  };
  for (const alt of alternatives) {
    const r = check(alt, false);
    if (r) return r;
  }
  return undefined;
}
