// A rule set's prefilter tables (sigma/backends/prefilter.ts) as bytes, for the compiled-rule
// cache: a JSON line of names and lengths, then the typed arrays' own bytes. Restoring copies
// bytes into fresh arrays, which costs a fraction of building the automaton again.
import { endianness } from 'node:os';
import type { AutomatonTables } from '../sigma/backends/aho-corasick';
import type { PrefilterTables } from '../sigma/backends/prefilter';

const AUTOMATON = ['classOf', 'foldedClassOf', 'nodes', 'edges', 'rows', 'nextReport', 'outStart', 'outIds'] as const;
const RULES = ['triggerStart', 'triggerRules', 'restStart', 'clauseStart', 'clauseIds', 'always'] as const;

interface Meta {
  endianness: string;
  patternCount: number;
  scanFields: string[];
  /** The keyword automaton's pattern count, when there is one (its arrays follow RULES). */
  anywherePatternCount?: number;
  keys: string[];
  ruleCount: number;
  /** Length (in elements) of each array: AUTOMATON, RULES, then AUTOMATON again for the keyword automaton. */
  lengths: number[];
}

export function encodePrefilter(t: PrefilterTables): Buffer {
  const arrays = [
    ...AUTOMATON.map((k) => t.automaton[k]),
    ...RULES.map((k) => t[k]),
    ...(t.anywhere ? AUTOMATON.map((k) => (t.anywhere as AutomatonTables)[k]) : []),
  ];
  const meta: Meta = {
    endianness: endianness(),
    patternCount: t.automaton.patternCount,
    scanFields: t.scanFields,
    ...(t.anywhere ? { anywherePatternCount: t.anywhere.patternCount } : {}),
    keys: t.keys,
    ruleCount: t.ruleCount,
    lengths: arrays.map((a) => a.length),
  };
  const json = Buffer.from(`${JSON.stringify(meta)}\n`, 'utf8');
  // The arrays start on a multiple of 4 so a reader could view them in place.
  const pad = (4 - (json.length % 4)) % 4;
  return Buffer.concat([json, Buffer.alloc(pad, 0x20), ...arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))]);
}

/** The tables back; throws when the bytes are not an encoding made on a machine of this byte order. */
export function decodePrefilter(bytes: Buffer): PrefilterTables {
  const nl = bytes.indexOf(0x0a);
  if (nl < 0) throw new Error('prefilter image has no header');
  const meta = JSON.parse(bytes.toString('utf8', 0, nl)) as Meta;
  if (meta.endianness !== endianness()) throw new Error(`prefilter image is ${meta.endianness}, this machine ${endianness()}`);
  const names = [...AUTOMATON, ...RULES];
  const expected = names.length + (meta.anywherePatternCount === undefined ? 0 : AUTOMATON.length);
  if (!Array.isArray(meta.lengths) || meta.lengths.length !== expected) throw new Error('prefilter image lists other arrays');
  let at = nl + 1;
  at += (4 - (at % 4)) % 4;
  const arrays = meta.lengths.map((length) => {
    if (!Number.isSafeInteger(length) || length < 0 || at + length * 4 > bytes.length) throw new Error('prefilter image is truncated');
    const a = new Int32Array(length);
    new Uint8Array(a.buffer).set(bytes.subarray(at, at + length * 4));
    at += length * 4;
    return a;
  });
  if (at !== bytes.length) throw new Error('prefilter image has trailing bytes');
  const get = (n: (typeof RULES)[number]): Int32Array => arrays[AUTOMATON.length + RULES.indexOf(n)] as Int32Array;
  const automatonAt = (patternCount: number, from: number): AutomatonTables => {
    const at = (k: (typeof AUTOMATON)[number]): Int32Array => arrays[from + AUTOMATON.indexOf(k)] as Int32Array;
    return {
      patternCount,
      classOf: at('classOf'),
      foldedClassOf: at('foldedClassOf'),
      nodes: at('nodes'),
      edges: at('edges'),
      rows: at('rows'),
      nextReport: at('nextReport'),
      outStart: at('outStart'),
      outIds: at('outIds'),
    };
  };
  return {
    automaton: automatonAt(meta.patternCount, 0),
    scanFields: meta.scanFields,
    ...(meta.anywherePatternCount === undefined ? {} : { anywhere: automatonAt(meta.anywherePatternCount, names.length) }),
    keys: meta.keys,
    ruleCount: meta.ruleCount,
    triggerStart: get('triggerStart'),
    triggerRules: get('triggerRules'),
    restStart: get('restStart'),
    clauseStart: get('clauseStart'),
    clauseIds: get('clauseIds'),
    always: get('always'),
  };
}
