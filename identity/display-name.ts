/**
 * A person's display name (张伟), shown beside the username wherever people are picked. It is
 * free text typed by an administrator and shown to every analyst, so it is kept printable:
 * invisible formatting (zero-width characters, bidirectional overrides that could make
 * "张伟 (wangwu)" read as someone else) and control characters are refused, not stripped.
 */
import { CitySocError } from '../core/errors';

/** In characters (code points), after trimming. */
export const DISPLAY_NAME_MAX = 64;

/** Control (Cc), format (Cf: zero-width, bidi controls), lone surrogates (Cs), line and paragraph separators. */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;

/**
 * The stored form of a display name: trimmed and NFC-normalised; null (no display name) for
 * null, undefined or blank. Anything else wrong is an INPUT_INVALID naming the field and the limit.
 */
export function checkDisplayName(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string') throw new CitySocError('INPUT_INVALID', 'displayName must be a string (or null to clear it)');
  // checked before trimming: trim() would silently drop a byte-order mark or a newline at either end
  const bad = UNPRINTABLE.exec(v);
  if (bad)
    throw new CitySocError(
      'INPUT_INVALID',
      `displayName may not contain control or invisible formatting characters (found U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} at character ${[...v.slice(0, bad.index)].length + 1})`,
    );
  const s = v.trim().normalize('NFC');
  if (s === '') return null;
  const length = [...s].length;
  if (length > DISPLAY_NAME_MAX)
    throw new CitySocError('INPUT_INVALID', `displayName is ${length} characters long: at most ${DISPLAY_NAME_MAX} are allowed (after trimming)`);
  return s;
}
