// Value modifiers (Sigma modifiers appendix v2.1): raw YAML values + `field|mod|mod` → FieldCondition.
// Transformation modifiers run left to right on intermediate values; type modifiers turn the
// value into a typed SigmaValue that backends must understand.
import { parseCidr } from '../../core/query/ip';
import { SigmaParseError, SigmaUnsupportedError, type SigmaWarning } from './errors';
import type { CompareOp, FieldCondition, Modifier, SigmaValue, StringToken, TimePart } from './model';
import { normalizeTokens, parseSigmaString } from './strings';

const KNOWN: ReadonlySet<string> = new Set<Modifier>([
  'contains',
  'startswith',
  'endswith',
  'all',
  'cased',
  'neq',
  'exists',
  'windash',
  're',
  'i',
  'm',
  's',
  'base64',
  'base64offset',
  'utf16le',
  'utf16be',
  'utf16',
  'wide',
  'lt',
  'lte',
  'gt',
  'gte',
  'minute',
  'hour',
  'day',
  'week',
  'month',
  'year',
  'cidr',
  'expand',
  'fieldref',
]);
const TIME_PARTS: ReadonlySet<string> = new Set(['minute', 'hour', 'day', 'week', 'month', 'year']);
const COMPARE: ReadonlySet<string> = new Set(['gt', 'gte', 'lt', 'lte']);
/** pySigma also accepts `re|ignorecase` etc.; map them onto the spec's one-letter flags. */
const RE_FLAG_ALIASES: Record<string, Modifier> = { ignorecase: 'i', multiline: 'm', dotall: 's' };

type Raw = string | number | boolean | null;

/** A value between modifiers: text not yet interpreted, a Sigma string, bytes, or a final typed value. */
type Work = { kind: 'raw'; value: Raw } | { kind: 'str'; tokens: StringToken[] } | { kind: 'bytes'; data: Buffer } | { kind: 'final'; value: SigmaValue };

export interface ParsedFieldKey {
  field: string | null;
  modifiers: Modifier[];
}

export function parseFieldKey(key: string, path: string): ParsedFieldKey {
  const [field, ...mods] = key.split('|');
  const modifiers = mods.map((m) => {
    const name = RE_FLAG_ALIASES[m] ?? m;
    if (!KNOWN.has(name)) throw new SigmaParseError('unknown-modifier', `unknown value modifier '${m}' in '${key}'`, { path });
    return name as Modifier;
  });
  return { field: field === '' || field === undefined ? null : field, modifiers };
}

