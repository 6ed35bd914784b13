import { depthProblem, splitJsonArray, textNestingExceeds } from './json-depth';

describe('bounds on ingested JSON', () => {
  it('names the limit when a record nests deeper, and walks no deeper than the limit', () => {
    const deep = JSON.parse(`${'['.repeat(20_000)}${']'.repeat(20_000)}`) as unknown;
    expect(depthProblem(deep, 64)).toBe('the record nests objects or arrays deeper than 64 levels (ingest.maxJsonDepth)');
    expect(depthProblem({ a: { b: [1, { c: 2 }] } }, 4)).toBeUndefined();
    expect(depthProblem({ a: { b: [1, { c: {} }] } }, 4)).toBeDefined();
    expect(textNestingExceeds(`${'{"a":'.repeat(70)}1${'}'.repeat(70)}`, 64)).toBe(true);
    expect(
      textNestingExceeds(
        '{"a":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}',
        64,
      ),
    ).toBe(false);
  });

  it('cuts a JSON array into the texts of its elements, strings and nesting respected', () => {
    expect(splitJsonArray(' [ {"a":"],["} , [1,[2]] ,"x\\"y", 3 ] ')).toEqual(['{"a":"],["}', '[1,[2]]', '"x\\"y"', '3']);
    expect(splitJsonArray('[]')).toEqual([]);
    expect(splitJsonArray('[1,2')).toBeUndefined();
    expect(splitJsonArray('[1] trailing')).toBeUndefined();
  });
});
