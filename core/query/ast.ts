/**
 * The analyst query language's trees. `RawNode` is what the parser produces from text;
 * `QueryNode` is the typed form after `analyze` has looked up each field's type and
 * converted values. Every store compiles QueryNode, so all engines share one meaning.
 */
export type WildPart = string | { readonly wild: '*' | '?' };

export type RawNode =
  | { readonly kind: 'and' | 'or'; readonly children: readonly RawNode[] }
  | { readonly kind: 'not'; readonly child: RawNode }
  | { readonly kind: 'all' }
  | {
      readonly kind: 'value';
      /** null: free text */
      readonly field: string | null;
      readonly parts: readonly WildPart[];
      readonly quoted: boolean;
      readonly pos: number;
    }
  | {
      readonly kind: 'range';
      readonly field: string;
      readonly gt?: string;
      readonly gte?: string;
      readonly lt?: string;
      readonly lte?: string;
      readonly pos: number;
    }
  | { readonly kind: 'exists'; readonly field: string; readonly pos: number };

export interface Bounds<T> {
  readonly gt?: T;
  readonly gte?: T;
  readonly lt?: T;
  readonly lte?: T;
}

export type QueryNode =
  | { readonly type: 'and' | 'or'; readonly children: readonly QueryNode[] }
  | { readonly type: 'not'; readonly child: QueryNode }
  | { readonly type: 'all' }
  | { readonly type: 'none' }
  /** Phrase (or single token) in a text field; prefix: last token is a prefix. */
  | { readonly type: 'text'; readonly field: string; readonly text: string; readonly prefix: boolean }
  | { readonly type: 'keyword'; readonly field: string; readonly value: string }
  | { readonly type: 'wildcard'; readonly field: string; readonly parts: readonly WildPart[] }
  | { readonly type: 'number'; readonly field: string; readonly value: number }
  | { readonly type: 'bool'; readonly field: string; readonly value: boolean }
  | { readonly type: 'ip'; readonly field: string; readonly value: string }
  | { readonly type: 'cidr'; readonly field: string; readonly cidr: string }
  /** Dates as epoch milliseconds. */
  | ({ readonly type: 'date_range'; readonly field: string } & Bounds<number>)
  | ({ readonly type: 'number_range'; readonly field: string } & Bounds<number>)
  | ({ readonly type: 'keyword_range'; readonly field: string } & Bounds<string>)
  | { readonly type: 'exists'; readonly field: string };

export function and(...children: QueryNode[]): QueryNode {
  const flat = children.filter((c) => c.type !== 'all');
  if (flat.length === 0) return { type: 'all' };
  if (flat.length === 1) return flat[0]!;
  return { type: 'and', children: flat };
}
