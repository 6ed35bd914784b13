// Multi-literal search: one pass over a text reports which of many literals occur in it.
// Built as a trie, then flattened into typed arrays for speed on large pattern sets: nodes are
// numbered breadth first (the shallow nodes most texts keep returning to sit together), each
// node is one record of four numbers, characters become small class numbers, a node's
// transitions are a run of (class, target) pairs or, for busy nodes, a dense row, and each node
// links to the nearest suffix node that ends a pattern, so reporting costs one step per pattern
// found rather than a walk over every pattern ending there.

/** Nodes with at least this many transitions get a dense row (one slot per character class). */
const DENSE_FANOUT = 12;
/** Node record: [transitions, count (or -1: dense row at `transitions`), failure node, report node]. */
const STRIDE = 4;

/** An automaton's tables: what `tables()` gives and `fromTables` takes back. */
export interface AutomatonTables {
  patternCount: number;
  classOf: Int32Array;
  foldedClassOf: Int32Array;
  nodes: Int32Array;
  edges: Int32Array;
  rows: Int32Array;
  nextReport: Int32Array;
  outStart: Int32Array;
  outIds: Int32Array;
}

export class AhoCorasick {
  readonly nodeCount: number;
  readonly patternCount: number;
  /** Character code → class (0: in no pattern). */
  private readonly classOf: Int32Array;
  /** Character code → class of its lowercase; FOLD_FAILS where that is not one unit on its own. */
  private readonly foldedClassOf: Int32Array;
  private readonly nodes: Int32Array;
  /** Sparse transitions as (class, target) pairs; dense rows hold a target per class. */
  private readonly edges: Int32Array;
  private readonly rows: Int32Array;
  /** Node → next node ending a pattern on its suffix chain after itself, or 0. */
  private readonly nextReport: Int32Array;
  private readonly outStart: Int32Array;
  private readonly outIds: Int32Array;

