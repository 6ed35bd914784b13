import { parseCondition, renderCondition } from './condition';
import { SigmaParseError, SigmaUnsupportedError } from './errors';
import { matcher } from './test-support/rules';

const ids = ['selection_a', 'selection_b', 'filter_x', 'filter_y', 'keywords', '_hidden'];
const render = (text: string): string => renderCondition(parseCondition(text, ids, 'detection.condition'));

describe('condition grammar', () => {
  test('and binds tighter than or, not tighter than and', () => {
    expect(render('selection_a or selection_b and not filter_x')).toBe('(selection_a or (selection_b and not filter_x))');
  });

  test('parentheses override precedence', () => {
    expect(render('(selection_a or selection_b) and not (filter_x or filter_y)')).toBe('((selection_a or selection_b) and not (filter_x or filter_y))');
  });

  test('operators are case-insensitive', () => {
    expect(render('selection_a AND NOT filter_x')).toBe('(selection_a and not filter_x)');
  });

  test('1 of / all of a pattern resolve to the matching identifiers', () => {
    expect(parseCondition('1 of selection_*', ids, 'c')).toEqual({
      kind: 'of',
      quantifier: 'any',
      pattern: 'selection_*',
      names: ['selection_a', 'selection_b'],
    });
    expect(parseCondition('all of filter*', ids, 'c')).toEqual({ kind: 'of', quantifier: 'all', pattern: 'filter*', names: ['filter_x', 'filter_y'] });
  });

  test('them covers every identifier except those starting with _', () => {
    expect(parseCondition('all of them', ids, 'c')).toEqual({
      kind: 'of',
      quantifier: 'all',
      pattern: 'them',
      names: ['selection_a', 'selection_b', 'filter_x', 'filter_y', 'keywords'],
    });
  });

  test('x of binds tighter than not', () => {
    expect(render('selection_a and not 1 of filter_*')).toBe('(selection_a and not 1 of filter_*)');
  });

  test('unknown identifiers, dangling operators and unbalanced parentheses are parse errors', () => {
    expect(() => parseCondition('selection_c', ids, 'c')).toThrow("unknown search identifier 'selection_c' in condition 'selection_c'");
    expect(() => parseCondition('selection_a and', ids, 'c')).toThrow('unexpected end');
    expect(() => parseCondition('(selection_a', ids, 'c')).toThrow("missing ')'");
    expect(() => parseCondition('selection_a filter_x', ids, 'c')).toThrow("unexpected 'filter_x' at column 13");
    expect(() => parseCondition('1 of nothing*', ids, 'c')).toThrow(SigmaParseError);
  });

  test('legacy aggregations and near are unsupported, not silently dropped', () => {
    expect(() => parseCondition('selection_a | count() by User > 5', ids, 'c')).toThrow(SigmaUnsupportedError);
    expect(() => parseCondition('selection_a near selection_b', ids, 'c')).toThrow(SigmaUnsupportedError);
  });

  test('a list of conditions is OR-ed', () => {
    const m = matcher('    a:\n        F: 1\n    b:\n        G: 2\n    condition:\n        - a\n        - b\n');
    expect(m({ G: 2 })).toBe(true);
    expect(m({ F: 1 })).toBe(true);
    expect(m({ F: 2 })).toBe(false);
  });

  test('a list of maps is OR, a map is AND', () => {
    const m = matcher('    sel:\n        - A: 1\n          B: 2\n        - C: 3\n    condition: sel\n');
    expect(m({ A: 1, B: 2 })).toBe(true);
    expect(m({ A: 1 })).toBe(false);
    expect(m({ C: 3 })).toBe(true);
  });
});
