/**
 * Parser for the analyst query language: the common ground of Kibana's KQL and Lucene syntax.
 *
 *   user.name:alice AND NOT event.outcome:success
 *   source.ip:10.0.0.0/8 or host.name:web-*
 *   http.response.status_code >= 500     bytes:[1000 TO *]    "failed password"
 *   event.action:(login OR logout)       file.path:*           message:"disk full"
 *
 * Operators AND/OR/NOT are case-insensitive; adjacent clauses are ANDed. Written by hand
 * because we need one tree compiled to four engines with exact error positions; the npm
 * Lucene parsers either emit Elasticsearch-specific output or grammar-dump errors.
 */
import { QuerySyntaxError } from '../errors';
import type { RawNode, WildPart } from './ast';

type Tok =
  | { t: 'word'; parts: WildPart[]; raw: string; pos: number }
  | { t: 'quoted'; text: string; pos: number }
  | { t: 'op'; v: '(' | ')' | '[' | ']' | '{' | '}' | ':' | '>' | '>=' | '<' | '<='; pos: number }
  | { t: 'eof'; pos: number };

const SPECIAL = new Set(['(', ')', '[', ']', '{', '}', ':', '<', '>', '"', '=']);

function describe(tok: Tok): string {
  switch (tok.t) {
    case 'eof':
      return 'end of query';
    case 'word':
      return `'${tok.raw}'`;
    case 'quoted':
      return `"${tok.text}"`;
    case 'op':
      return `'${tok.v}'`;
  }
}

export function tokenize(input: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const pos = i;
    if (c === '"') {
      let text = '';
      i++;
      for (;;) {
        if (i >= input.length) throw new QuerySyntaxError(pos, "a closing '\"' for the quote opened here", 'end of query');
        const d = input[i]!;
        if (d === '\\' && i + 1 < input.length) {
          text += input[i + 1];
          i += 2;
        } else if (d === '"') {
          i++;
          break;
        } else {
          text += d;
          i++;
        }
      }
      toks.push({ t: 'quoted', text, pos });
      continue;
    }
    if (c === '>' || c === '<') {
      if (input[i + 1] === '=') {
        toks.push({ t: 'op', v: c === '>' ? '>=' : '<=', pos });
        i += 2;
      } else {
        toks.push({ t: 'op', v: c, pos });
        i++;
      }
      continue;
    }
    if (c === '=') throw new QuerySyntaxError(pos, "':' between a field and its value", "'='");
    if (SPECIAL.has(c)) {
      toks.push({ t: 'op', v: c as '(', pos });
      i++;
      continue;
    }
    const parts: WildPart[] = [];
    let lit = '';
    let raw = '';
    while (i < input.length) {
      const d = input[i]!;
      if (/\s/.test(d) || SPECIAL.has(d)) break;
      if (d === '\\') {
        if (i + 1 >= input.length) throw new QuerySyntaxError(i, 'a character after the escape \\', 'end of query');
        lit += input[i + 1];
        raw += d + input[i + 1];
        i += 2;
        continue;
      }
      if (d === '*' || d === '?') {
        if (lit) parts.push(lit);
        lit = '';
        parts.push({ wild: d });
      } else {
        lit += d;
      }
      raw += d;
      i++;
    }
    if (lit) parts.push(lit);
    toks.push({ t: 'word', parts, raw, pos });
  }
  toks.push({ t: 'eof', pos: input.length });
  return toks;
}

function isKeyword(tok: Tok, kw: string): boolean {
  return tok.t === 'word' && tok.raw.toUpperCase() === kw && tok.parts.length === 1 && typeof tok.parts[0] === 'string';
}

function plain(tok: Tok): string | null {
  if (tok.t === 'quoted') return tok.text;
  if (tok.t === 'word' && tok.parts.every((p) => typeof p === 'string')) return tok.parts.join('');
  return null;
}

