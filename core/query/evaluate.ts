/**
 * The reference meaning of a query, evaluated on one document in memory. Used for live
 * filters (subscriptions) and as the oracle the store contract compares engines against.
 */
import { type Doc, fieldValues } from '../doc';
import type { QueryNode, WildPart } from './ast';
import { resolveDate } from './dates';
import { canonicalIp, cidrContains } from './ip';

/** Same token rule as the stores' full-text index: letters, digits and underscore. */
export function tokenizeText(s: string): string[] {
  return s.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];
}

export function wildcardToRegExp(parts: readonly WildPart[], flags = ''): RegExp {
  const src = parts.map((p) => (typeof p === 'string' ? p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : p.wild === '*' ? '[\\s\\S]*' : '[\\s\\S]')).join('');
  return new RegExp(`^${src}$`, flags + 'u');
}

function textMatches(value: unknown, text: string, prefix: boolean): boolean {
  if (typeof value !== 'string') return false;
  const hay = tokenizeText(value);
  const needle = tokenizeText(text);
  if (needle.length === 0) return false;
  for (let i = 0; i + needle.length <= hay.length; i++) {
    let ok = true;
    for (let j = 0; j < needle.length; j++) {
      const last = j === needle.length - 1;
      if (last && prefix ? !hay[i + j]!.startsWith(needle[j]!) : hay[i + j] !== needle[j]) {
        ok = false;
        break;
      }
    }
    if (ok) return true;
  }
  return false;
}

function inBounds<T extends number | string>(v: T, b: { gt?: T; gte?: T; lt?: T; lte?: T }): boolean {
  if (b.gt !== undefined && !(v > b.gt)) return false;
  if (b.gte !== undefined && !(v >= b.gte)) return false;
  if (b.lt !== undefined && !(v < b.lt)) return false;
  if (b.lte !== undefined && !(v <= b.lte)) return false;
  return true;
}

const regexCache = new WeakMap<readonly WildPart[], RegExp>();

export function evaluate(node: QueryNode, doc: Doc): boolean {
  switch (node.type) {
    case 'all':
      return true;
    case 'none':
      return false;
    case 'and':
      return node.children.every((c) => evaluate(c, doc));
    case 'or':
      return node.children.some((c) => evaluate(c, doc));
    case 'not':
      return !evaluate(node.child, doc);
    case 'exists':
      return fieldValues(doc, node.field).length > 0;
    case 'text':
      return fieldValues(doc, node.field).some((v) => textMatches(v, node.text, node.prefix));
    case 'keyword':
      return fieldValues(doc, node.field).some(
        (v) => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : null) === node.value,
      );
    case 'wildcard': {
      let re = regexCache.get(node.parts);
      if (!re) regexCache.set(node.parts, (re = wildcardToRegExp(node.parts)));
      return fieldValues(doc, node.field).some((v) => typeof v === 'string' && re.test(v));
    }
    case 'number':
      return fieldValues(doc, node.field).some((v) => Number(v) === node.value);
    case 'bool':
      return fieldValues(doc, node.field).some((v) => v === node.value);
    case 'ip':
      return fieldValues(doc, node.field).some((v) => typeof v === 'string' && canonicalIp(v) === node.value);
    case 'cidr':
      return fieldValues(doc, node.field).some((v) => typeof v === 'string' && cidrContains(node.cidr, v));
    case 'number_range':
      return fieldValues(doc, node.field).some((v) => typeof v === 'number' && inBounds(v, node));
    case 'keyword_range':
      return fieldValues(doc, node.field).some((v) => typeof v === 'string' && inBounds(v, node));
    case 'date_range':
      return fieldValues(doc, node.field).some((v) => {
        if (typeof v !== 'string' && typeof v !== 'number') return false;
        try {
          return inBounds(typeof v === 'number' ? v : resolveDate(v, new Date(0), node.field), node);
        } catch {
          return false;
        }
      });
  }
}
