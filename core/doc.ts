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

/**
 * Every value a dotted path reaches, through arrays of objects at any level (`a.b.c` on
 * `{a: [{b: {c: 1}}, {b: [{c: 2}]}]}` gives [1, 2]); leaf arrays are spread. Flat dotted keys are
 * honoured as getField does. Bounded by depth so a hostile document cannot recurse without end.
 */
export function pathValues(doc: unknown, path: string, depth = 0): unknown[] {
  if (depth > 64) return [];
  if (Array.isArray(doc)) return doc.flatMap((x) => pathValues(x, path, depth + 1));
  if (!isPlainObject(doc)) return [];
  if (path in doc) {
    const v = doc[path];
    return Array.isArray(v) ? v.flat(64) : v === undefined ? [] : [v];
  }
  const parts = path.split('.');
  for (let i = 1; i < parts.length; i++) {
    const head = parts.slice(0, i).join('.');
    if (head in doc) return pathValues(doc[head], parts.slice(i).join('.'), depth + 1);
  }
  return [];
}

/**
 * A copy of the document with every value the path reaches replaced by f(value) (through arrays
 * of objects, as pathValues); `undefined` from f removes the value. Untouched branches are shared.
 */
export function mapPath(doc: unknown, path: string, f: (v: unknown) => unknown, depth = 0): unknown {
  if (depth > 64) return doc;
  if (Array.isArray(doc)) return doc.map((x) => mapPath(x, path, f, depth + 1));
  if (!isPlainObject(doc)) return doc;
  if (path in doc) {
    const v = doc[path];
    const out = { ...doc };
    if (Array.isArray(v)) {
      const kept = v.map(f).filter((x) => x !== undefined);
      if (kept.length === 0 && v.length > 0) delete out[path];
      else out[path] = kept;
    } else {
      const next = f(v);
      if (next === undefined) delete out[path];
      else out[path] = next;
    }
    return out;
  }
  const parts = path.split('.');
  for (let i = 1; i < parts.length; i++) {
    const head = parts.slice(0, i).join('.');
    if (head in doc) return { ...doc, [head]: mapPath(doc[head], parts.slice(i).join('.'), f, depth + 1) };
  }
  return doc;
}
