// Flink SQL WHERE clauses over the same rule tree, reusing the SQLite backend and overriding its
// dialect hooks: Flink's LIKE is case-sensitive (so LOWER() on both sides), REGEXP(s, p) is a
// Java regex search, and strings are cast with TRY_CAST so one bad value cannot fail a job.
import type { CompareOp, SigmaValue, StringToken, TimePart } from '../model';
import type { ProcessingPipeline } from '../pipeline';
import type { ValueContext } from './base';
import { likePattern, quote, SqliteBackend } from './sqlite';

export interface FlinkBackendOptions {
  pipelines?: readonly ProcessingPipeline[];
  /** SQL expression of a field; default JSON_VALUE over a `doc` STRING column holding the event. */
  field?: (name: string) => string;
  keywordExpression?: string;
  /**
   * SQL expression of a field's JSON text when it holds an array (ECS multi-valued fields such as
   * event.category), so an exact value matches any element; default JSON_QUERY over `doc` when
   * `field` is the default, none otherwise.
   */
  arrayField?: (name: string) => string;
}

/** The JSON path of a dotted field name; segments that are not plain identifiers are bracket-quoted. */
function jsonPath(name: string): string {
  return `$${name
    .split('.')
    .map((p) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(p) ? `.${p}` : `['${p.replace(/'/g, "''")}']`))
    .join('')}`;
}

/** `JSON_VALUE(doc, '$.source.ip')`: a scalar field of the event (NULL for an array or object). */
export function jsonValueField(name: string): string {
  return `JSON_VALUE(doc, ${quote(jsonPath(name))})`;
}

/** `JSON_QUERY(doc, '$.event.category')`: the JSON text of an array or object field (NULL for a scalar). */
export function jsonQueryField(name: string): string {
  return `JSON_QUERY(doc, ${quote(jsonPath(name))})`;
}

const SYM: Record<CompareOp, string> = { gt: '>', gte: '>=', lt: '<', lte: '<=' };

export class FlinkSqlBackend extends SqliteBackend {
  override readonly name: string = 'flink';

  private readonly arrayField: ((name: string) => string) | undefined;

  constructor(options: FlinkBackendOptions = {}) {
    const field = options.field ?? jsonValueField;
    super({ pipelines: options.pipelines ?? [], field, ...(options.keywordExpression !== undefined ? { keywordExpression: options.keywordExpression } : {}) });
    this.arrayField = options.arrayField ?? (field === jsonValueField ? jsonQueryField : undefined);
  }

  /**
   * Literals are lowered here rather than in SQL: one LOWER() per row instead of two. A field
   * holding an array matches when one element is the value, as the JS matcher reads ECS arrays:
   * its JSON text contains the value as a JSON string.
   */
  protected override stringExact(text: string, ctx: ValueContext): string {
    const f = this.field(ctx.field);
    const scalar = ctx.cased ? `${f} = ${quote(text)}` : `LOWER(${f}) = ${quote(text.toLowerCase())}`;
    if (!this.arrayField) return scalar;
    // POSITION rather than LIKE: the JSON text of a value may hold backslashes, which LIKE's escape rules reject
    const element = quote(JSON.stringify(ctx.cased ? text : text.toLowerCase()));
    const a = this.arrayField(ctx.field);
    const inArray = ctx.cased ? `POSITION(${element} IN ${a}) > 0` : `POSITION(${element} IN LOWER(${a})) > 0`;
    return `(${scalar} OR (${f} IS NULL AND ${inArray}))`;
  }
  protected override matchPattern(expr: string, tokens: StringToken[], cased: boolean): string {
    const pattern = likePattern(tokens);
    return cased ? `${expr} LIKE ${quote(pattern)} ESCAPE '\\'` : `LOWER(${expr}) LIKE ${quote(pattern.toLowerCase())} ESCAPE '\\'`;
  }
  protected override regex(pattern: string, flags: { i: boolean; m: boolean; s: boolean }, ctx: ValueContext): string {
    const inline = (flags.i ? 'i' : '') + (flags.m ? 'm' : '') + (flags.s ? 's' : '');
    return `REGEXP(${this.field(ctx.field)}, ${quote(inline ? `(?${inline})${pattern}` : pattern)})`;
  }
  protected override numberEquals(value: number, ctx: ValueContext): string {
    return `TRY_CAST(${this.field(ctx.field)} AS DOUBLE) = ${value}`;
  }
  protected override compare(op: CompareOp, value: number, ctx: ValueContext): string {
    return `TRY_CAST(${this.field(ctx.field)} AS DOUBLE) ${SYM[op]} ${value}`;
  }
  protected override booleanEquals(value: boolean, ctx: ValueContext): string {
    return `LOWER(${this.field(ctx.field)}) IN (${value ? "'true', '1'" : "'false', '0'"})`;
  }
  /** ISO-8601 text ('2026-03-02T15:30:00.000Z') → TIMESTAMP by its first 19 characters, read as UTC like the JS matcher. */
  protected override timePart(part: TimePart, value: SigmaValue, ctx: ValueContext): string {
    const ts = `TO_TIMESTAMP(SUBSTRING(REPLACE(${this.field(ctx.field)}, 'T', ' ') FROM 1 FOR 19))`;
    const unit = { minute: 'MINUTE', hour: 'HOUR', day: 'DAY', week: 'WEEK', month: 'MONTH', year: 'YEAR' }[part];
    const expr = `EXTRACT(${unit} FROM ${ts})`;
    if (value.type === 'number') return `${expr} = ${value.value}`;
    if (value.type === 'compare') return `${expr} ${SYM[value.op]} ${value.value}`;
    return this.unsupported(`time part with a ${value.type} value`, ctx);
  }
}
