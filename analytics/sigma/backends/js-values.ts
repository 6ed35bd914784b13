// Value-level tests of the JS matcher: string shapes, wildcard regexes, comparisons, time parts.
import type { CompareOp, StringToken, TimePart } from '../model';
import { classifyString } from './base';

/** The cheapest string test for a pattern: string ops when the shape allows, else a regex. */
export function stringCheck(tokens: StringToken[], cased: boolean): (s: string) => boolean {
  const shape = classifyString(tokens);
  if (shape.kind === 'wildcard') {
    const re = wildcardRegex(shape.tokens, cased);
    return (s) => re.test(s);
  }
  const t = cased ? shape.text : shape.text.toLowerCase();
  switch (shape.kind) {
    case 'exact':
      return (s) => s === t;
    case 'prefix':
      return (s) => s.startsWith(t);
    case 'suffix':
      return (s) => s.endsWith(t);
    case 'contains':
      return (s) => s.includes(t);
  }
}

/** Anchored regex for a wildcard pattern; literals are lowercased unless cased (values are too). */
export function wildcardRegex(tokens: StringToken[], cased: boolean): RegExp {
  const body = tokens
    .map((t) => {
      if (t.kind === 'any') return '[\\s\\S]*';
      if (t.kind === 'one') return '[\\s\\S]';
      if (t.kind === 'literal') return (cased ? t.text : t.text.toLowerCase()).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      return '';
    })
    .join('');
  return new RegExp(`^${body}$`);
}

export function comparator(op: CompareOp, value: number): (n: number) => boolean {
  switch (op) {
    case 'gt':
      return (n) => n > value;
    case 'gte':
      return (n) => n >= value;
    case 'lt':
      return (n) => n < value;
    case 'lte':
      return (n) => n <= value;
  }
}

/** UTC parts of an ISO timestamp or epoch milliseconds; week is the ISO-8601 week number. */
export function extractTimePart(x: unknown, part: TimePart): number | undefined {
  const ms = typeof x === 'number' ? x : typeof x === 'string' ? Date.parse(x) : NaN;
  if (!Number.isFinite(ms)) return undefined;
  const d = new Date(ms);
  switch (part) {
    case 'minute':
      return d.getUTCMinutes();
    case 'hour':
      return d.getUTCHours();
    case 'day':
      return d.getUTCDate();
    case 'month':
      return d.getUTCMonth() + 1;
    case 'year':
      return d.getUTCFullYear();
    case 'week': {
      const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
      const day = t.getUTCDay() || 7;
      t.setUTCDate(t.getUTCDate() + 4 - day);
      const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
      return Math.ceil(((t.getTime() - yearStart) / 86_400_000 + 1) / 7);
    }
  }
}
