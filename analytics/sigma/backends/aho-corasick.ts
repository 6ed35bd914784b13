// Multi-literal search: one pass over a text reports which of many literals occur in it.

export class AhoCorasick {
  private readonly next: Map<number, number>[] = [new Map()];
  private readonly fail: number[] = [0];
  /** Pattern ids ending at a node, including those reached through failure links. */
  private readonly outputs: number[][] = [[]];

  constructor(patterns: readonly string[]) {
    patterns.forEach((p, id) => {
      let node = 0;
      for (let i = 0; i < p.length; i++) {
        const c = p.charCodeAt(i);
        let n = (this.next[node] as Map<number, number>).get(c);
        if (n === undefined) {
          n = this.next.length;
          this.next.push(new Map());
          this.fail.push(0);
          this.outputs.push([]);
          (this.next[node] as Map<number, number>).set(c, n);
        }
        node = n;
      }
      (this.outputs[node] as number[]).push(id);
    });
    const queue: number[] = [];
    for (const n of (this.next[0] as Map<number, number>).values()) queue.push(n);
    for (let qi = 0; qi < queue.length; qi++) {
      const node = queue[qi] as number;
      for (const [c, child] of this.next[node] as Map<number, number>) {
        let f = this.fail[node] as number;
        while (f !== 0 && !(this.next[f] as Map<number, number>).has(c)) f = this.fail[f] as number;
        const target = (this.next[f] as Map<number, number>).get(c);
        this.fail[child] = target !== undefined && target !== child ? target : 0;
        (this.outputs[child] as number[]).push(...(this.outputs[this.fail[child] as number] as number[]));
        queue.push(child);
      }
    }
  }

  /** Calls `hit` for each pattern id found (an id may repeat). */
  search(text: string, hit: (id: number) => void): void {
    let node = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      let n = (this.next[node] as Map<number, number>).get(c);
      while (n === undefined && node !== 0) {
        node = this.fail[node] as number;
        n = (this.next[node] as Map<number, number>).get(c);
      }
      node = n ?? 0;
      const out = this.outputs[node] as number[];
      for (let k = 0; k < out.length; k++) hit(out[k] as number);
    }
  }
}
