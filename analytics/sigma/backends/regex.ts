// Sigma regexes are PCRE (a documented subset); JavaScript needs a few rewrites and rejects some.
import { SigmaUnsupportedError } from '../errors';

export interface RegexFlags {
  i: boolean;
  m: boolean;
  s: boolean;
}

/** JS source + flags for a Sigma regex; leading inline flags `(?i)` become JS flags. */
export function toJsRegex(pattern: string, flags: RegexFlags, path?: string): RegExp {
  let source = pattern;
  const f = { ...flags };
  const inline = /^\(\?([ims]+)\)/.exec(source);
  if (inline) {
    for (const c of inline[1] as string) f[c as keyof RegexFlags] = true;
    source = source.slice(inline[0].length);
  }
  if (usesPcreOnlySyntax(source)) {
    throw new SigmaUnsupportedError(
      'regex-flavor',
      `regular expression uses PCRE syntax JavaScript lacks (inline flags, atomic groups, possessive quantifiers, \\A/\\Z): ${pattern}`,
      { path },
    );
  }
  try {
    return new RegExp(source, (f.i ? 'i' : '') + (f.m ? 'm' : '') + (f.s ? 's' : ''));
  } catch (e) {
    throw new SigmaUnsupportedError('regex-invalid', `regular expression does not compile: ${(e as Error).message}`, { path });
  }
}

/** Scans outside escapes and character classes for constructs JS regexes do not have. */
function usesPcreOnlySyntax(source: string): boolean {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      if (!inClass && 'AZzG'.includes(source[i + 1] ?? '')) return true;
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') {
      inClass = true;
    } else if (c === '(' && source[i + 1] === '?' && /^[imsx-]+[:)]|^>/.test(source.slice(i + 2))) {
      return true;
    } else if (c === '+' && i > 0 && '*+?}'.includes(source[i - 1] ?? '') && source[i - 2] !== '\\') {
      return true;
    }
  }
  return false;
}