export function buildFieldCondition(key: ParsedFieldKey, rawValues: unknown[], path: string, warnings: SigmaWarning[]): FieldCondition {
  const { field, modifiers } = key;
  const fail = (reason: string): never => {
    throw new SigmaParseError('invalid-value', reason, { path });
  };
  if (rawValues.length === 0) fail('a field needs at least one value (empty list)');
  for (const v of rawValues) {
    if (v !== null && typeof v === 'object') fail('values must be scalars, found a nested map or list');
  }
  if (rawValues.length > 1 && rawValues.includes(null)) fail('null cannot be part of a list of values (spec: Special Field Values)');

  const cond: FieldCondition = { field, modifiers, values: [], linking: 'or', cased: false, negated: false, path };
  const placeholders = modifiers.includes('expand');
  let work: Work[] = (rawValues as Raw[]).map((value) => ({ kind: 'raw', value }));
  let reFlags: { i: boolean; m: boolean; s: boolean } | undefined;

  for (const mod of modifiers) {
    switch (mod) {
      case 'all':
        cond.linking = 'and';
        if (rawValues.length === 1) warnings.push({ code: 'all-single-value', message: "'all' on a single value has no effect", path });
        break;
      case 'cased':
        cond.cased = true;
        break;
      case 'neq':
        cond.negated = true;
        break;
      case 'expand':
        break; // placeholders are recognised while the string is parsed (see toStr)
      case 'contains':
      case 'startswith':
      case 'endswith':
        work = work.map((w) => wrapWildcards(toStr(w, placeholders, path), mod));
        break;
      case 'windash':
        work = work.flatMap((w) => windash(toStr(w, placeholders, path)));
        break;
      case 'base64':
        // Base64 text is case-significant: 'QQ' and 'qq' are different bytes.
        cond.cased = true;
        work = work.map((w) => ({ kind: 'str', tokens: literalTokens(Buffer.from(toBytes(w, path)).toString('base64')) }));
        break;
      case 'base64offset':
        cond.cased = true;
        work = work.flatMap((w) => base64Offsets(toBytes(w, path)).map((s): Work => ({ kind: 'str', tokens: literalTokens(s) })));
        break;
      case 'utf16le':
      case 'wide':
        work = work.map((w) => ({ kind: 'bytes', data: Buffer.from(plain(w, path), 'utf16le') }));
        break;
      case 'utf16be':
        work = work.map((w) => ({ kind: 'bytes', data: Buffer.from(plain(w, path), 'utf16le').swap16() }));
        break;
      case 'utf16':
        work = work.map((w) => ({ kind: 'bytes', data: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(plain(w, path), 'utf16le')]) }));
        break;
      case 're':
        reFlags = { i: false, m: false, s: false };
        work = work.map((w) => ({ kind: 'final', value: { type: 'regex', pattern: rawText(w, 're', path), flags: reFlags! } }));
        break;
      case 'i':
      case 'm':
      case 's':
        if (!reFlags) fail(`regular expression flag '${mod}' must follow the 're' modifier`);
        else reFlags[mod] = true;
        break;
      case 'cidr':
        work = work.map((w) => ({ kind: 'final', value: cidrValue(rawText(w, 'cidr', path), path) }));
        break;
      case 'exists':
        work = work.map((w) => {
          if (w.kind !== 'raw' || typeof w.value !== 'boolean') return fail("'exists' takes true or false");
          return { kind: 'final', value: { type: 'exists', value: w.value } };
        });
        break;
      case 'fieldref':
        work = work.map((w) => ({ kind: 'final', value: { type: 'fieldref', field: rawText(w, 'fieldref', path) } }));
        break;
      default:
        if (COMPARE.has(mod)) {
          work = work.map((w) => ({ kind: 'final', value: { type: 'compare', op: mod as CompareOp, value: numeric(w, mod, path) } }));
        } else if (TIME_PARTS.has(mod)) {
          if (cond.timePart) fail('only one time-part modifier per field');
          cond.timePart = mod as TimePart;
        }
    }
  }
  if (field === null && cond.values.length === 0 && modifiers.some((m) => m === 'exists' || m === 'fieldref' || COMPARE.has(m))) {
    fail(`modifier '${modifiers.join('|')}' needs a field name`);
  }
  cond.values = work.map((w) => finalValue(w, cond));
  if (cond.timePart && cond.values.some((v) => v.type !== 'number' && v.type !== 'compare')) {
    fail(`time-part modifier '${cond.timePart}' needs numeric values`);
  }
  return cond;
}

function finalValue(w: Work, cond: FieldCondition): SigmaValue {
  switch (w.kind) {
    case 'final':
      return w.value;
    case 'str':
      return { type: 'string', tokens: normalizeTokens(w.tokens) };
    case 'bytes':
      // Encoded text with no following base64: match the code units as a (binary) string.
      return { type: 'string', tokens: literalTokens(w.data.toString('latin1')) };
    case 'raw': {
      const v = w.value;
      if (v === null) return { type: 'null' };
      if (typeof v === 'number') return { type: 'number', value: v };
      if (typeof v === 'boolean') return { type: 'boolean', value: v };
      return { type: 'string', tokens: normalizeTokens(parseSigmaString(v, cond.modifiers.includes('expand'))) };
    }
  }
}

function toStr(w: Work, placeholders: boolean, path: string): Work & { kind: 'str' } {
  if (w.kind === 'str') return w;
  if (w.kind === 'bytes') return { kind: 'str', tokens: literalTokens(w.data.toString('latin1')) };
  if (w.kind === 'raw' && w.value !== null && typeof w.value !== 'boolean') {
    return { kind: 'str', tokens: parseSigmaString(String(w.value), placeholders) };
  }
  throw new SigmaParseError('invalid-value', `string modifier applied to a ${describe(w)} value`, { path });
}

