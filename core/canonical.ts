/**
 * Canonical JSON (sorted keys, no whitespace): the bytes a hash or signature covers. JSON.stringify
 * semantics for every value (undefined members dropped, non-finite numbers as null), written as
 * loops without intermediate arrays: it is the largest cost of writing an audit record after the
 * insert itself. audit-chain.test.ts holds it to a plain reference implementation, awkward values
 * included.
 */

/** Keys JSON.stringify leaves as they are, so quoting them is enough. */
const PLAIN_KEY = /^[\w.@$-]*$/;

export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return JSON.stringify(value) ?? 'null';
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    let s = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) s += ',';
      if (i in value) s += canonicalJson(value[i]);
    }
    return s + ']';
  }
  let s = '{';
  let first = true;
  for (const k of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[k];
    if (v === undefined) continue;
    s += (first ? '' : ',') + (PLAIN_KEY.test(k) ? `"${k}":` : `${JSON.stringify(k)}:`) + canonicalJson(v);
    first = false;
  }
  return s + '}';
}

/** Checks records in storage order; the first problem found is the answer. */
