/** Turns the parser's tree into the typed tree every store compiles, using the field catalogue. */
import { CitySocError } from '../errors';
import { fieldNameProblem, fieldSpec, TEXT_FIELD } from '../fields';
import type { QueryNode, RawNode, WildPart } from './ast';
import { DAY_MS, isDayOnly, resolveDate } from './dates';
import { canonicalIp, parseCidr } from './ip';
import { parseQuery } from './parse';

function fieldError(field: string, msg: string): CitySocError {
  return new CitySocError('QUERY_FIELD', `${field}: ${msg}`, { field });
}

function literal(parts: readonly WildPart[]): string | null {
  return parts.every((p) => typeof p === 'string') ? (parts as string[]).join('') : null;
}

function textNode(field: string, parts: readonly WildPart[], quoted: boolean): QueryNode {
  if (quoted) return { type: 'text', field, text: (parts as string[]).join(''), prefix: false };
  const lit = literal(parts);
  if (lit !== null) return { type: 'text', field, text: lit, prefix: false };
  const last = parts[parts.length - 1];
  const head = parts.slice(0, -1);
  if (typeof last !== 'string' && last?.wild === '*' && head.length > 0 && literal(head) !== null) {
    return { type: 'text', field, text: literal(head)!, prefix: true };
  }
  throw fieldError(field, 'full-text search supports a trailing * only (prefix search, e.g. fail*)');
}

function analyzeValue(field: string, parts: readonly WildPart[], quoted: boolean, now: Date): QueryNode {
  const spec = fieldSpec(field);
  const lit = quoted ? (parts as string[]).join('') : literal(parts);
  switch (spec.type) {
    case 'text':
      return textNode(field, parts, quoted);
    case 'keyword':
      return lit !== null ? { type: 'keyword', field, value: lit } : { type: 'wildcard', field, parts };
    case 'long':
    case 'double': {
      if (lit === null || lit.trim() === '' || !Number.isFinite(Number(lit)))
        throw fieldError(field, `is a number; '${lit ?? parts.map((p) => (typeof p === 'string' ? p : p.wild)).join('')}' is not`);
      return { type: 'number', field, value: Number(lit) };
    }
    case 'boolean':
      if (lit !== 'true' && lit !== 'false') throw fieldError(field, `is true or false; '${lit}' is neither`);
      return { type: 'bool', field, value: lit === 'true' };
    case 'ip': {
      if (lit === null) throw fieldError(field, 'is an IP address: wildcards do not apply, use CIDR notation such as 10.0.0.0/8');
      if (lit.includes('/')) {
        if (!parseCidr(lit)) throw fieldError(field, `'${lit}' is not a valid CIDR block`);
        return { type: 'cidr', field, cidr: lit };
      }
      const ip = canonicalIp(lit);
      if (ip === null) throw fieldError(field, `'${lit}' is not an IPv4 or IPv6 address`);
      return { type: 'ip', field, value: ip };
    }
    case 'date': {
      if (lit === null) throw fieldError(field, 'is a date: wildcards do not apply, use a range such as [2026-01-01 TO 2026-02-01}');
      const ms = resolveDate(lit, now, field);
      return isDayOnly(lit) ? { type: 'date_range', field, gte: ms, lt: ms + DAY_MS } : { type: 'date_range', field, gte: ms, lte: ms };
    }
  }
}

function analyzeRange(node: Extract<RawNode, { kind: 'range' }>, now: Date): QueryNode {
  const { field } = node;
  const spec = fieldSpec(field);
  const bounds = { gt: node.gt, gte: node.gte, lt: node.lt, lte: node.lte };
  const map = <T>(f: (v: string) => T) =>
    Object.fromEntries(
      Object.entries(bounds)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, f(v!)]),
    ) as { gt?: T; gte?: T; lt?: T; lte?: T };
  switch (spec.type) {
    case 'date':
      return { type: 'date_range', field, ...map((v) => resolveDate(v, now, field)) };
    case 'long':
    case 'double':
      return {
        type: 'number_range',
        field,
        ...map((v) => {
          if (v.trim() === '' || !Number.isFinite(Number(v))) throw fieldError(field, `is a number; range bound '${v}' is not`);
          return Number(v);
        }),
      };
    case 'keyword':
      return { type: 'keyword_range', field, ...map((v) => v) };
    default:
      throw fieldError(field, `ranges do not apply to ${spec.type} fields${spec.type === 'ip' ? ' (use CIDR notation)' : ''}`);
  }
}

function checkField(field: string): void {
  const problem = fieldNameProblem(field);
  if (problem) throw fieldError(field.length > 64 ? `${field.slice(0, 64)}…` : field, problem);
}

export function analyze(node: RawNode, now: Date = new Date()): QueryNode {
  switch (node.kind) {
    case 'all':
      return { type: 'all' };
    case 'and':
    case 'or':
      return { type: node.kind, children: node.children.map((c) => analyze(c, now)) };
    case 'not':
      return { type: 'not', child: analyze(node.child, now) };
    case 'exists':
      checkField(node.field);
      return { type: 'exists', field: node.field };
    case 'range':
      checkField(node.field);
      return analyzeRange(node, now);
    case 'value':
      if (node.field === null) return textNode(TEXT_FIELD, node.parts, node.quoted);
      checkField(node.field);
      return analyzeValue(node.field, node.parts, node.quoted, now);
  }
}

/** Parse and type a query string in one step; empty or blank means everything. */
export function compileQuery(text: string | undefined, now: Date = new Date()): QueryNode {
  if (text === undefined || text.trim() === '') return { type: 'all' };
  return analyze(parseQuery(text), now);
}
