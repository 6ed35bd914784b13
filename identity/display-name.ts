/**
 * A person's display name (张伟), shown beside the username wherever people are picked. It is
 * free text typed by an administrator and shown to every analyst, so it must read as what it is
 * and tell people apart. Refused, not stripped:
 * - control characters and invisible formatting (zero-width characters, bidirectional overrides
 *   that could make "张伟 (wangwu)" read as someone else);
 * - characters that are invisible or look blank: every default-ignorable code point (the combining
 *   grapheme joiner U+034F, variation selectors U+FE00–FE0F and U+E0100–E01EF, Mongolian free
 *   variation selectors U+180B–180F, the Hangul fillers U+115F, U+1160, U+3164, U+FFA0) and the
 *   braille blank U+2800, with which "张伟" and "张伟ㅤ" would look the same;
 * - any space but the ordinary one (no-break U+00A0, U+2000–U+200A, U+202F, U+205F, ideographic
 *   U+3000, …), and two ordinary spaces in a row between words;
 * - a combining mark with nothing to sit on (at the start, or after a space), and more than
 *   MAX_STACKED_MARKS combining marks stacked on one character (counted decomposed, so é is one).
 * Two people may share a display name (张伟 is the name of hundreds of thousands): wherever one is
 * shown its username is shown beside it, and that is what tells them apart.
 */
import { CitySocError } from '../core/errors';

/** In characters (code points), after trimming. */
export const DISPLAY_NAME_MAX = 64;

/** Combining marks one character may carry: Vietnamese needs two (ệ = e + U+0323 + U+0302). */
export const MAX_STACKED_MARKS = 2;

/** Control (Cc), format (Cf: zero-width, bidi controls), lone surrogates (Cs), line and paragraph separators. */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;
/** Invisible or blank-looking: default-ignorable code points and the braille blank. */
const BLANK_LOOKING = /[\p{Default_Ignorable_Code_Point}\u2800]/u;
/** A space separator other than the ordinary space. */
const OTHER_SPACE = /(?! )\p{Zs}/u;
const MARK = /^\p{M}$/u;

/** "U+3164 at character 2": the code point and its place (1-based, in code points) in the name as given. */
function where(v: string, index: number, ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} at character ${[...v.slice(0, index)].length + 1}`;
}

function refuse(message: string): never {
  throw new CitySocError('INPUT_INVALID', message);
}

/**
 * The stored form of a display name: trimmed and NFC-normalised; null (no display name) for
 * null, undefined or blank. Anything else wrong is an INPUT_INVALID naming the field, the
 * character (its U+ code and place) or the limit.
 */
export function checkDisplayName(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string') refuse('displayName must be a string (or null to clear it)');
  // checked before trimming: trim() would silently drop a byte-order mark, a newline or an odd space at either end
  for (const [pattern, what] of [
    [UNPRINTABLE, 'may not contain control or invisible formatting characters'],
    [BLANK_LOOKING, 'may not contain invisible or blank-looking characters'],
    [OTHER_SPACE, 'may contain no space but the ordinary one (U+0020)'],
  ] as const) {
    const bad = pattern.exec(v);
    if (bad) refuse(`displayName ${what} (found ${where(v, bad.index, bad[0])})`);
  }
  checkSpacesAndMarks(v);
  const s = v.trim().normalize('NFC');
  if (s === '') return null;
  const length = [...s].length;
  if (length > DISPLAY_NAME_MAX) refuse(`displayName is ${length} characters long: at most ${DISPLAY_NAME_MAX} are allowed (after trimming)`);
  return s;
}

/** Spaces (only U+0020 is left by now) and combining marks, walked once over the name as given. */
function checkSpacesAndMarks(v: string): void {
  let prev: string | undefined;
  let stacked = 0;
  let seenText = false;
  let i = 0;
  for (const ch of v.trimEnd()) {
    if (ch === ' ' && prev === ' ' && seenText) refuse(`displayName may not contain two spaces in a row (at character ${[...v.slice(0, i)].length + 1})`);
    if (MARK.test(ch) && (prev === undefined || prev === ' '))
      refuse(`displayName may not have a combining mark at the start or after a space (found ${where(v, i, ch)})`);
    for (const part of ch.normalize('NFD')) {
      stacked = MARK.test(part) ? stacked + 1 : 0;
      if (stacked > MAX_STACKED_MARKS)
        refuse(`displayName may not stack more than ${MAX_STACKED_MARKS} combining marks on one character (found ${where(v, i, ch)})`);
    }
    if (ch !== ' ') seenText = true;
    prev = ch;
    i += ch.length;
  }
}
