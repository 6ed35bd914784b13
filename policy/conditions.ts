/**
 * ABAC conditions of a policy line: `classification<=内部 & zone=政务外网|指挥网 & hours=08:00-20:00
 * & ip=10.0.0.0/8`. Parsed once at load; evaluated against the request context. An attribute the
 * request does not state is "unknown": an allow needs its condition to hold, a deny applies
 * unless its condition is known not to hold — so missing context never widens access.
 */
import { CLASSIFICATIONS, type Classification } from '../core/event';
import { cidrContains, parseCidr } from '../core/query/ip';

export const ZONES = ['政务外网', '指挥网', '互联网', '政务内网'] as const;

export interface Condition {
  readonly source: string;
  /** Classifications the rule covers; null = any. */
  readonly classifications: ReadonlySet<Classification> | null;
  readonly zones: ReadonlySet<string> | null;
  readonly zonesExcluded: ReadonlySet<string> | null;
  /** Minutes of the local day, [from, to); from > to wraps midnight. */
  readonly hours: readonly [number, number] | null;
  readonly cidrs: readonly string[] | null;
}

export interface ConditionContext {
  readonly zone?: string;
  /** Minute of the local day 0..1439. */
  readonly minute?: number;
  readonly ip?: string;
}

export type Tri = true | false | 'unknown';

export const ALWAYS: Condition = { source: '', classifications: null, zones: null, zonesExcluded: null, hours: null, cidrs: null };

const LEVEL = new Map<string, number>(CLASSIFICATIONS.map((c, i) => [c, i]));

export class ConditionSyntaxError extends Error {}

function classificationsFor(op: string, values: string[]): Set<Classification> {
  for (const v of values) if (!LEVEL.has(v)) throw new ConditionSyntaxError(`classification '${v}' is not one of ${CLASSIFICATIONS.join(', ')}`);
  if (op === '=') return new Set(values as Classification[]);
  if (op === '!=') return new Set(CLASSIFICATIONS.filter((c) => !values.includes(c)));
  if (values.length !== 1) throw new ConditionSyntaxError(`classification${op} takes one level`);
  const level = LEVEL.get(values[0]!)!;
  const keep = { '<=': (l: number) => l <= level, '<': (l: number) => l < level, '>=': (l: number) => l >= level, '>': (l: number) => l > level }[op];
  if (!keep) throw new ConditionSyntaxError(`classification does not take the operator ${op}`);
  return new Set(CLASSIFICATIONS.filter((c) => keep(LEVEL.get(c)!)));
}

function minuteOf(hhmm: string): number {
  const m = /^(\d{1,2})(?::(\d{2}))?$/.exec(hhmm);
  if (!m || Number(m[1]) > 24 || Number(m[2] ?? 0) > 59) throw new ConditionSyntaxError(`'${hhmm}' is not a time of day such as 08:00`);
  return Number(m[1]) * 60 + Number(m[2] ?? 0);
}

export function parseCondition(source: string): Condition {
  const text = source.trim();
  if (text === '' || text === '*') return ALWAYS;
  const c: { -readonly [K in keyof Condition]: Condition[K] } = { ...ALWAYS, source: text };
  for (const clause of text.split('&').map((s) => s.trim())) {
    const m = /^(classification|zone|hours|ip)\s*(<=|>=|!=|=|<|>)\s*(.+)$/.exec(clause);
    if (!m)
      throw new ConditionSyntaxError(
        `'${clause}' is not a condition; expected classification|zone|hours|ip, an operator and values such as zone=政务外网|指挥网`,
      );
    const [, key, op, rest] = m as unknown as [string, string, string, string];
    const values = rest.split('|').map((v) => v.trim());
    if (values.some((v) => v === '')) throw new ConditionSyntaxError(`'${clause}' has an empty value`);
    switch (key) {
      case 'classification':
        c.classifications = classificationsFor(op, values);
        break;
      case 'zone':
        for (const z of values) if (!(ZONES as readonly string[]).includes(z)) throw new ConditionSyntaxError(`zone '${z}' is not one of ${ZONES.join(', ')}`);
        if (op === '=') c.zones = new Set(values);
        else if (op === '!=') c.zonesExcluded = new Set(values);
        else throw new ConditionSyntaxError(`zone takes = or !=, not ${op}`);
        break;
      case 'hours': {
        const hm = op === '=' && values.length === 1 ? /^(\S+)\s*-\s*(\S+)$/.exec(values[0]!) : null;
        if (!hm) throw new ConditionSyntaxError(`hours takes one span such as hours=08:00-20:00`);
        c.hours = [minuteOf(hm[1]!), minuteOf(hm[2]!)];
        break;
      }
      case 'ip':
        for (const v of values)
          if (!parseCidr(v.includes('/') ? v : v.includes(':') ? `${v}/128` : `${v}/32`))
            throw new ConditionSyntaxError(`'${v}' is not an IP address or CIDR block`);
        if (op !== '=') throw new ConditionSyntaxError(`ip takes =, not ${op}`);
        c.cidrs = values.map((v) => (v.includes('/') ? v : v.includes(':') ? `${v}/128` : `${v}/32`));
        break;
    }
  }
  return c;
}

function and(a: Tri, b: Tri): Tri {
  if (a === false || b === false) return false;
  return a === 'unknown' || b === 'unknown' ? 'unknown' : true;
}

/** The condition's context part (zone, time, ip); classification is judged per resource or per row. */
export function contextHolds(c: Condition, ctx: ConditionContext): Tri {
  let r: Tri = true;
  if (c.zones || c.zonesExcluded) {
    if (ctx.zone === undefined) r = and(r, 'unknown');
    else r = and(r, (!c.zones || c.zones.has(ctx.zone)) && !(c.zonesExcluded && c.zonesExcluded.has(ctx.zone)));
  }
  if (c.hours) {
    if (ctx.minute === undefined) r = and(r, 'unknown');
    else {
      const [from, to] = c.hours;
      r = and(r, from <= to ? ctx.minute >= from && ctx.minute < to : ctx.minute >= from || ctx.minute < to);
    }
  }
  if (c.cidrs) {
    if (ctx.ip === undefined) r = and(r, 'unknown');
    else
      r = and(
        r,
        c.cidrs.some((b) => cidrContains(b, ctx.ip!)),
      );
  }
  return r;
}

export function classificationHolds(c: Condition, classification: Classification | undefined): Tri {
  if (!c.classifications) return true;
  if (classification === undefined) return 'unknown';
  return c.classifications.has(classification);
}
