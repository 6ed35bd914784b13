/**
 * Bounds on ingested JSON. JSON.parse reads any depth, but everything after it that walks a
 * record (stringify, clone, validation, stores) recurses, so a record nested 20,000 deep would
 * overflow the stack of whichever step came first. Records deeper than the limit are refused at
 * the edge, one by one, with the limit named.
 */

/** Why the value is too deep, or undefined; the walk itself stops at the limit. */
export function depthProblem(value: unknown, maxDepth: number): string | undefined {
  const exceeds = (v: unknown, depth: number): boolean => {
    if (typeof v !== 'object' || v === null) return false;
    if (depth >= maxDepth) return true;
    if (Array.isArray(v)) {
      for (const x of v) if (exceeds(x, depth + 1)) return true;
    } else for (const k in v) if (exceeds((v as Record<string, unknown>)[k], depth + 1)) return true;
    return false;
  };
  return exceeds(value, 0) ? `the record nests objects or arrays deeper than ${maxDepth} levels (ingest.maxJsonDepth)` : undefined;
}

/**
 * The texts of the elements of a top-level JSON array, cut by a scan that only tracks strings
 * and brackets, so that each element is parsed, bounded and kept on its own (the whole array in
 * one JSON.parse would fail or succeed as one). Undefined when the text is not one array.
 */
export function splitJsonArray(text: string): string[] | undefined {
  let i = 0;
  const n = text.length;
  const skipBlank = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  };
  skipBlank();
  if (text[i] !== '[') return undefined;
  i++;
  const out: string[] = [];
  skipBlank();
  if (text[i] === ']') {
    i++;
    skipBlank();
    return i === n ? out : undefined;
  }
  for (;;) {
    skipBlank();
    const start = i;
    let depth = 0;
    let inString = false;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (inString) {
        if (c === 0x5c) i++;
        else if (c === 0x22) inString = false;
      } else if (c === 0x22) inString = true;
      else if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) {
        if (depth === 0) break;
        depth--;
      } else if (c === 0x2c && depth === 0) break;
    }
    if (i >= n) return undefined;
    out.push(text.slice(start, i).trimEnd());
    if (text[i] === ']') {
      i++;
      skipBlank();
      return i === n ? out : undefined;
    }
    i++; // the comma
  }
}

/** True when a JSON text nests brackets deeper than the limit (outside strings); cheap, no parse. */
export function textNestingExceeds(text: string, maxDepth: number): boolean {
  if (text.length <= maxDepth * 2) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}
