import { createHash } from 'node:crypto';
import type { AuditRecord } from './audit';
import { GENESIS_HASH, hashRecord, sealRecord } from './audit-chain';
import { canonicalJson } from './canonical';

/** The reference: canonical JSON in its plainest form, which the optimized one must match byte for byte. */
function referenceCanonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(referenceCanonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${referenceCanonicalJson(v)}`).join(',')}}`;
}

/** The outcome of f: its result, or the error it throws (both implementations must agree on either). */
function outcome(f: () => string): string {
  try {
    return `ok ${f()}`;
  } catch (e) {
    return `throws ${(e as Error).name}: ${(e as Error).message}`;
  }
}

const same = (v: unknown) => expect(outcome(() => canonicalJson(v))).toBe(outcome(() => referenceCanonicalJson(v)));

describe('the audit chain writes the canonical JSON of canonical.ts', () => {
  it('for awkward values', () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y?: number,
      ) {}
    }
    const holes = [1, , 3]; // eslint-disable-line no-sparse-arrays
    const withGetter = Object.defineProperty({ b: 1 }, 'a', { enumerable: true, get: () => 'got' });
    const cases: unknown[] = [
      null,
      undefined,
      true,
      false,
      0,
      -0,
      1.5,
      -1e21,
      1e21,
      5e-7,
      Number.MAX_SAFE_INTEGER,
      NaN,
      Infinity,
      -Infinity,
      '',
      'plain',
      '城管 "quoted" \\ back\nslash\t\u0000\u001f\u2028\u2029 😀 \ud800',
      [],
      {},
      [undefined, null, () => 1, Symbol('s'), NaN],
      holes,
      { b: 1, a: 2, c: undefined, d: null, e: () => 1, f: Symbol('s') },
      { '10': 'x', '2': 'y', '1': 'z', a: 1, A: 2, _: 3, '': 4, 'a.b': 5, 'a-b': 6, '@x': 7, $y: 8 },
      { 'with space': 1, 'quote"': 2, 'back\\slash': 3, 'new\nline': 4, 城管: 5, é: 6, '😀': 7, '\u2028': 8 },
      { nested: { z: [{ b: 2, a: 1 }, [[]], {}], y: { x: { w: 'deep' } } } },
      new Date('2026-11-20T02:00:00Z'),
      { at: new Date(0), m: new Map([['k', 1]]), s: new Set([1]), r: /x/g },
      new Uint8Array([3, 1, 2]),
      Object.assign(Object.create(null), { b: 1, a: 2 }),
      new Point(1, undefined),
      [new Point(2, 3)],
      { toJSON: () => 'ignored for objects', k: 1 },
      Object.assign(() => 1, { toJSON: () => 'used for functions' }),
      new String('ab'),
      new Number(3),
      withGetter,
      { big: 1n },
      [2n],
    ];
    for (const v of cases) same(v);
  });

  it('for many generated values', () => {
    let seed = 42;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const keys = ['a', 'b', 'B', '_', '1', '10', '2', 'x.y', 'x-y', 'x y', '城管', 'é', '"', '\\', '', 'constructor', 'toString'];
    const scalars = [null, undefined, true, false, 0, -0, 1, -1.25, 1e300, NaN, 'a', '', '城管', '"\\\n', '\u2028', 'x'.repeat(100)];
    const gen = (depth: number): unknown => {
      const kind = depth > 3 ? 0 : rnd(4);
      if (kind <= 1) return scalars[rnd(scalars.length)];
      if (kind === 2) return Array.from({ length: rnd(5) }, () => gen(depth + 1));
      const o: Record<string, unknown> = {};
      for (let i = rnd(6); i > 0; i--) o[keys[rnd(keys.length)]!] = gen(depth + 1);
      return o;
    };
    for (let i = 0; i < 3000; i++) same(gen(0));
  });

  it('so a record hashes as it always has', () => {
    const record: Omit<AuditRecord, 'hash'> = {
      seq: 7,
      at: '2026-11-20T02:00:00.000Z',
      actor: 'alice',
      actorType: 'user',
      action: 'authz.decide',
      resource: 'events',
      decision: 'allow',
      reason: 'policy p1 (role analyst, department 城管)',
      details: { subject: 'alice', rowFilter: 'organization.name:城管', fields: ['citysoc.person.phone:mask'], nested: { b: 1, a: [1, null] } },
      prevHash: GENESIS_HASH,
    };
    const expected = createHash('sha256').update(record.prevHash).update(referenceCanonicalJson(record)).digest('hex');
    expect(hashRecord(record)).toBe(expected);
    expect(sealRecord(record)).toEqual({ json: referenceCanonicalJson(record), hash: expected });
  });
});
