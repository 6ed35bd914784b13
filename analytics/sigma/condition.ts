// The condition grammar: or < and < not < `x of` < parentheses, over search identifiers.
import { SigmaParseError, SigmaUnsupportedError } from './errors';
import type { ConditionNode } from './model';

type Token = { type: 'lparen' | 'rparen' | 'and' | 'or' | 'not' | 'of' | 'word'; text: string; pos: number };

function tokenize(text: string, path: string): Token[] {
  const tokens: Token[] = [];
  for (const m of text.matchAll(/\(|\)|[^\s()]+/g)) {
    const word = m[0];
    const pos = m.index;
    const lower = word.toLowerCase();
    if (word === '(') tokens.push({ type: 'lparen', text: word, pos });
    else if (word === ')') tokens.push({ type: 'rparen', text: word, pos });
    else if (word.includes('|')) {
      // Legacy aggregations (`| count() by x`) were replaced by correlation rules.
      throw new SigmaUnsupportedError('legacy-aggregation', `condition uses the obsolete aggregation syntax '|' (use a correlation rule): ${text}`, { path });
    } else if (lower === 'near') {
      throw new SigmaUnsupportedError('legacy-near', `condition uses the obsolete 'near' operator: ${text}`, { path });
    } else if (lower === 'and' || lower === 'or' || lower === 'not' || lower === 'of') tokens.push({ type: lower, text: word, pos });
    else tokens.push({ type: 'word', text: word, pos });
  }
  return tokens;
}

/** Does a `1 of x*` pattern select this identifier? `*` matches any run of characters. */
export function identifierPatternMatches(pattern: string, name: string): boolean {
  const re = new RegExp(
    '^' +
      pattern
        .split('*')
        .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*') +
      '$',
  );
  return re.test(name);
}

export function parseCondition(text: string, identifiers: string[], path: string): ConditionNode {
  const tokens = tokenize(text, path);
  let i = 0;
  const err = (reason: string): never => {
    throw new SigmaParseError('invalid-condition', `${reason} in condition '${text}'`, { path });
  };
  const peek = (): Token | undefined => tokens[i];

  const parseOr = (): ConditionNode => {
    const args = [parseAnd()];
    while (peek()?.type === 'or') {
      i++;
      args.push(parseAnd());
    }
    return args.length === 1 ? (args[0] as ConditionNode) : { kind: 'or', args };
  };
  const parseAnd = (): ConditionNode => {
    const args = [parseNot()];
    while (peek()?.type === 'and') {
      i++;
      args.push(parseNot());
    }
    return args.length === 1 ? (args[0] as ConditionNode) : { kind: 'and', args };
  };
  const parseNot = (): ConditionNode => {
    if (peek()?.type === 'not') {
      i++;
      return { kind: 'not', arg: parseNot() };
    }
    return parseAtom();
  };
  const parseAtom = (): ConditionNode => {
    const t = peek();
    if (!t) return err('unexpected end');
    if (t.type === 'lparen') {
      i++;
      const inner = parseOr();
      if (peek()?.type !== 'rparen') err(`missing ')' for '(' at column ${t.pos + 1}`);
      i++;
      return inner;
    }
    if (t.type !== 'word') return err(`unexpected '${t.text}' at column ${t.pos + 1}`);
    i++;
    if (peek()?.type === 'of') {
      i++;
      const target = peek();
      if (!target || target.type !== 'word') return err(`'${t.text} of' needs a pattern or 'them'`);
      i++;
      return ofNode(t.text, target.text);
    }
    if (!identifiers.includes(t.text)) return err(`unknown search identifier '${t.text}'`);
    return { kind: 'ref', name: t.text };
  };
  const ofNode = (quantifier: string, pattern: string): ConditionNode => {
    const q = quantifier.toLowerCase();
    if (q !== '1' && q !== 'any' && q !== 'all') {
      throw new SigmaUnsupportedError('of-quantifier', `'${quantifier} of' is not supported (only 1/any/all of)`, { path });
    }
    const names = pattern === 'them' ? identifiers.filter((n) => !n.startsWith('_')) : identifiers.filter((n) => identifierPatternMatches(pattern, n));
    if (names.length === 0) err(`'${quantifier} of ${pattern}' matches no search identifier`);
    return { kind: 'of', quantifier: q === 'all' ? 'all' : 'any', pattern, names };
  };

  if (tokens.length === 0) err('empty condition');
  const node = parseOr();
  if (i < tokens.length) err(`unexpected '${tokens[i]?.text}' at column ${(tokens[i]?.pos ?? 0) + 1}`);
  return node;
}

/** Renders an AST back to condition syntax (fully parenthesised), for messages and tests. */
export function renderCondition(node: ConditionNode): string {
  switch (node.kind) {
    case 'ref':
      return node.name;
    case 'of':
      return `${node.quantifier === 'all' ? 'all' : '1'} of ${node.pattern}`;
    case 'not':
      return `not ${renderCondition(node.arg)}`;
    case 'and':
    case 'or':
      return `(${node.args.map(renderCondition).join(` ${node.kind} `)})`;
  }
}