/** Longest query text accepted, and deepest nesting of parentheses and NOT: a query's cost is bounded before it runs. */
export const MAX_QUERY_LENGTH = 16_384;
export const MAX_QUERY_DEPTH = 64;

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly toks: Tok[]) {}

  private enter(pos: number): void {
    if (++this.depth > MAX_QUERY_DEPTH) throw new QuerySyntaxError(pos, `at most ${MAX_QUERY_DEPTH} nested parentheses or NOTs`, 'deeper nesting');
  }

  private peek(k = 0): Tok {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)]!;
  }
  private next(): Tok {
    return this.toks[this.i++]!;
  }
  private isOp(tok: Tok, v: string): boolean {
    return tok.t === 'op' && tok.v === v;
  }
  private expectOp(v: string, what: string): void {
    const tok = this.next();
    if (!this.isOp(tok, v)) throw new QuerySyntaxError(tok.pos, what, describe(tok));
  }

  parseQuery(): RawNode {
    if (this.peek().t === 'eof') return { kind: 'all' };
    const node = this.parseOr();
    const tok = this.peek();
    if (tok.t !== 'eof') {
      throw new QuerySyntaxError(tok.pos, this.isOp(tok, ')') ? "no ')' without a matching '('" : 'AND, OR or the end of the query', describe(tok));
    }
    return node;
  }

  private parseOr(): RawNode {
    const children = [this.parseAnd()];
    while (isKeyword(this.peek(), 'OR')) {
      this.next();
      children.push(this.parseAnd());
    }
    return children.length === 1 ? children[0]! : { kind: 'or', children };
  }

  private parseAnd(): RawNode {
    const children = [this.parseNot()];
    for (;;) {
      const tok = this.peek();
      if (isKeyword(tok, 'AND')) {
        this.next();
        children.push(this.parseNot());
      } else if (tok.t === 'eof' || this.isOp(tok, ')') || isKeyword(tok, 'OR')) {
        break;
      } else {
        children.push(this.parseNot());
      }
    }
    return children.length === 1 ? children[0]! : { kind: 'and', children };
  }

  private parseNot(): RawNode {
    if (isKeyword(this.peek(), 'NOT')) {
      this.enter(this.next().pos);
      const child = this.parseNot();
      this.depth--;
      return { kind: 'not', child };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): RawNode {
    const tok = this.peek();
    if (this.isOp(tok, '(')) {
      this.next();
      this.enter(tok.pos);
      if (this.isOp(this.peek(), ')')) throw new QuerySyntaxError(this.peek().pos, 'a query inside the parentheses', "')'");
      const inner = this.parseOr();
      this.expectOp(')', "')' to close the '(' at position " + tok.pos);
      this.depth--;
      return inner;
    }
    if (tok.t === 'word' || tok.t === 'quoted') {
      const after = this.peek(1);
      if (tok.t === 'word' && after.t === 'op' && [':', '>', '>=', '<', '<='].includes(after.v)) {
        const field = plain(tok);
        if (field === null || field === '') throw new QuerySyntaxError(tok.pos, 'a field name without wildcards', describe(tok));
        this.next();
        return this.parseFieldClause(field);
      }
      this.next();
      return this.valueNode(null, tok);
    }
    if (tok.t === 'eof') throw new QuerySyntaxError(tok.pos, 'a search term, a field:value clause or (', 'end of query');
    throw new QuerySyntaxError(tok.pos, 'a search term, a field:value clause or (', describe(tok));
  }

  private valueNode(field: string | null, tok: Tok): RawNode {
    if (tok.t === 'quoted') return { kind: 'value', field, parts: [tok.text], quoted: true, pos: tok.pos };
    if (tok.t === 'word') {
      // `*` alone matches every event, as in Kibana and Lucene's *:*.
      if (field === null && tok.parts.length === 1 && typeof tok.parts[0] !== 'string' && tok.parts[0]!.wild === '*') return { kind: 'all' };
      if (field !== null && tok.parts.length === 1 && typeof tok.parts[0] !== 'string' && tok.parts[0]!.wild === '*') {
        return { kind: 'exists', field, pos: tok.pos };
      }
      return { kind: 'value', field, parts: tok.parts, quoted: false, pos: tok.pos };
    }
    throw new QuerySyntaxError(tok.pos, 'a value', describe(tok));
  }

  private parseFieldClause(field: string): RawNode {
    const opTok = this.next() as Extract<Tok, { t: 'op' }>;
    let op: string = opTok.v;
    if (op === ':') {
      const n = this.peek();
      if (n.t === 'op' && ['>', '>=', '<', '<='].includes(n.v)) {
        op = n.v;
        this.next();
      }
    }
    const pos = this.peek().pos;
    if (op !== ':') {
      const v = this.next();
      const s = plain(v);
      if (s === null) throw new QuerySyntaxError(v.pos, `a value to compare ${field} with`, describe(v));
      const key = op === '>' ? 'gt' : op === '>=' ? 'gte' : op === '<' ? 'lt' : 'lte';
      return { kind: 'range', field, [key]: s, pos };
    }
    const v = this.peek();
    if (this.isOp(v, '[') || this.isOp(v, '{')) return this.parseRange(field);
    if (this.isOp(v, '(')) {
      this.next();
      const node = this.parseValueOr(field);
      this.expectOp(')', `')' to close the value list of ${field}`);
      return node;
    }
    if (v.t !== 'word' && v.t !== 'quoted') throw new QuerySyntaxError(v.pos, `a value after '${field}:'`, describe(v));
    this.next();
    return this.valueNode(field, v);
  }

  /** `field:(a OR b AND NOT c)`: the same boolean grammar over values of one field. */
  private parseValueOr(field: string): RawNode {
    const children = [this.parseValueAnd(field)];
    while (isKeyword(this.peek(), 'OR')) {
      this.next();
      children.push(this.parseValueAnd(field));
    }
    return children.length === 1 ? children[0]! : { kind: 'or', children };
  }
  private parseValueAnd(field: string): RawNode {
    const children = [this.parseValueNot(field)];
    for (;;) {
      const tok = this.peek();
      if (isKeyword(tok, 'AND')) {
        this.next();
        children.push(this.parseValueNot(field));
      } else if (tok.t === 'word' || tok.t === 'quoted' || this.isOp(tok, '(')) {
        if (isKeyword(tok, 'OR')) break;
        children.push(this.parseValueNot(field));
      } else break;
    }
    return children.length === 1 ? children[0]! : { kind: 'and', children };
  }
  private parseValueNot(field: string): RawNode {
    const tok = this.peek();
    if (isKeyword(tok, 'NOT')) {
      this.next();
      return { kind: 'not', child: this.parseValueNot(field) };
    }
    if (this.isOp(tok, '(')) {
      this.next();
      const inner = this.parseValueOr(field);
      this.expectOp(')', "')'");
      return inner;
    }
    const v = this.next();
    if (v.t !== 'word' && v.t !== 'quoted') throw new QuerySyntaxError(v.pos, `a value for ${field}`, describe(v));
    return this.valueNode(field, v);
  }

  private parseRange(field: string): RawNode {
    const open = this.next() as Extract<Tok, { t: 'op' }>;
    const lowTok = this.next();
    const low = plain(lowTok) ?? (lowTok.t === 'word' && lowTok.raw === '*' ? '*' : null);
    if (low === null) throw new QuerySyntaxError(lowTok.pos, 'a lower bound or *', describe(lowTok));
    const to = this.next();
    if (!isKeyword(to, 'TO')) throw new QuerySyntaxError(to.pos, "'TO' between the bounds of a range", describe(to));
    const highTok = this.next();
    const high = plain(highTok) ?? (highTok.t === 'word' && highTok.raw === '*' ? '*' : null);
    if (high === null) throw new QuerySyntaxError(highTok.pos, 'an upper bound or *', describe(highTok));
    const close = this.next();
    if (!(this.isOp(close, ']') || this.isOp(close, '}'))) throw new QuerySyntaxError(close.pos, "']' or '}' to close the range", describe(close));
    const node: { kind: 'range'; field: string; pos: number; gt?: string; gte?: string; lt?: string; lte?: string } = { kind: 'range', field, pos: open.pos };
    if (low !== '*') {
      if (open.v === '[') node.gte = low;
      else node.gt = low;
    }
    if (high !== '*') {
      if ((close as { v: string }).v === ']') node.lte = high;
      else node.lt = high;
    }
    return node;
  }
}

export function parseQuery(input: string): RawNode {
  if (input.length > MAX_QUERY_LENGTH)
    throw new QuerySyntaxError(MAX_QUERY_LENGTH, `a query of at most ${MAX_QUERY_LENGTH} characters`, `${input.length} characters`);
  return new Parser(tokenize(input)).parseQuery();
}
