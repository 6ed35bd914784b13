/**
 * What one caller may see of the events, from the field obligations of its decision: the same
 * masks on every output path (documents, free text inside them, aggregation keys) and the same
 * limits on every input path (a masked field cannot be queried by its clear value, a tokenized
 * one only by its token, free text of events with personal data is searched in its redacted form).
 *
 * Personal fields (core/fields.ts `personal`) are prepared for this when stored: their tokens go
 * into `citysoc.tokens` (`<field>=tok_…`) and message / event.original get redacted copies
 * (`citysoc.redacted.*`), see indexPreparation(). Those internal fields are never returned.
 */
import { CitySocError } from '../core/errors';
import { type Doc, getField, isPlainObject, mapPath, pathValues } from '../core/doc';
import type { FieldObligation } from '../core/authz';
import { INTERNAL_FIELDS, PERSONAL_FIELDS } from '../core/fields';
import type { QueryNode } from '../core/query/ast';
import { mask, type Tokenizer } from './masking';

const TOKENS = 'citysoc.tokens';
const REDACTED_MESSAGE = 'citysoc.redacted.message';
const REDACTED_ORIGINAL = 'citysoc.redacted.original';
/** What a personal value becomes in the redacted free text: never the value, never its token. */
const PLACEHOLDER = '[个人信息]';

export type AggregationView = 'clear' | 'token' | 'mask';

function refuse(field: string, why: string): never {
  throw new CitySocError('QUERY_FIELD', `${field}: ${why}`, { field });
}

/** Clear values of the doc's treated fields (through arrays of objects, every element), longest first. */
function clearValues(doc: Doc, fields: readonly string[]): string[] {
  const out = new Set<string>();
  for (const f of fields) {
    for (const x of pathValues(doc, f)) {
      if (typeof x === 'string' && x.length >= 2) out.add(x);
      else if (typeof x === 'number') out.add(String(x));
    }
  }
  return [...out].sort((a, b) => b.length - a.length);
}

/** One value as an obligation shows it (objects and arrays under the path are treated as their JSON). */
function shownValue(v: unknown, ob: FieldObligation, tokenize: Tokenizer): unknown {
  if (v === null || v === undefined) return v;
  const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
  return ob.treatment === 'mask' ? mask(s, ob.pattern) : tokenize(s);
}

function replaceEverywhere(v: unknown, pairs: readonly (readonly [string, string])[], depth = 0): unknown {
  if (depth > 64) return v;
  if (typeof v === 'string') {
    let s = v;
    for (const [clear, shown] of pairs) if (s.includes(clear)) s = s.split(clear).join(shown);
    return s;
  }
  if (Array.isArray(v)) return v.map((x) => replaceEverywhere(x, pairs, depth + 1));
  if (isPlainObject(v)) {
    const out: Doc = {};
    for (const [k, x] of Object.entries(v)) out[k] = replaceEverywhere(x, pairs, depth + 1);
    return out;
  }
  return v;
}

function dropInternal(doc: Doc): Doc {
  const c = doc.citysoc;
  if (!isPlainObject(c) || (!('tokens' in c) && !('redacted' in c))) return doc;
  const { tokens: _t, redacted: _r, ...rest } = c;
  return { ...doc, citysoc: rest };
}

export class EventView {
  private readonly byField: Map<string, FieldObligation>;

  constructor(
    readonly fields: readonly FieldObligation[],
    private readonly tokenize: Tokenizer,
  ) {
    this.byField = new Map(fields.map((f) => [f.field, f]));
  }

  /** Whether the caller sees anything treated at all. */
  get restricted(): boolean {
    return this.fields.length > 0;
  }

  /** The caller's query as the store must run it; refuses uses of a field the caller may not search. */
  rewrite(node: QueryNode): QueryNode {
    switch (node.type) {
      case 'all':
      case 'none':
        return node;
      case 'and':
      case 'or':
        return { type: node.type, children: node.children.map((c) => this.rewrite(c)) };
      case 'not':
        return { type: 'not', child: this.rewrite(node.child) };
      default:
        return this.leaf(node);
    }
  }

