import { CitySocError, QuerySyntaxError } from '../errors';
import { fixtureEvents } from '../contracts/fixtures';
import { QUERY_CASES } from '../contracts/queries';
import { compileQuery } from './analyze';
import { filterText } from './to-text';
import { evaluate } from './evaluate';
import { parseQuery } from './parse';
import { canonicalIp, cidrContains } from './ip';

describe('the reference evaluator agrees with the store contract table', () => {
  const events = fixtureEvents();
  for (const c of QUERY_CASES) {
    it(c.name, () => {
      const node = compileQuery(c.query, new Date('2026-11-21T00:00:00Z'));
      expect(
        events
          .filter((e) => evaluate(node, e))
          .map((e) => e.event.id)
          .sort(),
      ).toEqual([...c.ids].sort());
    });
  }
});

describe('query syntax errors say where and what was expected', () => {
  const cases: [string, number, string, string][] = [
    ['user.name:', 10, "a value after 'user.name:'", 'end of query'],
    ['(a OR b', 7, "')' to close the '(' at position 0", 'end of query'],
    ['a OR b)', 6, "no ')' without a matching '('", "')'"],
    ['"unterminated', 0, "a closing '\"' for the quote opened here", 'end of query'],
    ['status:[1 TO 5', 14, "']' or '}' to close the range", 'end of query'],
    ['status:[1 5]', 10, "'TO' between the bounds of a range", "'5'"],
    ['a AND', 5, 'a search term, a field:value clause or (', 'end of query'],
    ['user.name = root', 10, "':' between a field and its value", "'='"],
    ['()', 1, 'a query inside the parentheses', "')'"],
  ];
  for (const [q, pos, expected, found] of cases) {
    it(`${JSON.stringify(q)} → position ${pos}`, () => {
      const err = (() => {
        try {
          parseQuery(q);
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(err).toBeInstanceOf(QuerySyntaxError);
      expect(err).toMatchObject({ code: 'QUERY_SYNTAX', position: pos, expected, found });
    });
  }
});

describe('typing values by field', () => {
  it('a field outside the catalogue is a keyword', () => {
    expect(compileQuery('foo.bar:baz')).toEqual({ type: 'keyword', field: 'foo.bar', value: 'baz' });
  });
  it('wildcards are refused on IP fields with advice', () => {
    expect(() => compileQuery('source.ip:10.*')).toThrow(/use CIDR notation/);
  });
  it('free-text wildcards only at the end', () => {
    expect(() => compileQuery('*word')).toThrow(CitySocError);
    expect(compileQuery('wor*')).toEqual({ type: 'text', field: 'message', text: 'wor', prefix: true });
  });
  it('date math resolves against now', () => {
    const now = new Date('2026-11-21T12:00:00Z');
    expect(compileQuery('@timestamp > now-15m', now)).toEqual({ type: 'date_range', field: '@timestamp', gt: Date.parse('2026-11-21T11:45:00Z') });
  });
  it('invalid field names are refused', () => {
    expect(() => compileQuery('us$er:x')).toThrow(/not a valid field name/);
  });
});

describe('IP helpers', () => {
  it('canonical IPv6 follows RFC 5952', () => {
    expect(canonicalIp('2001:0db8:0000:0000:0000:0000:0000:0011')).toBe('2001:db8::11');
    expect(canonicalIp('::0001')).toBe('::1');
    expect(canonicalIp('::ffff:10.0.0.1')).toBe('::ffff:a00:1');
  });
  it('CIDR containment for v4 and v6, and never across families', () => {
    expect(cidrContains('10.0.0.0/8', '10.255.0.1')).toBe(true);
    expect(cidrContains('10.0.0.0/8', '11.0.0.1')).toBe(false);
    expect(cidrContains('2001:db8::/32', '2001:db8:ffff::1')).toBe(true);
    expect(cidrContains('0.0.0.0/0', '::1')).toBe(false);
  });
});

describe('printing a query tree back to text (row filters in audit records and dry runs)', () => {
  const now = new Date('2026-11-21T00:00:00Z');
  for (const c of QUERY_CASES) {
    it(`round-trips: ${c.name}`, () => {
      const node = compileQuery(c.query, now);
      expect(compileQuery(filterText(node), now)).toEqual(node);
    });
  }
});