/** The unescaped text of a value for encoders; wildcards cannot survive an encoding. */
function plain(w: Work, path: string): string {
  const s = toStr(w, false, path);
  let out = '';
  for (const t of s.tokens) {
    if (t.kind !== 'literal') throw new SigmaUnsupportedError('wildcard-in-encoded', 'wildcards or placeholders cannot be encoded (base64/utf16)', { path });
    out += t.text;
  }
  return out;
}

function toBytes(w: Work, path: string): Buffer {
  return w.kind === 'bytes' ? w.data : Buffer.from(plain(w, path), 'utf8');
}

/** Type modifiers read the YAML text itself: no wildcard or escape processing. */
function rawText(w: Work, mod: string, path: string): string {
  if (w.kind === 'raw' && (typeof w.value === 'string' || typeof w.value === 'number')) return String(w.value);
  throw new SigmaParseError('invalid-value', `'${mod}' needs a plain string value, got ${describe(w)}`, { path });
}

function numeric(w: Work, mod: string, path: string): number {
  if (w.kind === 'raw') {
    const n = typeof w.value === 'number' ? w.value : typeof w.value === 'string' && w.value.trim() !== '' ? Number(w.value) : NaN;
    if (Number.isFinite(n)) return n;
  }
  throw new SigmaParseError('invalid-value', `'${mod}' needs a number, got ${describe(w)}`, { path });
}

/** A CIDR range, a bare address being its own /32 or /128; exact text (spaces are not part of an address). */
function cidrValue(text: string, path: string): SigmaValue {
  const [addr = '', len, extra] = text.split('/');
  const range = extra === undefined ? parseCidr(`${addr}/${len ?? (addr.includes(':') ? 128 : 32)}`) : null;
  if (!range) throw new SigmaParseError('invalid-cidr', `'${text}' is not an IPv4 or IPv6 CIDR range`, { path });
  return { type: 'cidr', network: addr, prefix: range.prefix, version: range.bits === 32 ? 4 : 6 };
}

function wrapWildcards(w: Work & { kind: 'str' }, mod: 'contains' | 'startswith' | 'endswith'): Work {
  const tokens = [...w.tokens];
  if (mod !== 'startswith' && tokens[0]?.kind !== 'any') tokens.unshift({ kind: 'any' });
  if (mod !== 'endswith' && tokens[tokens.length - 1]?.kind !== 'any') tokens.push({ kind: 'any' });
  return { kind: 'str', tokens };
}

const WINDASH_CHARS = ['-', '/', '\u2013', '\u2014', '\u2015'];

/**
 * Like pySigma: a dash or slash that starts a word after a non-word char (a command-line flag)
 * is expanded into every dash variant; other dashes (inside words) stay.
 */
function windash(w: Work & { kind: 'str' }): Work[] {
  let variants: StringToken[][] = [[]];
  for (const t of w.tokens) {
    if (t.kind !== 'literal') {
      variants = variants.map((v) => [...v, t]);
      continue;
    }
    const pieces = t.text.split(/(?<!\w)([-/])(?=\w)/);
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i] as string;
      const options = i % 2 === 1 ? WINDASH_CHARS : [piece];
      variants = variants.flatMap((v) => options.map((o) => [...v, { kind: 'literal', text: o } as StringToken]));
    }
  }
  return variants.map((tokens) => ({ kind: 'str', tokens: normalizeTokens(tokens) }));
}

/** The three base64 renderings of `data` at byte offsets 0..2, trimmed to their stable middle. */
export function base64Offsets(data: Buffer): string[] {
  const start = [0, 2, 3];
  const end = [undefined, -3, -2];
  return [0, 1, 2].map((i) => {
    const enc = Buffer.concat([Buffer.alloc(i, ' '), data]).toString('base64');
    return enc.slice(start[i], end[(data.length + i) % 3]);
  });
}

function literalTokens(text: string): StringToken[] {
  return text ? [{ kind: 'literal', text }] : [];
}

function describe(w: Work): string {
  if (w.kind === 'raw') return w.value === null ? 'null' : typeof w.value;
  return w.kind === 'final' ? w.value.type : w.kind;
}
