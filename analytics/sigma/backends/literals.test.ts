import { generateEvents } from '../../differential/generate';
import { sampleRegex } from '../../differential/regex-sample';
import type { SigmaRule, SigmaValue } from '../model';
import { parseSigmaFile } from '../parse';
import { applyPipelines, type ProcessedRule } from '../pipeline';
import { getPipeline } from '../pipelines';
import { CORPUS, ruleFrom } from '../test-support/rules';
import { expandPaths } from '../validate';
import { JsMatcherBackend } from './js';
import { regexNeed, requiredClauses, type LiteralClause } from './literals';
import { toJsRegex } from './regex';

/** The literal runs regexNeed requires, as sets of alternatives (one set per clause). */
const needOf = (pattern: string): string[][] => regexNeed(pattern).map((c) => [...c.lits].sort());

/**
 * Every scalar of the event lowercased with the field path it is at (keys joined with dots, array
 * positions left out, as the matcher reads paths), and every property name: what clauses are
 * checked against.
 */
function contents(
  event: unknown,
  path = '',
  texts: { path: string; text: string }[] = [],
  keys = new Set<string>(),
): { texts: { path: string; text: string }[]; keys: Set<string> } {
  if (typeof event === 'string') texts.push({ path, text: event.toLowerCase() });
  else if (typeof event === 'number' || typeof event === 'boolean') texts.push({ path, text: String(event).toLowerCase() });
  else if (Array.isArray(event)) for (const el of event) contents(el, path, texts, keys);
  else if (event !== null && typeof event === 'object')
    for (const [k, v] of Object.entries(event)) {
      keys.add(k);
      contents(v, path ? `${path}.${k}` : k, texts, keys);
    }
  return { texts, keys };
}

/** A text clause holds when a literal is in a value of one of its fields (any field when it names none). */
function holds(clause: LiteralClause, { texts, keys }: ReturnType<typeof contents>): boolean {
  if (clause.kind === 'field') return clause.literals.some((k) => keys.has(k));
  const where = clause.fields;
  return clause.literals.some((l) => texts.some((t) => (where === undefined || where.includes(t.path)) && t.text.includes(l)));
}

/** Nested objects turned into flat dotted keys (`{"a.b": 1}`), which the matcher resolves the same way. */
function flatten(value: unknown, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value))
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  else out[prefix] = value;
  return out;
}

describe('regexNeed: literal runs every match of a regex contains', () => {
  test.each([
    ['\\\\powershell\\.exe$', [['\\powershell.exe']]],
    ['(?i)invoke-mimikatz', [['invoke-mimikatz']]],
    ['ab?c', [['a'], ['c']]],
    ['abc*d', [['ab'], ['d']]],
    ['ab+cd', [['ab'], ['cd']]],
    ['xy{2,3}z', [['xy'], ['z']]],
    ['xy{0,3}z', [['x'], ['z']]],
    ['a.b[cd]e\\de', [['a'], ['b'], ['e'], ['e']]],
    ['(foo|bar)baz', [['baz']]],
    ['foo|barbar', [['barbar', 'foo']]],
    [
      'foo|ba?r',
      [
        ['b', 'foo'],
        ['foo', 'r'],
      ],
    ],
    ['\\x41bc\\u0044ef', [['bc'], ['ef']]],
    ['\\cJk', [['k']]],
    ['(?<n>ab)\\k<n>cd', [['cd']]],
    ['a+?bc', [['a'], ['bc']]],
    ['[]]x', [['x']]],
    ['{abc}', [['abc']]],
  ])('%s', (pattern, runs) => {
    expect(needOf(pattern).sort()).toEqual(runs.map((r) => [...r].sort()).sort());
  });

  test.each(['', '.*', '[a-z]+', 'a|.*', '(abc', '*ab', 'ab)', '\\d{3}'])('nothing is required of %s', (pattern) => {
    expect(regexNeed(pattern)).toEqual([]);
  });

  test('every corpus regex: a string it matches contains every required run (lowercased)', () => {
    const values: SigmaValue[] = [];
    for (const file of expandPaths([`${CORPUS}/rules`, `${CORPUS}/rules-emerging-threats`, `${CORPUS}/rules-threat-hunting`])) {
      let docs;
      try {
        docs = parseSigmaFile(file).documents;
      } catch {
        continue;
      }
      for (const d of docs)
        if (d.kind === 'rule')
          for (const si of Object.values(d.detection.identifiers)) for (const conj of si.anyOf) for (const fc of conj) values.push(...fc.values);
    }
    const regexes = values.filter((v): v is Extract<SigmaValue, { type: 'regex' }> => v.type === 'regex');
    expect(regexes.length).toBeGreaterThan(200);
    let checked = 0;
    for (const v of regexes) {
      let re: RegExp;
      try {
        re = toJsRegex(v.pattern, v.flags);
      } catch {
        continue;
      }
      const sample = sampleRegex(v.pattern);
      if (sample === undefined) continue;
      for (const s of [sample, sample.toUpperCase(), `xx ${sample} yy`]) {
        if (!re.test(s)) continue;
        checked++;
        for (const c of regexNeed(v.pattern)) expect([v.pattern, [...c.lits].some((l) => s.toLowerCase().includes(l))]).toEqual([v.pattern, true]);
      }
    }
    expect(checked).toBeGreaterThan(200);
  });
});

