import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SigmaParseError } from './errors';
import type { SigmaCorrelationRule, SigmaFilter, SigmaRule } from './model';
import { parseSigmaFile, parseSigmaYaml } from './parse';
import { parseSigmaString } from './strings';
import { sharedPath } from '../../core/shared-data';

const SPEC_TESTS = sharedPath('reference/sigma-spec/tests/schema');

describe('Sigma strings', () => {
  test('backslash escapes wildcards and itself, and is plain before anything else', () => {
    expect(parseSigmaString('C:\\Windows\\\\*.exe')).toEqual([{ kind: 'literal', text: 'C:\\Windows\\' }, { kind: 'any' }, { kind: 'literal', text: '.exe' }]);
    expect(parseSigmaString('C:\\Windows\\*.exe')).toEqual([{ kind: 'literal', text: 'C:\\Windows*.exe' }]);
    expect(parseSigmaString('a\\*b\\?c')).toEqual([{ kind: 'literal', text: 'a*b?c' }]);
    expect(parseSigmaString('\\\\*')).toEqual([{ kind: 'literal', text: '\\' }, { kind: 'any' }]);
    expect(parseSigmaString('\\\\\\*')).toEqual([{ kind: 'literal', text: '\\*' }]);
    expect(parseSigmaString('\\\\\\\\')).toEqual([{ kind: 'literal', text: '\\\\' }]);
  });

  test('placeholders only under expand, \\% escapes a percent sign', () => {
    expect(parseSigmaString('%name%')).toEqual([{ kind: 'literal', text: '%name%' }]);
    expect(parseSigmaString('\\%plain%name%', true)).toEqual([
      { kind: 'literal', text: '%plain' },
      { kind: 'placeholder', name: 'name' },
    ]);
  });
});

describe('documents', () => {
  test('every valid example in the spec tests folder parses into its kind', () => {
    const kinds: Record<string, string> = {};
    for (const dir of readdirSync(SPEC_TESTS)) {
      for (const f of readdirSync(join(SPEC_TESTS, dir))) kinds[`${dir}/${f}`] = parseSigmaFile(join(SPEC_TESTS, dir, f)).documents[0]?.kind ?? 'none';
    }
    expect(kinds).toEqual({
      'correlation/event_count.yml': 'correlation',
      'correlation/event_count_ecs.yml': 'correlation',
      'correlation/temporal.yml': 'correlation',
      'correlation/temporal_ordered.yml': 'correlation',
      'correlation/value_avg.yml': 'correlation',
      'correlation/value_count.yml': 'correlation',
      'correlation/value_percentile.yml': 'correlation',
      'correlation/value_sum.yml': 'correlation',
      'filter/filter_1.yml': 'filter',
      'filter/filter_ecs.yml': 'filter',
      'rules/rule_1.yml': 'rule',
      'rules/rule_ecs.yml': 'rule',
    });
  });

  test('invalid documents are rejected with the reason', () => {
    const cases: [string, string][] = [
      ['logsource: {product: windows}\ndetection: {sel: {a: 1}, condition: sel}\n', "at 'title'"],
      ['title: t\ndetection: {sel: {a: 1}, condition: sel}\n', "at 'logsource'"],
      ['title: t\nlogsource: {product: windows}\ndetection: {sel: {a: 1}}\n', 'detection needs a condition'],
      ['title: t\nlevel: severe\nlogsource: {product: windows}\ndetection: {sel: {a: 1}, condition: sel}\n', "at 'level'"],
      ['title: t\ncorrelation: {type: event_count, rules: [a], group-by: [u], timespan: 1h}\n', "correlation type 'event_count' needs a condition"],
      ['title: t\ncorrelation: {type: value_count, rules: [a], timespan: 1h, condition: {gte: 3}}\n', 'needs condition.field'],
      ['title: t\ncorrelation: {type: event_count, rules: [a], timespan: 1 hour, condition: {gte: 3}}\n', 'timespan is a number and a unit letter'],
      ['title: t\nlogsource: {product: windows}\nfilter: {selection: {a: 1}, condition: selection}\n', "at 'filter.rules'"],
      ['title: t\nlogsource: {product: windows}\ndetection:\n  sel: {a: 1}\n  sel: {b: 1}\n  condition: sel\n', 'invalid YAML: Map keys must be unique'],
    ];
    for (const [yaml, reason] of cases) {
      expect(() => parseSigmaYaml(yaml, 'bad.yml')).toThrow(SigmaParseError);
      expect(() => parseSigmaYaml(yaml, 'bad.yml')).toThrow(reason);
    }
  });

  test('YAML syntax errors carry file, line and column', () => {
    expect(() => parseSigmaYaml('title: t\nlogsource: [\n', 'broken.yml')).toThrow(/^broken\.yml:\d+:\d+: invalid YAML/);
  });

  test('a correlation rule is modelled with its parts', () => {
    const doc = parseSigmaFile(join(SPEC_TESTS, 'correlation/value_count.yml')).documents[0] as SigmaCorrelationRule;
    expect([doc.type, doc.rules.length, doc.groupBy, doc.timespan, doc.condition]).toEqual([
      'value_count',
      1,
      ['ComputerName', 'WorkstationName'],
      { text: '1d', milliseconds: 86_400_000 },
      { field: ['User'], gte: 100 },
    ]);
  });

  test('a filter is modelled with its rules and detection', () => {
    const doc = parseSigmaFile(join(SPEC_TESTS, 'filter/filter_1.yml')).documents[0] as SigmaFilter;
    expect(doc.rules).toHaveLength(2);
    expect(doc.detection.conditionText).toEqual(['selection']);
    expect(doc.detection.identifiers.selection?.anyOf[0]?.[0]?.field).toBe('User');
  });

  test('multi-document files hold rules and a correlation over them', () => {
    const text = [
      'title: failed\nname: failed_logon\nlogsource: {product: windows, service: security}\ndetection: {sel: {EventID: 4625}, condition: sel}',
      'title: many failed\ncorrelation: {type: event_count, rules: [failed_logon], group-by: [TargetUserName], timespan: 5m, condition: {gte: 10}}',
    ].join('\n---\n');
    expect(parseSigmaYaml(text).documents.map((d) => d.kind)).toEqual(['rule', 'correlation']);
  });

  test('legacy action: global / repeat / reset collections merge documents', () => {
    const text = [
      'action: global\ntitle: t\nlogsource: {product: windows}\ndetection: {condition: sel}',
      'logsource: {service: security}\ndetection: {sel: {EventID: 1}}',
      'action: repeat\ndetection: {sel: {EventID: 2}}',
      'action: reset',
      'title: other\nlogsource: {product: linux}\ndetection: {k: [x], condition: k}',
    ].join('\n---\n');
    const docs = parseSigmaYaml(text).documents as SigmaRule[];
    expect(docs.map((d) => [d.title, d.logsource, d.detection.identifiers.sel?.anyOf[0]?.[0]?.values])).toEqual([
      ['t', { product: 'windows', service: 'security' }, [{ type: 'number', value: 1 }]],
      ['t', { product: 'windows', service: 'security' }, [{ type: 'number', value: 2 }]],
      ['other', { product: 'linux' }, undefined],
    ]);
  });
});
