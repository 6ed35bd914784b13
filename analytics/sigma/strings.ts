// Sigma string syntax: `*` and `?` wildcards, `\` escapes, `%name%` placeholders under `expand`.
import type { StringToken } from './model';

/**
 * Parses a rule value into tokens. A backslash escapes `*`, `?`, `\` (and `%` when
 * placeholders are on); before anything else it is a plain backslash, as the spec requires
 * so that Windows paths like `C:\Windows` need no doubling.
 */
export function parseSigmaString(raw: string, placeholders = false): StringToken[] {
  const tokens: StringToken[] = [];
  let literal = '';
  const flush = (): void => {
    if (literal) tokens.push({ kind: 'literal', text: literal });
    literal = '';
  };
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c === '\\') {
      const next = raw[i + 1];
      if (next === '*' || next === '?' || next === '\\' || (placeholders && next === '%')) {
        literal += next;
        i++;
      } else {
        literal += c;
      }
    } else if (c === '*' || c === '?') {
      flush();
      tokens.push({ kind: c === '*' ? 'any' : 'one' });
    } else if (placeholders && c === '%') {
      const end = raw.indexOf('%', i + 1);
      if (end > i + 1) {
        flush();
        tokens.push({ kind: 'placeholder', name: raw.slice(i + 1, end) });
        i = end;
      } else {
        literal += c;
      }
    } else {
      literal += c;
    }
  }
  flush();
  return tokens;
}

/** Merges adjacent literals and collapses `**`, so backends see a canonical token list. */
export function normalizeTokens(tokens: StringToken[]): StringToken[] {
  const out: StringToken[] = [];
  for (const t of tokens) {
    const last = out[out.length - 1];
    if (t.kind === 'literal' && t.text === '') continue;
    if (t.kind === 'literal' && last?.kind === 'literal') out[out.length - 1] = { kind: 'literal', text: last.text + t.text };
    else if (t.kind === 'any' && last?.kind === 'any') continue;
    else out.push(t);
  }
  return out;
}
