import { ident, literal, withOptions } from './sql';

describe('Flink SQL quoting', () => {
  test('identifiers get backticks, inner backticks doubled', () => {
    expect(ident('@timestamp')).toBe('`@timestamp`');
    expect(ident('a`b')).toBe('`a``b`');
  });

  test('string literals get single quotes, inner quotes doubled', () => {
    expect(literal("it's")).toBe("'it''s'");
  });

  test('WITH clause keeps option order', () => {
    expect(withOptions({ connector: 'kafka', topic: 'citysoc.events' })).toBe("WITH (\n  'connector' = 'kafka',\n  'topic' = 'citysoc.events'\n)");
  });
});