  constructor(patterns: readonly string[]) {
    this.patternCount = patterns.length;
    const classOf = new Int32Array(65536);
    let classes = 1;
    for (const p of patterns)
      for (let i = 0; i < p.length; i++) {
        const c = p.charCodeAt(i);
        if (classOf[c] === 0) classOf[c] = classes++;
      }
    this.classOf = classOf;
    const lower = lowerTable();
    this.foldedClassOf = new Int32Array(65536);
    for (let c = 0; c < 65536; c++) this.foldedClassOf[c] = lower[c] === NO_SINGLE_LOWER ? FOLD_FAILS : (classOf[lower[c] as number] as number);

    // The trie: one map from (node, class) to child, children as linked lists, terminal nodes.
    const childOf = new Map<number, number>();
    const firstChild: number[] = [0];
    const sibling: number[] = [0];
    const label: number[] = [0];
    const fanout: number[] = [0];
    const patternNode = new Int32Array(patterns.length);
    patterns.forEach((p, id) => {
      let node = 0;
      for (let i = 0; i < p.length; i++) {
        const c = classOf[p.charCodeAt(i)] as number;
        const key = node * classes + c;
        let n = childOf.get(key);
        if (n === undefined) {
          n = label.length;
          childOf.set(key, n);
          label.push(c);
          firstChild.push(0);
          fanout.push(0);
          sibling.push(firstChild[node] as number);
          firstChild[node] = n;
          fanout[node] = (fanout[node] as number) + 1;
        }
        node = n;
      }
      patternNode[id] = node;
    });
    childOf.clear();
    const count = label.length;
    this.nodeCount = count;

    // Breadth-first numbering: order[n] is the trie node numbered n.
    const order = new Int32Array(count);
    const renumber = new Int32Array(count);
    let tail = 1;
    for (let qi = 0; qi < tail; qi++)
      for (let child = firstChild[order[qi] as number] as number; child !== 0; child = sibling[child] as number) {
        renumber[child] = tail;
        order[tail++] = child;
      }

    const nodes = new Int32Array(count * STRIDE);
    let sparse = 0;
    let dense = 0;
    for (let n = 0; n < count; n++) {
      const size = fanout[order[n] as number] as number;
      if (n === 0 || size >= DENSE_FANOUT) dense++;
      else sparse += size;
    }
    this.edges = new Int32Array(sparse * 2);
    this.rows = new Int32Array(dense * classes);
    let e = 0;
    let row = 0;
    for (let n = 0; n < count; n++) {
      const old = order[n] as number;
      const size = fanout[old] as number;
      if (n === 0 || size >= DENSE_FANOUT) {
        nodes[n * STRIDE] = row;
        nodes[n * STRIDE + 1] = -1;
        for (let child = firstChild[old] as number; child !== 0; child = sibling[child] as number)
          this.rows[row + (label[child] as number)] = renumber[child] as number;
        row += classes;
      } else {
        nodes[n * STRIDE] = e;
        nodes[n * STRIDE + 1] = size;
        for (let child = firstChild[old] as number; child !== 0; child = sibling[child] as number) {
          this.edges[e++] = label[child] as number;
          this.edges[e++] = renumber[child] as number;
        }
      }
    }
    this.nodes = nodes;

    // Patterns by node (a counting sort), in the new numbering.
    this.outStart = new Int32Array(count + 1);
    for (const node of patternNode) (this.outStart[(renumber[node] as number) + 1] as number)++;
    for (let n = 0; n < count; n++) this.outStart[n + 1] = (this.outStart[n + 1] as number) + (this.outStart[n] as number);
    this.outIds = new Int32Array(patterns.length);
    const fill = this.outStart.slice(0, count);
    patternNode.forEach((node, id) => (this.outIds[(fill[renumber[node] as number] as number)++] = id));

    // Failure and report links, breadth first (the numbering order).
    this.nextReport = new Int32Array(count);
    for (let n = 0; n < count; n++) {
      const f = nodes[n * STRIDE + 2] as number;
      const fReport = n === 0 ? 0 : (nodes[f * STRIDE + 3] as number);
      this.nextReport[n] = fReport;
      nodes[n * STRIDE + 3] = n !== 0 && (this.outStart[n + 1] as number) > (this.outStart[n] as number) ? n : fReport;
      for (let oldChild = firstChild[order[n] as number] as number; oldChild !== 0; oldChild = sibling[oldChild] as number) {
        const c = label[oldChild] as number;
        let target = 0;
        if (n !== 0) {
          let g = f;
          for (;;) {
            target = this.step(g, c);
            if (target !== 0 || g === 0) break;
            g = nodes[g * STRIDE + 2] as number;
          }
        }
        nodes[(renumber[oldChild] as number) * STRIDE + 2] = target;
      }
    }
  }

  /** The tables the automaton runs on (shared, not copied: do not change them). */
  tables(): AutomatonTables {
    const { patternCount, classOf, foldedClassOf, nodes, edges, rows, nextReport, outStart, outIds } = this;
    return { patternCount, classOf, foldedClassOf, nodes, edges, rows, nextReport, outStart, outIds };
  }

  /** An automaton over tables an earlier one gave; throws if they do not fit together. */
  static fromTables(t: AutomatonTables): AhoCorasick {
    const nodeCount = t.nodes.length / STRIDE;
    const fits =
      Number.isInteger(nodeCount) &&
      nodeCount >= 1 &&
      t.classOf.length === 65536 &&
      t.foldedClassOf.length === 65536 &&
      t.nextReport.length === nodeCount &&
      t.outStart.length === nodeCount + 1 &&
      t.outIds.length === t.patternCount &&
      t.outStart[nodeCount] === t.patternCount;
    if (!fits) throw new Error('automaton tables do not fit together');
    const a = Object.create(AhoCorasick.prototype) as AhoCorasick;
    Object.assign(a, { ...t, nodeCount });
    return a;
  }

