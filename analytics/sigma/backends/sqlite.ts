// SQLite WHERE clauses over a caller-supplied column expression (`field(name) => sql`), e.g.
// `json_extract(doc, '$."process.executable"')`. Assumes a REGEXP function is registered that
// understands leading inline flags `(?ims)` (our adapter registers one built on toJsRegex).
// Multi-valued fields (ECS arrays: event.category, related.ip, process.args, tags…) match when
// any element matches, as in the JS matcher and Elasticsearch: give `elements(name)` (e.g.
// `json_each(doc, '$."tags"')`, which yields a scalar itself, and each element of an array) and
// value tests become `EXISTS (SELECT 1 FROM json_each(..) WHERE <test on value>)`.
// A Flink SQL backend can extend this class and override the dialect hooks at the bottom.
import type { CompareOp, FieldCondition, StringToken, TimePart, SigmaValue } from '../model';
import type { ProcessedRule, ProcessingPipeline } from '../pipeline';
import { SigmaBackend, type ValueContext } from './base';

export interface SqlBackendOptions {
  pipelines?: readonly ProcessingPipeline[];
  /** SQL expression yielding a field's value. */
  field: (name: string) => string;
  /**
   * Table-valued SQL source of a field's elements with a `value` column, e.g.
   * `json_each(doc, '$."tags"')`; without it a field is one value, `field(name)`.
   */
  elements?: (name: string) => string;
  /**
   * Expression searched by keyword detections. Default: the raw event, `event.original`, or
   * `message` when event.original is NULL, or every value of the event (`eventValues`) when
   * both are (see README.md).
   */
  keywordExpression?: string;
  /**
   * Table-valued SQL source with a `value` column holding every scalar value of the event as
   * text, e.g. over `json_tree(doc)`; keywords search it in events without raw text. Without
   * it such events match no keyword, and rules with keywords carry a warning saying so.
   */
  eventValues?: string;
}

/** `eventValues` for an event kept as one JSON document in `column`: every scalar, booleans as true/false (as the JS matcher reads them). */
export function jsonTreeValues(column: string): string {
  return `(SELECT CASE type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE value END AS value FROM json_tree(${column}) WHERE type NOT IN ('object', 'array', 'null'))`;
}

export class SqliteBackend extends SigmaBackend<string> {
  readonly name: string = 'sqlite';
  protected readonly field: (name: string) => string;
  protected readonly elements?: (name: string) => string;
  protected readonly keywordExpression: string | undefined;
  protected readonly eventValues: string | undefined;

  constructor(options: SqlBackendOptions) {
    super(options.pipelines ?? []);
    this.field = options.field;
    this.elements = options.elements;
    this.keywordExpression = options.keywordExpression;
    this.eventValues = options.eventValues;
  }

  /** Set while converting the values of one merged field condition: tests apply to `value` directly. */
  private inElements = false;

  /** `test(v)` holds for some value of the field: one value, or any element with `elements`. */
  protected anyValue(name: string, test: (value: string) => string): string {
    if (!this.elements) return test(this.field(name));
    if (this.inElements) return test('value');
    return `EXISTS (SELECT 1 FROM ${this.elements(name)} WHERE ${test('value')})`;
  }

  /**
   * `Field: [v1, v2, …]` (OR) over elements is one EXISTS whose element matches any value, not
   * one EXISTS per value: same meaning, and long value lists stay under SQLite's expression
   * depth limit (1000). `|all` keeps one EXISTS per value (each may match another element).
   */
  protected override convertFieldCondition(fc: FieldCondition, rule: ProcessedRule): string {
    const elements = this.elements;
    const merge =
      elements !== undefined &&
      fc.field !== null &&
      fc.linking === 'or' &&
      fc.values.length > 1 &&
      fc.values.every((v) => ['string', 'number', 'boolean', 'regex', 'cidr', 'compare'].includes(v.type));
    if (!merge || fc.field === null) return super.convertFieldCondition(fc, rule);
    this.inElements = true;
    let inner: string;
    try {
      inner = this.or(fc.values.map((v) => this.convertValue(v, fc, rule)));
    } finally {
      this.inElements = false;
    }
    const q = `EXISTS (SELECT 1 FROM ${elements(fc.field)} WHERE ${inner})`;
    return fc.negated ? this.not(q) : q;
  }

