// One concrete string a Sigma regex matches, so generated events can hit `|re` conditions too.
// A best-effort sampler over the common subset (literals, escapes, classes, groups with
// alternation, quantifiers); the caller checks the sample against the real regex and drops misses.

const CLASS_ESCAPES: Record<string, string> = { d: '1', w: 'a', s: ' ', D: 'a', W: '-', S: 'a', t: '\t', n: '\n', r: '\r' };

export function sampleRegex(pattern: string): string | undefined {
  let src = pattern.replace(/^\(\?[ims]+\)/, '');
  let i = 0;

  const parseAlternatives = (): string => {
    const first = parseSequence();
    // Later alternatives are parsed only to skip them.
    while (src[i] === '|') {
      i++;
      parseSequence();
    }
    return first;
  };

  const parseSequence = (): string => {
    const atoms: string[] = [];
    while (i < src.length && src[i] !== '|' && src[i] !== ')') {
      const c = src[i] as string;
      if (c === '^' || c === '$') {
        i++;
        continue;
      }
      if (c === '*' || c === '+' || c === '?' || c === '{') {
        const q = quantifier();
        const last = atoms.pop() ?? '';
        atoms.push(last.repeat(q));
        if (src[i] === '?' || src[i] === '+') i++; // lazy / possessive suffix
        continue;
      }
      atoms.push(atom());
    }
    return atoms.join('');
  };

  /** How many times to repeat the atom before: the quantifier's minimum, at least once when allowed. */
  const quantifier = (): number => {
    const c = src[i] as string;
    i++;
    if (c === '+') return 1;
    if (c === '*' || c === '?') return 1;
    const close = src.indexOf('}', i);
    const body = src.slice(i, close);
    i = close + 1;
    const [min, max] = body.split(',');
    const lo = Number(min);
    return lo === 0 && max !== '0' ? 1 : lo;
  };

  const atom = (): string => {
    const c = src[i] as string;
    if (c === '\\') {
      const e = src[i + 1] as string;
      i += 2;
      if (e === 'b' || e === 'B') return '';
      if (e === 'x') {
        const hex = src.slice(i, i + 2);
        i += 2;
        return String.fromCharCode(parseInt(hex, 16));
      }
      return CLASS_ESCAPES[e] ?? e;
    }
    if (c === '.') {
      i++;
      return 'a';
    }
    if (c === '[') return charClass();
    if (c === '(') {
      i++;
      if (src[i] === '?') {
        const kind = src[i + 1];
        if (kind === ':') i += 2;
        else if (kind === '=' || kind === '!' || kind === '<') {
          // Lookarounds and named groups: too rare to model; give up on the whole pattern.
          throw new Error('unsupported group');
        }
      }
      const inner = parseAlternatives();
      if (src[i] !== ')') throw new Error('unbalanced');
      i++;
      return inner;
    }
    i++;
    return c;
  };

  const charClass = (): string => {
    i++;
    const negated = src[i] === '^';
    if (negated) i++;
    let first: string | undefined;
    while (i < src.length && (src[i] !== ']' || first === undefined)) {
      let ch = src[i] as string;
      if (ch === '\\') {
        ch = CLASS_ESCAPES[src[i + 1] as string] ?? (src[i + 1] as string);
        i++;
      }
      first ??= ch;
      i++;
    }
    i++;
    // A negated class rarely excludes '~'; the caller verifies anyway.
    return negated ? '~' : (first ?? '');
  };

  try {
    const out = parseAlternatives();
    return i >= src.length ? out : undefined;
  } catch {
    src = '';
    return undefined;
  }
}
