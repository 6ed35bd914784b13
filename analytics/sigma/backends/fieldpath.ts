// Field access on nested events: `a.b.c` matches nested objects, flat keys with dots
// (`{"a.b": {"c": 1}}`), or any mix; arrays on the way fan out (any element may match).

export type SigmaEvent = Record<string, unknown>;
export type FieldAccessor = (event: SigmaEvent) => unknown[];

export function compileAccessor(path: string): FieldAccessor {
  const parts = path.split('.');
  if (parts.length === 1) {
    return (event) => {
      const out: unknown[] = [];
      if (Object.prototype.hasOwnProperty.call(event, path)) pushFlat(event[path], out);
      return out;
    };
  }
  // keys[i][k] = parts i..i+k joined with dots, built once so access allocates no strings.
  const keys = parts.map((_, i) => parts.slice(i).map((__, k) => parts.slice(i, i + k + 1).join('.')));
  const collect = (node: unknown, i: number, out: unknown[]): void => {
    if (i === parts.length) {
      pushFlat(node, out);
      return;
    }
    if (Array.isArray(node)) {
      for (const el of node) collect(el, i, out);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const obj = node as Record<string, unknown>;
    const candidates = keys[i] as string[];
    for (let k = 0; k < candidates.length; k++) {
      const key = candidates[k] as string;
      if (Object.prototype.hasOwnProperty.call(obj, key)) collect(obj[key], i + k + 1, out);
    }
  };
  return (event) => {
    const out: unknown[] = [];
    collect(event, 0, out);
    return out;
  };
}

function pushFlat(v: unknown, out: unknown[]): void {
  if (Array.isArray(v)) for (const el of v) pushFlat(el, out);
  else out.push(v);
}

/** The text a scalar event value is compared as; objects and null have none. */
export function scalarText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return undefined;
}