  protected finalize(query: string, _rule: ProcessedRule): string {
    return query;
  }
  /**
   * SQLite parses `a OR b OR c …` as a left-deep tree and refuses depth > 1000; long lists
   * (SigmaHQ's emoji rules have ~1000 values) are grouped into nested chunks of 64 instead.
   */
  protected and(items: string[]): string {
    return balanced(items, ' AND ');
  }
  protected or(items: string[]): string {
    return balanced(items, ' OR ');
  }
  /**
   * A missing field makes a comparison NULL, and NOT NULL is NULL (not selected), whereas Sigma's
   * `not` of a failed match is true: `IS NOT TRUE` maps NULL to true. AND/OR need no care: NULL
   * there behaves like false all the way up to WHERE. Valid in SQLite ≥ 3.23 and Flink SQL.
   */
  protected not(item: string): string {
    return `${item.startsWith('(') ? item : `(${item})`} IS NOT TRUE`;
  }

  protected override stringExact(text: string, ctx: ValueContext): string {
    return this.anyValue(ctx.field, (f) => (ctx.cased ? `${f} = ${quote(text)}` : `lower(${f}) = lower(${quote(text)})`));
  }
  protected stringWildcard(tokens: StringToken[], ctx: ValueContext): string {
    return this.anyValue(ctx.field, (f) => this.matchPattern(f, tokens, ctx.cased));
  }
  protected numberEquals(value: number, ctx: ValueContext): string {
    // json_extract yields INTEGER for JSON numbers and TEXT for strings; accept both.
    return this.anyValue(ctx.field, (f) => `${f} IN (${value}, ${quote(String(value))})`);
  }
  protected booleanEquals(value: boolean, ctx: ValueContext): string {
    return this.anyValue(ctx.field, (f) => `lower(${f}) IN (${value ? "'true', '1'" : "'false', '0'"})`);
  }
  /** Missing or null; with `elements`, also an array holding a null. */
  protected isNull(ctx: ValueContext): string {
    const f = this.field(ctx.field);
    return this.elements ? `(${f} IS NULL OR ${this.anyValue(ctx.field, (v) => `${v} IS NULL`)})` : `${f} IS NULL`;
  }
  /** SQL cannot tell a missing field from a null one: exists means "not null". */
  protected exists(ctx: ValueContext): string {
    return `${this.field(ctx.field)} IS NOT NULL`;
  }
  protected regex(pattern: string, flags: { i: boolean; m: boolean; s: boolean }, ctx: ValueContext): string {
    const inline = (flags.i ? 'i' : '') + (flags.m ? 'm' : '') + (flags.s ? 's' : '');
    return this.anyValue(ctx.field, (f) => `${f} REGEXP ${quote(inline ? `(?${inline})${pattern}` : pattern)}`);
  }
  /** IPv4 ranges become LIKE prefixes on octet boundaries; textual IPv6 has no stable prefix. */
  protected cidr(network: string, prefix: number, version: 4 | 6, ctx: ValueContext): string {
    if (version === 6) return this.unsupported(`IPv6 CIDR ${network}/${prefix}`, ctx);
    return this.anyValue(ctx.field, (f) => {
      const likes = ipv4Prefixes(network, prefix).map((p) => `${f} LIKE ${quote(p)}`);
      return likes.length === 1 ? (likes[0] as string) : this.or(likes);
    });
  }
  protected compare(op: CompareOp, value: number, ctx: ValueContext): string {
    const sym = { gt: '>', gte: '>=', lt: '<', lte: '<=' }[op];
    return this.anyValue(ctx.field, (f) => `CAST(${f} AS REAL) ${sym} ${value}`);
  }
  protected override fieldRef(other: string, ctx: ValueContext): string {
    if (this.elements) {
      const test = ctx.cased ? 'a.value = b.value' : 'lower(a.value) = lower(b.value)';
      return `EXISTS (SELECT 1 FROM ${this.elements(ctx.field)} AS a, ${this.elements(other)} AS b WHERE ${test})`;
    }
    const [a, b] = [this.field(ctx.field), this.field(other)];
    return ctx.cased ? `${a} = ${b}` : `lower(${a}) = lower(${b})`;
  }
  protected override timePart(part: TimePart, value: SigmaValue, ctx: ValueContext): string {
    const fmt = { minute: '%M', hour: '%H', day: '%d', month: '%m', year: '%Y' }[part as Exclude<TimePart, 'week'>];
    if (!fmt) return this.unsupported(`ISO week numbers (strftime has no ISO week)`, ctx);
    const expr = (f: string): string => `CAST(strftime(${quote(fmt)}, ${f}) AS INTEGER)`;
    if (value.type === 'number') return this.anyValue(ctx.field, (f) => `${expr(f)} = ${value.value}`);
    if (value.type === 'compare') return this.anyValue(ctx.field, (f) => `${expr(f)} ${{ gt: '>', gte: '>=', lt: '<', lte: '<=' }[value.op]} ${value.value}`);
    return this.unsupported(`time part with a ${value.type} value`, ctx);
  }
  protected keyword(tokens: StringToken[], ctx: Omit<ValueContext, 'field'>): string {
    const wrapped: StringToken[] = [
      ...(tokens[0]?.kind === 'any' ? [] : [{ kind: 'any' } as const]),
      ...tokens,
      ...(tokens[tokens.length - 1]?.kind === 'any' ? [] : [{ kind: 'any' } as const]),
    ];
    if (this.keywordExpression !== undefined) return this.matchPattern(this.keywordExpression, wrapped, ctx.cased);
    // The raw event: event.original when it has a (non-null) value, else message, else every value.
    const original = this.anyValue('event.original', (f) => this.matchPattern(f, wrapped, ctx.cased));
    const message = this.anyValue('message', (f) => this.matchPattern(f, wrapped, ctx.cased));
    let every = '0';
    if (this.eventValues !== undefined) every = `EXISTS (SELECT 1 FROM ${this.eventValues} WHERE ${this.matchPattern('value', wrapped, ctx.cased)})`;
    else if (!ctx.rule.warnings.some((w) => w.code === 'keyword-raw-text-only'))
      ctx.rule.warnings.push({
        code: 'keyword-raw-text-only',
        message: `${this.name}: keywords search event.original or message only; events with neither match no keyword`,
        path: ctx.condition.path,
      });
    return `(CASE WHEN ${this.field('event.original')} IS NOT NULL THEN ${original} WHEN ${this.field('message')} IS NOT NULL THEN ${message} ELSE ${every} END)`;
  }

  // Dialect hooks.

  /** Case-insensitive: lower() on both sides + LIKE; case-sensitive: GLOB (LIKE ignores ASCII case in SQLite). */
  protected matchPattern(expr: string, tokens: StringToken[], cased: boolean): string {
    if (cased) return `${expr} GLOB ${quote(globPattern(tokens))}`;
    return `lower(${expr}) LIKE lower(${quote(likePattern(tokens))}) ESCAPE '\\'`;
  }
}

const CHUNK = 64;

function balanced(items: string[], op: string): string {
  if (items.length <= CHUNK) return `(${items.join(op)})`;
  const groups: string[] = [];
  for (let i = 0; i < items.length; i += CHUNK) groups.push(balanced(items.slice(i, i + CHUNK), op));
  return balanced(groups, op);
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
