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
  /** Field searched by keyword (field-less) detections. */
  keywordField?: string;
}

export class ElasticsearchBackend extends SigmaBackend<EsQuery, EsSearch> {
  readonly name = 'elasticsearch';
  private readonly defaultIndex: string;
  private readonly keywordField: string;

  constructor(options: EsBackendOptions = {}) {
    super(options.pipelines ?? []);
    this.defaultIndex = options.defaultIndex ?? 'logs-*';
    this.keywordField = options.keywordField ?? 'event.original';
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

  private ci(ctx: { cased: boolean }): { case_insensitive?: true } {
    return ctx.cased ? {} : { case_insensitive: true };
  }

  protected override stringExact(text: string, ctx: ValueContext): EsQuery {
    return { term: { [ctx.field]: { value: text, ...this.ci(ctx) } } };
  }
  protected override stringPrefix(text: string, ctx: ValueContext): EsQuery {
    return { prefix: { [ctx.field]: { value: text, ...this.ci(ctx) } } };
  }
  protected stringWildcard(tokens: StringToken[], ctx: ValueContext): EsQuery {
    return { wildcard: { [ctx.field]: { value: wildcardText(tokens), ...this.ci(ctx) } } };
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
    return { regexp: { [ctx.field]: { value: luceneRegex(pattern), flags: 'NONE', ...(flags.i ? { case_insensitive: true } : {}) } } };
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
    return { wildcard: { [this.keywordField]: { value: wrapped, ...this.ci(ctx) } } };
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

/**
 * Lucene regexps always match the whole term, Sigma's (PCRE) search anywhere: unanchored ends
 * get `.*`, explicit anchors are dropped. `"` is quoted because Lucene treats it as a string delimiter.
 */
export function luceneRegex(pattern: string): string {
  let p = pattern;
  const anchoredStart = p.startsWith('^');
  const anchoredEnd = p.endsWith('$') && !p.endsWith('\\$');
  if (anchoredStart) p = p.slice(1);
  if (anchoredEnd) p = p.slice(0, -1);
  p = p.replace(/"/g, '\\"');
  return `${anchoredStart ? '' : '.*'}${p}${anchoredEnd ? '' : '.*'}`;
}
