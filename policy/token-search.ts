/**
 * Searching fields shown as tokens. Two rewrites of the query tree:
 * - tokenizeQuery: a search for a clear value becomes a search for its token, for copies of the
 *   data that hold tokens (data shared with external systems under a token obligation);
 * - detokenizeQuery: a search for a token the analyst saw becomes a search for the clear values
 *   it stands for, in CitySOC's own store, which keeps clear values. HMAC is one-way, so the
 *   clear values come from the TokenVault, which remembers the tokens it has handed out.
 * A search for a clear value needs no rewrite in our own store: it finds the events, and the
 * results still show only tokens.
 */
import type { QueryNode } from '../core/query/ast';
import { isToken, type Tokenizer } from './masking';

function mapLeaves(node: QueryNode, f: (n: QueryNode) => QueryNode): QueryNode {
  switch (node.type) {
    case 'and':
    case 'or':
      return { type: node.type, children: node.children.map((c) => mapLeaves(c, f)) };
    case 'not':
      return { type: 'not', child: mapLeaves(node.child, f) };
    default:
      return f(node);
  }
}

export function tokenizeQuery(node: QueryNode, tokenFields: ReadonlySet<string>, token: Tokenizer): QueryNode {
  return mapLeaves(node, (n) => (n.type === 'keyword' && tokenFields.has(n.field) && !isToken(n.value) ? { ...n, value: token(n.value) } : n));
}

/** Bounded memory of token → clear values handed out in results (least recently used go first). */
export class TokenVault {
  private readonly map = new Map<string, Set<string>>();
  constructor(private readonly capacity = 100_000) {}

  remember(token: string, clear: string): void {
    const set = this.map.get(token);
    if (set) {
      this.map.delete(token);
      this.map.set(token, set.add(clear));
      return;
    }
    this.map.set(token, new Set([clear]));
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value!);
  }

  clearValues(token: string): string[] {
    return [...(this.map.get(token) ?? [])];
  }
}

export function detokenizeQuery(node: QueryNode, tokenFields: ReadonlySet<string>, vault: TokenVault): QueryNode {
  return mapLeaves(node, (n) => {
    if (n.type !== 'keyword' || !tokenFields.has(n.field) || !isToken(n.value)) return n;
    const clear = vault.clearValues(n.value);
    if (clear.length === 0) return { type: 'none' };
    const alts: QueryNode[] = clear.map((value) => ({ type: 'keyword', field: n.field, value }));
    return alts.length === 1 ? alts[0]! : { type: 'or', children: alts };
  });
}
