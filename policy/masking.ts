/**
 * Field treatments applied to results: drop the field, mask it (138****1234, 110101********1234,
 * 张*), or replace it by a deterministic token, HMAC-SHA256(secret, value) truncated, so equal
 * values still look equal and can be searched for without being shown.
 */
import { createHmac } from 'node:crypto';
import { type Doc, fieldValues, getField, setField } from '../core/doc';
import type { FieldObligation } from './decision';

export const TOKEN_PREFIX = 'tok_';

export type Tokenizer = (value: string) => string;

export function tokenizer(secret: Buffer): Tokenizer {
  // 80 bits: collisions are negligible for the values one deployment holds, and short to read.
  return (value) => TOKEN_PREFIX + createHmac('sha256', secret).update(value, 'utf8').digest('hex').slice(0, 20);
}

export function isToken(value: string): boolean {
  return /^tok_[0-9a-f]{20}$/.test(value);
}

function keep(chars: string[], head: number, tail: number): string {
  if (chars.length <= head + tail) return '*'.repeat(chars.length);
  return chars.slice(0, head).join('') + '*'.repeat(chars.length - head - tail) + chars.slice(chars.length - tail).join('');
}

export function mask(value: string, pattern: string | undefined): string {
  const chars = [...value];
  switch (pattern) {
    case 'phone':
      return keep(chars, 3, 4);
    case 'id_number':
      return keep(chars, 6, 4);
    case 'name':
      return chars.length <= 1 ? '*' : chars[0]! + '*'.repeat(chars.length - 1);
    case 'email': {
      const at = value.indexOf('@');
      return at <= 0 ? '*'.repeat(chars.length) : value[0] + '***' + value.slice(at);
    }
    default:
      return '*'.repeat(Math.min(chars.length, 8));
  }
}

function treatValue(v: unknown, ob: FieldObligation, token: Tokenizer): unknown {
  if (v === null || v === undefined) return v;
  const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
  if (ob.treatment === 'mask') return mask(s, ob.pattern);
  const t = token(s);
  return t;
}

function remove(doc: Doc, field: string): void {
  if (field in doc) {
    delete doc[field];
    return;
  }
  const parts = field.split('.');
  let cur: unknown = doc;
  for (const p of parts.slice(0, -1)) {
    if (typeof cur !== 'object' || cur === null) return;
    cur = (cur as Doc)[p];
  }
  if (typeof cur === 'object' && cur !== null) delete (cur as Doc)[parts[parts.length - 1]!];
}

/** A treated deep copy; the original (maybe cached by a store) is left alone. */
export function applyFieldTreatments<T extends Doc>(doc: T, obligations: readonly FieldObligation[], token: Tokenizer): T {
  if (obligations.length === 0) return doc;
  const out = structuredClone(doc) as Doc;
  for (const ob of obligations) {
    if (getField(out, ob.field) === undefined) continue;
    if (ob.treatment === 'drop') {
      remove(out, ob.field);
      continue;
    }
    const v = getField(out, ob.field);
    const treated = Array.isArray(v) ? fieldValues(out, ob.field).map((x) => treatValue(x, ob, token)) : treatValue(v, ob, token);
    if (ob.field in out) out[ob.field] = treated;
    else setField(out, ob.field, treated);
  }
  return out as T;
}