  /** The node reached from `node` by a character of class `c`, or 0 when the trie has no such edge. */
  private step(node: number, c: number): number {
    const at = this.nodes[node * STRIDE] as number;
    const n = this.nodes[node * STRIDE + 1] as number;
    if (n < 0) return this.rows[at + c] as number;
    for (let k = at; k < at + 2 * n; k += 2) if (this.edges[k] === c) return this.edges[k + 1] as number;
    return 0;
  }

  /**
   * Adds to `found` the id of each pattern occurring in `text` that is not yet marked in
   * `seen` (per node, so sized nodeCount) with `mark`, and marks it. Searching several texts
   * with one mark reports each pattern once; patterns never span two texts.
   *
   * With `fold`, the text is searched as if lowercased (String.prototype.toLowerCase) without
   * building the lowercased copy; returns false, having possibly reported some patterns, when
   * the text holds a character whose lowercase depends on more than itself (then search
   * `text.toLowerCase()` without fold, with the same mark).
   */
  search(text: string, seen: Int32Array, mark: number, found: IdList, fold = false): boolean {
    const { nodes, edges, rows, nextReport, outStart, outIds } = this;
    const classOf = fold ? this.foldedClassOf : this.classOf;
    let node = 0;
    for (let i = 0; i < text.length; i++) {
      const c = classOf[text.charCodeAt(i)] as number;
      if (c === FOLD_FAILS) return false;
      if (c === 0) {
        node = 0;
        continue;
      }
      for (;;) {
        const at = nodes[node * STRIDE] as number;
        const n = nodes[node * STRIDE + 1] as number;
        let t = 0;
        if (n < 0) t = rows[at + c] as number;
        else
          for (let k = at, end = at + 2 * n; k < end; k += 2)
            if (edges[k] === c) {
              t = edges[k + 1] as number;
              break;
            }
        if (t !== 0) {
          node = t;
          break;
        }
        if (node === 0) break;
        node = nodes[node * STRIDE + 2] as number;
      }
      for (let r = nodes[node * STRIDE + 3] as number; r !== 0 && seen[r] !== mark; r = nextReport[r] as number) {
        seen[r] = mark;
        const end = outStart[r + 1] as number;
        for (let k = outStart[r] as number; k < end; k++) found.push(outIds[k] as number);
      }
    }
    return true;
  }
}

/** A growable list of ids kept from call to call (clear() keeps the storage). */
export class IdList {
  ids = new Int32Array(64);
  length = 0;
  push(id: number): void {
    if (this.length === this.ids.length) {
      const grown = new Int32Array(this.ids.length * 2);
      grown.set(this.ids);
      this.ids = grown;
    }
    this.ids[this.length++] = id;
  }
  clear(): void {
    this.length = 0;
  }
}

/** Marks a UTF-16 unit whose lowercase is not one unit independent of its neighbours. */
const NO_SINGLE_LOWER = 0xffff;
/** Its class in a folded search. */
const FOLD_FAILS = -1;
let lowerCodes: Uint16Array | undefined;

/**
 * Unit → its lowercase unit. toLowerCase maps a string unit by unit except for U+0130 (two
 * units), U+03A3 (final sigma depends on the neighbours) and surrogates (mapped as pairs); those,
 * and U+FFFF standing for the marker, are NO_SINGLE_LOWER.
 */
function lowerTable(): Uint16Array {
  if (lowerCodes) return lowerCodes;
  const table = new Uint16Array(65536);
  for (let c = 0; c < 65536; c++) {
    const l = c >= 0xd800 && c <= 0xdfff ? '' : String.fromCharCode(c).toLowerCase();
    table[c] = l.length === 1 && c !== 0x03a3 && c !== NO_SINGLE_LOWER ? l.charCodeAt(0) : NO_SINGLE_LOWER;
  }
  return (lowerCodes = table);
}
