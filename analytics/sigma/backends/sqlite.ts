// SQLite WHERE clauses over a caller-supplied column expression (`field(name) => sql`), e.g.
// `json_extract(doc, '$."process.executable"')`. Assumes a REGEXP function is registered that
// understands leading inline flags `(?ims)` (our adapter registers one built on toJsRegex).
// A Flink SQL backend can extend this class and override the dialect hooks at the bottom.
import type { CompareOp, StringToken, TimePart, SigmaValue } from '../model';
import type { ProcessedRule, ProcessingPipeline } from '../pipeline';
import { SigmaBackend, type ValueContext } from './base';

export interface SqlBackendOptions {
  pipelines?: readonly ProcessingPipeline[];
  /** SQL expression yielding a field's value. */
  field: (name: string) => string;
  /** Expression searched by keyword detections; default field('event.original'). */
  keywordExpression?: string;
}

export class SqliteBackend extends SigmaBackend<string> {
  readonly name: string = 'sqlite';
  protected readonly field: (name: string) => string;
  protected readonly keywordExpression: string;

  constructor(options: SqlBackendOptions) {
    super(options.pipelines ?? []);
    this.field = options.field;
    this.keywordExpression = options.keywordExpression ?? options.field('event.original');
  }

  protected finalize(query: string, _rule: ProcessedRule): string {
    return query;
  }
  protected and(items: string[]): string {
    return `(${items.join(' AND ')})`;
  }
  protected or(items: string[]): string {
    return `(${items.join(' OR ')})`;
  }
  protected not(item: string): string {
    return `NOT ${item.startsWith('(') ? item : `(${item})`}`;
  }

  protected override stringExact(text: string, ctx: ValueContext): string {
    const f = this.field(ctx.field);
    return ctx.cased ? `${f} = ${quote(text)}` : `lower(${f}) = lower(${quote(text)})`;
  }
  protected stringWildcard(tokens: StringToken[], ctx: ValueContext): string {
    return this.matchPattern(this.field(ctx.field), tokens, ctx.cased);
  }
  protected numberEquals(value: number, ctx: ValueContext): string {
    // json_extract yields INTEGER for JSON numbers and TEXT for strings; accept both.
    return `${this.field(ctx.field)} IN (${value}, ${quote(String(value))})`;
  }
  protected booleanEquals(value: boolean, ctx: ValueContext): string {
    return `lower(${this.field(ctx.field)}) IN (${value ? "'true', '1'" : "'false', '0'"})`;
  }
  protected isNull(ctx: ValueContext): string {
    return `${this.field(ctx.field)} IS NULL`;
  }
  /** SQL cannot tell a missing field from a null one: exists means "not null". */
  protected exists(ctx: ValueContext): string {
    return `${this.field(ctx.field)} IS NOT NULL`;
  }
  protected regex(pattern: string, flags: { i: boolean; m: boolean; s: boolean }, ctx: ValueContext): string {
    const inline = (flags.i ? 'i' : '') + (flags.m ? 'm' : '') + (flags.s ? 's' : '');
    return `${this.field(ctx.field)} REGEXP ${quote(inline ? `(?${inline})${pattern}` : pattern)}`;
  }
  /** IPv4 ranges become LIKE prefixes on octet boundaries; textual IPv6 has no stable prefix. */
  protected cidr(network: string, prefix: number, version: 4 | 6, ctx: ValueContext): string {
    if (version === 6) return this.unsupported(`IPv6 CIDR ${network}/${prefix}`, ctx);
    const f = this.field(ctx.field);
    const likes = ipv4Prefixes(network, prefix).map((p) => `${f} LIKE ${quote(p)}`);
    return likes.length === 1 ? (likes[0] as string) : this.or(likes);
  }
  protected compare(op: CompareOp, value: number, ctx: ValueContext): string {
    const sym = { gt: '>', gte: '>=', lt: '<', lte: '<=' }[op];
    return `CAST(${this.field(ctx.field)} AS REAL) ${sym} ${value}`;
  }
  protected override fieldRef(other: string, ctx: ValueContext): string {
    const [a, b] = [this.field(ctx.field), this.field(other)];
    return ctx.cased ? `${a} = ${b}` : `lower(${a}) = lower(${b})`;
  }
  protected override timePart(part: TimePart, value: SigmaValue, ctx: ValueContext): string {
    const fmt = { minute: '%M', hour: '%H', day: '%d', month: '%m', year: '%Y' }[part as Exclude<TimePart, 'week'>];
    if (!fmt) return this.unsupported(`ISO week numbers (strftime has no ISO week)`, ctx);
    const expr = `CAST(strftime(${quote(fmt)}, ${this.field(ctx.field)}) AS INTEGER)`;
    if (value.type === 'number') return `${expr} = ${value.value}`;
    if (value.type === 'compare') return `${expr} ${{ gt: '>', gte: '>=', lt: '<', lte: '<=' }[value.op]} ${value.value}`;
    return this.unsupported(`time part with a ${value.type} value`, ctx);
  }
  protected keyword(tokens: StringToken[], ctx: Omit<ValueContext, 'field'>): string {
    const wrapped: StringToken[] = [
      ...(tokens[0]?.kind === 'any' ? [] : [{ kind: 'any' } as const]),
      ...tokens,
      ...(tokens[tokens.length - 1]?.kind === 'any' ? [] : [{ kind: 'any' } as const]),
    ];
    return this.matchPattern(this.keywordExpression, wrapped, ctx.cased);
  }

  // Dialect hooks.

  /** Case-insensitive: lower() on both sides + LIKE; case-sensitive: GLOB (LIKE ignores ASCII case in SQLite). */
  protected matchPattern(expr: string, tokens: StringToken[], cased: boolean): string {
    if (cased) return `${expr} GLOB ${quote(globPattern(tokens))}`;
    return `lower(${expr}) LIKE lower(${quote(likePattern(tokens))}) ESCAPE '\\'`;
  }
}

export function quote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

export function likePattern(tokens: StringToken[]): string {
  return tokens.map((t) => (t.kind === 'literal' ? t.text.replace(/[\\%_]/g, '\\$&') : t.kind === 'any' ? '%' : t.kind === 'one' ? '_' : '')).join('');
}

export function globPattern(tokens: StringToken[]): string {
  return tokens.map((t) => (t.kind === 'literal' ? t.text.replace(/[*?[]/g, '[$&]') : t.kind === 'any' ? '*' : t.kind === 'one' ? '?' : '')).join('');
}

function ipv4Prefixes(network: string, prefix: number): string[] {
  const octets = network.split('.').map(Number);
  const full = Math.floor(prefix / 8);
  const rest = prefix % 8;
  const head = octets.slice(0, full);
  if (full === 4) return [head.join('.')];
  const variants: number[][] = [];
  if (rest === 0) variants.push(head);
  else {
    const base = (octets[full] ?? 0) & (0xff << (8 - rest)) & 0xff;
    for (let v = base; v < base + (1 << (8 - rest)); v++) variants.push([...head, v]);
  }
  return variants.map((v) => (v.length === 0 ? '%' : `${v.join('.')}.%`));
}
