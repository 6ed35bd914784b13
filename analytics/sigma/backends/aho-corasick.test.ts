import { AhoCorasick, IdList } from './aho-corasick';

/** A deterministic pseudo-random source (LCG), so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}

function found(ac: AhoCorasick, texts: string[], fold = false): number[] {
  const seen = new Int32Array(ac.nodeCount);
  const out = new IdList();
  for (const t of texts) if (!ac.search(t, seen, 7, out, fold)) ac.search(t.toLowerCase(), seen, 7, out);
  return [...out.ids.subarray(0, out.length)].sort((a, b) => a - b);
}

const expected = (patterns: string[], texts: string[]): number[] =>
  patterns.flatMap((p, id) => (p !== '' && texts.some((t) => t.includes(p)) ? [id] : [])).sort((a, b) => a - b);

describe('AhoCorasick', () => {
  test('reports exactly the patterns that occur, each once, never across two texts', () => {
    const patterns = ['he', 'she', 'his', 'hers', 'e', 'ab', 'b', 'abc', 'xyz', 'zx'];
    const ac = new AhoCorasick(patterns);
    expect(found(ac, ['ushers'])).toEqual(expected(patterns, ['ushers']));
    expect(found(ac, ['abcab', 'hhe'])).toEqual(expected(patterns, ['abcab', 'hhe']));
    expect(found(ac, ['xy', 'zx'])).toEqual([patterns.indexOf('zx')]); // no 'xyz' across the texts
  });

  test('agrees with String.includes on random patterns and texts, busy nodes (dense rows) included', () => {
    const random = rng(42);
    const alphabet = 'abcdefghijklmnop\\.-: 0123';
    const word = (max: number): string =>
      Array.from({ length: 1 + Math.floor(random() * max) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
    for (let round = 0; round < 30; round++) {
      const patterns = Array.from({ length: 5 + Math.floor(random() * 400) }, () => word(round % 2 ? 3 : 8));
      const ac = new AhoCorasick(patterns);
      for (let k = 0; k < 10; k++) {
        const texts = Array.from({ length: 1 + Math.floor(random() * 3) }, () => word(60));
        expect(found(ac, texts)).toEqual(expected(patterns, texts));
      }
    }
  });

  test('a folded search finds what a search of the lowercased text finds', () => {
    const patterns = ['powershell', 'i\u0307stanbul', 'straße', 'σ', 'ς', 'ασ', 'ας', '\u{10428}', 'k', '\u01c6', 'x\u0307', 'ß'];
    const ac = new AhoCorasick(patterns);
    const texts = [
      'C:\\Windows\\PowerShell.EXE',
      '\u0130STANBUL', // İ lowercases to two units
      'ΑΣ ΑΣΑ', // final sigma: the lowercase of Σ depends on what follows
      '\u{10400}', // a surrogate pair lowercasing to another pair
      '\u212a', // Kelvin sign lowercases to k
      '\u01c5 \u01c4', // title case and upper case digraphs
      'STRASSE STRA\u1e9eE',
    ];
    for (const t of texts) expect(found(ac, [t], true)).toEqual(expected(patterns, [t.toLowerCase()]));
    expect(found(ac, texts, true)).toEqual(
      expected(
        patterns,
        texts.map((t) => t.toLowerCase()),
      ),
    );
  });

  test('marks make each pattern reported once per mark, and a new mark starts afresh', () => {
    const ac = new AhoCorasick(['a', 'ab', 'b']);
    const seen = new Int32Array(ac.nodeCount);
    const out = new IdList();
    ac.search('abab', seen, 1, out);
    ac.search('ba', seen, 1, out);
    expect([...out.ids.subarray(0, out.length)].sort()).toEqual([0, 1, 2]);
    out.clear();
    ac.search('b', seen, 2, out);
    expect([...out.ids.subarray(0, out.length)]).toEqual([2]);
  });

  test('an IdList grows past its initial capacity', () => {
    const list = new IdList();
    for (let i = 0; i < 1000; i++) list.push(i);
    expect(list.length).toBe(1000);
    expect(list.ids[999]).toBe(999);
  });
});