describe('requiredClauses', () => {
  const windows = getPipeline('windows');
  const clausesOf = (detection: string): LiteralClause[] => requiredClauses(applyPipelines(ruleFrom(detection), []));

  test('AND keeps a clause per part, OR joins the alternatives, NOT and null require nothing', () => {
    const clauses = clausesOf(`    selection:
        Image|endswith: '\\certutil.exe'
        CommandLine|contains:
            - 'urlcache'
            - 'verifyctl'
    filter:
        User: 'SYSTEM'
    condition: selection and not filter`);
    const text = clauses.filter((c) => c.kind === 'text').map((c) => c.literals.sort());
    expect(text).toEqual(expect.arrayContaining([['\\certutil.exe'], ['urlcache', 'verifyctl']]));
    expect(text.flat()).not.toContain('system');
    expect(clauses.filter((c) => c.kind === 'text').map((c) => [c.literals.sort(), c.fields])).toEqual(
      expect.arrayContaining([
        [['\\certutil.exe'], ['Image']],
        [['urlcache', 'verifyctl'], ['CommandLine']],
      ]),
    );
    const fields = clauses.filter((c) => c.kind === 'field').map((c) => c.literals.sort());
    expect(fields).toEqual(expect.arrayContaining([['Image'], ['CommandLine']]));
    expect(clausesOf(`    selection:\n        Image: null\n    condition: selection`)).toEqual([]);
    expect(clausesOf(`    selection:\n        Image|neq: 'cmd.exe'\n    condition: selection`)).toEqual([]);
    expect(clausesOf(`    selection:\n        Image|exists: false\n    condition: selection`)).toEqual([]);
  });

  test('a field path yields every key it may be found under, nested or flat', () => {
    const rule = applyPipelines(ruleFrom(`    selection:\n        CommandLine|re: '.*'\n    condition: selection`), [windows]);
    const fields = requiredClauses(rule).filter((c) => c.kind === 'field' && !c.weak);
    expect(fields.map((c) => c.literals.sort())).toEqual([['CommandLine', 'Event.EventData.CommandLine', 'EventData.CommandLine']]);
  });

  test('text clauses name the fields their literals are in: an OR over two fields names both; a keyword names none', () => {
    const either = clausesOf(`    a:\n        Image|endswith: '\\evil.exe'\n    b:\n        ParentImage|endswith: '\\bad.exe'\n    condition: a or b`);
    expect(either.map((c) => [c.kind, c.literals.sort(), c.fields])).toEqual([
      ['text', ['\\bad.exe', '\\evil.exe'], ['Image', 'ParentImage']],
      expect.anything(),
    ]);
    const keyword = clausesOf(`    keywords:\n        - 'mimikatz'\n    a:\n        Image|endswith: '\\evil.exe'\n    condition: keywords or a`);
    expect(keyword.filter((c) => c.kind === 'text').map((c) => [c.literals.sort(), c.fields])).toEqual([[['\\evil.exe', 'mimikatz'], undefined]]);
  });

  test('numbers require their digits, only when plain decimal', () => {
    const lits = (n: string): string[] =>
      clausesOf(`    selection:\n        Count: ${n}\n    condition: selection`).flatMap((c) => (c.kind === 'text' ? c.literals : []));
    expect(lits('42')).toEqual(['42']);
    expect(lits('-7')).toEqual(['7']);
    expect(lits('1e21')).toEqual([]);
  });

  test('whole corpus, EVTX and ECS shapes, nested and flat: every event a rule matches satisfies all its clauses', () => {
    const files = expandPaths([`${CORPUS}/rules`, `${CORPUS}/rules-emerging-threats`, `${CORPUS}/rules-threat-hunting`]);
    const rules: SigmaRule[] = files.flatMap((f) => {
      try {
        return parseSigmaFile(f).documents.filter((d): d is SigmaRule => d.kind === 'rule');
      } catch {
        return [];
      }
    });
    let matched = 0;
    const rulesHit = new Set<SigmaRule>();
    for (const pipeline of [windows, getPipeline('ecs')]) {
      const backend = new JsMatcherBackend([pipeline]);
      for (const rule of rules) {
        let compiled;
        try {
          compiled = backend.compile(rule);
        } catch {
          continue;
        }
        const processed: ProcessedRule = compiled.rule;
        const clauses = requiredClauses(processed);
        for (const doc of generateEvents(processed, 3)) {
          for (const event of [doc, flatten(doc)]) {
            if (!compiled.match(event)) continue;
            matched++;
            rulesHit.add(rule);
            const inside = contents(event);
            for (const c of clauses) if (!holds(c, inside)) expect([rule.source, c, event]).toBe('a satisfied clause');
          }
        }
      }
    }
    expect(rulesHit.size).toBeGreaterThan(2500);
    expect(matched).toBeGreaterThan(10000);
  }, 120_000);
});
