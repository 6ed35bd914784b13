/** Finding 3 of the security review: masks hold on every output and every input of the events. */
import type { FieldObligation } from '../core/authz';
import { compileQuery } from '../core/query/analyze';
import { evaluate } from '../core/query/evaluate';
import { tokenizer } from './masking';
import { EventView, indexPreparation } from './view';

const tokenize = tokenizer(Buffer.from('0123456789abcdef0123456789abcdef'));
const OBLIGATIONS: FieldObligation[] = [
  { field: 'citysoc.person.phone', treatment: 'mask', pattern: 'phone' },
  { field: 'citysoc.person.id_number', treatment: 'token' },
  { field: 'citysoc.person.name', treatment: 'mask', pattern: 'name' },
];
const view = new EventView(OBLIGATIONS, tokenize);
const prepare = indexPreparation(tokenize);

const EVENT = prepare({
  '@timestamp': '2026-11-20T01:00:00Z',
  event: { id: 'e1', original: 'export of 13812341234 / 110101199001011234 by 张三 and 13900001111' },
  message: 'export of 13812341234 by 张三',
  citysoc: {
    // personal data inside an array of objects, at any depth
    person: [
      { phone: '13812341234', id_number: '110101199001011234', name: '张三' },
      { phone: ['13900001111'], name: '李四' },
    ],
  },
});

const CLEAR = ['13812341234', '110101199001011234', '张三', '13900001111', '李四'];

describe('what a masked caller sees of an event', () => {
  it('treats every value of a treated field inside arrays of objects, and replaces the clear values in every string (event.original, message)', () => {
    const shown = view.treat(EVENT);
    const text = JSON.stringify(shown);
    for (const c of CLEAR) expect(text).not.toContain(c);
    const people = (shown.citysoc as { person: Record<string, unknown>[] }).person;
    expect(people[0]).toEqual({ phone: '138****1234', id_number: tokenize('110101199001011234'), name: '张*' });
    expect(people[1]).toEqual({ phone: ['139****1111'], name: '李*' });
    expect((shown.event as { original: string }).original).toBe(`export of 138****1234 / ${tokenize('110101199001011234')} by 张* and 139****1111`);
    // internal fields (tokens, redacted copies) never leave
    expect(shown.citysoc).not.toHaveProperty('tokens');
    expect(shown.citysoc).not.toHaveProperty('redacted');
  });

  it('returns unrestricted documents unchanged but for the internal fields', () => {
    const open = new EventView([], tokenize).treat(EVENT);
    expect(JSON.stringify(open)).toContain('13812341234');
    expect(open.citysoc).not.toHaveProperty('tokens');
  });

  it('refuses a query on a masked field (a prefix query is an oracle) and rewrites a tokenized one to its token', () => {
    expect(() => view.rewrite(compileQuery('citysoc.person.phone:138*'))).toThrow('citysoc.person.phone: is masked for you and cannot be searched');
    expect(() => view.rewrite(compileQuery('citysoc.person.id_number:110101199001011234'))).toThrow('is tokenized for you');
    const byToken = view.rewrite(compileQuery(`citysoc.person.id_number:${tokenize('110101199001011234')}`));
    expect(evaluate(byToken, EVENT)).toBe(true);
    expect(() => view.rewrite(compileQuery('citysoc.tokens:*'))).toThrow('is kept by CitySOC for indexing');
  });

  it('searches free text of events with personal data only in its redacted copy', () => {
    const q = view.rewrite(compileQuery('"13812341234"'));
    expect(evaluate(q, EVENT)).toBe(false);
    expect(evaluate(view.rewrite(compileQuery('export')), EVENT)).toBe(true);
    const raw = view.rewrite(compileQuery('event.original:*13812341234*'));
    expect(evaluate(raw, EVENT)).toBe(false);
  });

  it('shows aggregation keys of a treated field masked or tokenized, merging buckets that mask alike; refuses free-text fields', () => {
    expect(view.aggregation('citysoc.person.phone')).toBe('mask');
    expect(view.aggregation('citysoc.person.id_number')).toBe('token');
    expect(view.aggregation('host.name')).toBe('clear');
    const buckets = view.treatBuckets('citysoc.person.phone', 'mask', [
      { key: '13812341234', count: 3 },
      { key: '13800001234', count: 2 },
      { key: '13900001111', count: 1 },
    ]);
    expect(buckets).toEqual([
      { key: '138****1234', count: 5 },
      { key: '139****1111', count: 1 },
    ]);
    expect(() => view.aggregation('message')).toThrow('may hold personal data');
    expect(() => view.aggregation('citysoc.tokens')).toThrow('kept by CitySOC');
  });
});