  private leaf(node: Exclude<QueryNode, { type: 'all' | 'none' | 'and' | 'or' | 'not' }>): QueryNode {
    const f = node.field;
    if (INTERNAL_FIELDS.includes(f)) refuse(f, 'is kept by CitySOC for indexing and cannot be searched');
    const ob = this.byField.get(f);
    if (ob) {
      if (node.type === 'exists') return node;
      if (ob.treatment === 'drop') refuse(f, 'is not visible to you');
      if (ob.treatment === 'token') {
        if (node.type === 'keyword' && /^tok_[0-9a-f]{20}$/.test(node.value)) return { type: 'keyword', field: TOKENS, value: `${f}=${node.value}` };
        refuse(f, `is tokenized for you: search it by its token as shown in results, e.g. ${f}:tok_0123456789abcdef0123`);
      }
      refuse(f, 'is masked for you and cannot be searched');
    }
    if (!this.restricted) return node;
    // Free text may carry the personal values too: events that have any are searched in their redacted copy.
    if (f === 'message' || f === 'event.original') {
      const redacted = f === 'message' ? REDACTED_MESSAGE : REDACTED_ORIGINAL;
      if (node.type === 'exists') return node;
      return {
        type: 'or',
        children: [{ type: 'and', children: [{ type: 'not', child: { type: 'exists', field: redacted } }, node] }, { ...node, field: redacted } as QueryNode],
      };
    }
    return node;
  }

  /** How an aggregation over the field shows its keys to the caller; refuses what would leak. */
  aggregation(field: string): AggregationView {
    if (INTERNAL_FIELDS.includes(field)) refuse(field, 'is kept by CitySOC for indexing and cannot be aggregated');
    const ob = this.byField.get(field);
    if (ob?.treatment === 'drop') refuse(field, 'is not visible to you');
    if (ob) return ob.treatment === 'token' ? 'token' : 'mask';
    if (this.restricted && (field === 'message' || field === 'event.original'))
      refuse(field, 'may hold personal data you see masked: aggregate a parsed field instead');
    return 'clear';
  }

  /** Bucket keys as the caller may see them: tokens or masks, masked buckets that collide merged. */
  treatBuckets<B extends { key: string | number; count: number }>(field: string, view: AggregationView, buckets: readonly B[]): B[] {
    if (view === 'clear') return [...buckets];
    const ob = this.byField.get(field)!;
    const shown = (k: string | number) => (view === 'token' ? this.tokenize(String(k)) : mask(String(k), ob.pattern));
    const merged = new Map<string, B>();
    for (const b of buckets) {
      const key = shown(b.key);
      const cur = merged.get(key);
      merged.set(key, cur ? { ...cur, count: cur.count + b.count } : { ...b, key });
    }
    return [...merged.values()].sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** A document as the caller may see it: treatments applied, the clear values replaced in every string, internal fields gone. */
  treat<T extends Doc>(doc: T): T {
    const base = dropInternal(doc);
    if (!this.restricted) return base as T;
    const treatedFields = this.fields.map((f) => f.field);
    const clears = clearValues(base, treatedFields);
    let out: unknown = base;
    for (const ob of this.fields) out = mapPath(out, ob.field, (v) => (ob.treatment === 'drop' ? undefined : shownValue(v, ob, this.tokenize)));
    if (clears.length === 0) return out as T;
    const pairs = clears.map((c) => {
      const ob = this.fields.find((f) => pathValues(base, f.field).some((v) => String(v) === c));
      const shown = !ob || ob.treatment === 'drop' ? '*'.repeat(Math.min(c.length, 8)) : ob.treatment === 'token' ? this.tokenize(c) : mask(c, ob.pattern);
      return [c, shown] as const;
    });
    return replaceEverywhere(out, pairs) as T;
  }
}

/**
 * What the indexer adds to an event before it is stored: tokens of its personal values and
 * redacted copies of its free text, so EventView can offer token search and redacted text search.
 * Events without personal values are returned as they are.
 */
export function indexPreparation(tokenize: Tokenizer): <T extends Doc>(event: T) => T {
  return (event) => {
    const tokens: string[] = [];
    const values: string[] = [];
    for (const f of PERSONAL_FIELDS) {
      for (const x of pathValues(event, f)) {
        if (typeof x !== 'string' && typeof x !== 'number') continue;
        const s = String(x);
        if (s === '') continue;
        tokens.push(`${f}=${tokenize(s)}`);
        if (s.length >= 2) values.push(s);
      }
    }
    if (tokens.length === 0) return event;
    values.sort((a, b) => b.length - a.length);
    const redact = (s: unknown) => {
      if (typeof s !== 'string') return undefined;
      let out = s;
      for (const v of values) if (out.includes(v)) out = out.split(v).join(PLACEHOLDER);
      return out === s ? undefined : out;
    };
    const message = redact(event.message);
    const original = redact(getField(event, 'event.original'));
    const citysoc = isPlainObject(event.citysoc) ? event.citysoc : {};
    return {
      ...event,
      citysoc: {
        ...citysoc,
        tokens,
        ...(message !== undefined || original !== undefined
          ? { redacted: { ...(message !== undefined ? { message } : {}), ...(original !== undefined ? { original } : {}) } }
          : {}),
      },
    };
  };
}
