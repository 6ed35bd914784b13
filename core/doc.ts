/** Helpers over ECS documents, which are nested objects addressed by dotted field names. */
export type Doc = Record<string, unknown>;

export function isPlainObject(v: unknown): v is Doc {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads `a.b.c` from nested objects, also accepting flat keys that contain dots. */
export function getField(doc: Doc, path: string): unknown {
  if (path in doc) return doc[path];
  let cur: unknown = doc;
  const parts = path.split('.');
  for (let i = 0; i < parts.length; i++) {
    if (!isPlainObject(cur)) return undefined;
    const rest = parts.slice(i).join('.');
    if (i > 0 && rest in cur) return cur[rest];
    cur = cur[parts[i]!];
  }
  return cur;
}

export function setField(doc: Doc, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur: Doc = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const k = parts[i]!;
    const next = cur[k];
    if (!isPlainObject(next)) cur[k] = {};
    cur = cur[k] as Doc;
  }
  cur[parts[parts.length - 1]!] = value;
}

function hasDottedKey(doc: Doc): boolean {
  for (const k in doc) {
    if (k.includes('.')) return true;
    const v = doc[k];
    if (isPlainObject(v) && hasDottedKey(v)) return true;
  }
  return false;
}

/** Turns flat dotted keys into nested objects so every store sees one shape. */
export function unflatten(doc: Doc): Doc {
  // Most events arrive nested already; copying them would be pure cost on the write path.
  return hasDottedKey(doc) ? unflattenDeep(doc) : doc;
}

function unflattenDeep(doc: Doc): Doc {
  const out: Doc = {};
  for (const [k, v] of Object.entries(doc)) {
    const value = isPlainObject(v) ? unflattenDeep(v) : v;
    if (k.includes('.')) {
      const existing = getField(out, k);
      if (isPlainObject(existing) && isPlainObject(value)) Object.assign(existing, value);
      else setField(out, k, value);
    } else if (isPlainObject(out[k]) && isPlainObject(value)) {
      Object.assign(out[k] as Doc, value);
    } else {
      out[k] = value;
    }
  }
  return out;
}

/** Values of a field as a list: arrays spread, missing → []. */
export function fieldValues(doc: Doc, path: string): unknown[] {
  const v = getField(doc, path);
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}
