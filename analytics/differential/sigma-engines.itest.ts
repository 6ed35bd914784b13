/**
 * Differential test of the Sigma backends on the real engines: every compared rule (CitySOC's
 * own and ≥ 300 SigmaHQ process_creation/linux/web rules) must select exactly the events the
 * JavaScript matcher selects, on Elasticsearch, OpenSearch and SQLite, over one corpus of
 * rule samples, parsed loghub lines and events generated from the rules.
 *
 * CITYSOC_STACK_ONLY=es,opensearch CITYSOC_STACK_KEEP=1 npx jest --selectProjects integration --testPathPatterns analytics/differential
 */
import { writeFileSync } from 'node:fs';
import { RuleSet } from '../sigma/backends/ruleset';
import { compileCases, difference, type CompiledCase, type Refusal } from './compile';
import { asStored, generatedEvents, loadRuleCases, loghubEvents, sampleEvents, type CorpusEvent } from './corpus';
import { SearchCorpus, type SearchKind } from './search-engine';
import { SqliteCorpus } from './sqlite-engine';

jest.setTimeout(600_000);

const run = `${Date.now().toString(36)}-${process.pid}`;
const REPORT = process.env.CITYSOC_DIFFERENTIAL_REPORT;

interface Mismatch {
  key: string;
  onlyMatcher: string[];
  onlyEngine: string[];
}

let compiled: CompiledCase[];
let refused: Refusal[];
let events: CorpusEvent[];
/** Case key → ids the JS matcher (one compiled rule at a time) selects. */
const expected = new Map<string, string[]>();
const summary: Record<string, unknown> = {};

beforeAll(() => {
  const load = loadRuleCases();
  ({ compiled, refused } = compileCases(load.cases));
  events = [...sampleEvents(), ...loghubEvents(), ...generatedEvents(compiled.map((c) => c.case))].map(asStored);
  for (const c of compiled)
    expected.set(
      c.case.key,
      events
        .filter((e) => c.js.match(e.doc))
        .map((e) => e.id)
        .sort(),
    );
  summary.corpus = { events: events.length, cases: load.cases.length, compared: compiled.length, skippedFiles: load.skipped.length };
  summary.refused = refused;
});

afterAll(() => {
  if (REPORT) writeFileSync(REPORT, JSON.stringify(summary, null, 1));
});

function tally(name: string, mismatches: Mismatch[]): void {
  const sigmaFiles = new Set(compiled.filter((c) => c.case.origin === 'sigmahq').map((c) => c.case.file));
  summary[name] = {
    casesCompared: compiled.length,
    sigmahqRuleFiles: sigmaFiles.size,
    casesWithHits: compiled.filter((c) => (expected.get(c.case.key) ?? []).length > 0).length,
    mismatches,
  };
}

test('the corpus holds ≥ 300 compared SigmaHQ rules and a meaningful share of them hit', () => {
  const sigma = compiled.filter((c) => c.case.origin === 'sigmahq');
  const files = new Set(sigma.map((c) => c.case.file));
  const hitFiles = new Set(sigma.filter((c) => (expected.get(c.case.key) ?? []).length > 0).map((c) => c.case.file));
  expect(files.size).toBeGreaterThanOrEqual(300);
  expect(hitFiles.size / files.size).toBeGreaterThan(0.5);
  // Every CitySOC detection is compared, or refused by a backend with a named reason.
  const own = loadRuleCases()
    .cases.filter((c) => c.origin === 'citysoc')
    .map((c) => c.key);
  const refusedKeys = new Set(refused.map((r) => r.key));
  const ownCompiled = compiled.filter((c) => c.case.origin === 'citysoc');
  expect(own.filter((k) => !refusedKeys.has(k)).sort()).toEqual(ownCompiled.map((c) => c.case.key).sort());
  expect(ownCompiled.length).toBeGreaterThan(0);
  // The corpus holds each CitySOC rule's positive samples, so every compared CitySOC detection hits.
  expect(ownCompiled.filter((c) => (expected.get(c.case.key) ?? []).length === 0).map((c) => c.case.key)).toEqual([]);
});

test('the indexed RuleSet (routing + literal prefilter) selects what each rule alone selects', () => {
  const mismatches: Mismatch[] = [];
  const byPipeline = new Map<string, CompiledCase[]>();
  for (const c of compiled) byPipeline.set(c.case.pipeline.name, [...(byPipeline.get(c.case.pipeline.name) ?? []), c]);
  for (const [, cases] of byPipeline) {
    const set = new RuleSet({ pipelines: [cases[0]!.case.pipeline] });
    cases.forEach((c) => set.add(c.case.rule));
    const got = new Map<string, string[]>();
    for (const e of events) for (const m of set.match(e.doc)) got.set(m.ruleId, [...(got.get(m.ruleId) ?? []), e.id]);
    for (const c of cases) {
      const d = difference(expected.get(c.case.key)!, (got.get(c.case.rule.id ?? c.case.rule.title) ?? []).sort());
      if (d.onlyMatcher.length || d.onlyEngine.length) mismatches.push({ key: c.case.key, ...d });
    }
  }
  tally('ruleset', mismatches);
  expect(mismatches).toEqual([]);
});

test('SQLite selects exactly the events the JS matcher selects, rule by rule', () => {
  const db = new SqliteCorpus(events);
  const mismatches: Mismatch[] = [];
  try {
    for (const c of compiled) {
      const d = difference(expected.get(c.case.key)!, db.ids(c.sql));
      if (d.onlyMatcher.length || d.onlyEngine.length) mismatches.push({ key: c.case.key, ...d });
    }
  } finally {
    db.close();
  }
  tally('sqlite', mismatches);
  expect(mismatches).toEqual([]);
});

describe.each<SearchKind>(['elasticsearch', 'opensearch'])('%s', (kind) => {
  test(`${kind} selects exactly the events the JS matcher selects, rule by rule`, async () => {
    const { corpus, rejected } = await SearchCorpus.load(kind, run, events);
    const mismatches: Mismatch[] = [];
    const errors: { key: string; error: string }[] = [];
    try {
      expect(rejected).toEqual([]);
      for (let i = 0; i < compiled.length; i += 8) {
        await Promise.all(
          compiled.slice(i, i + 8).map(async (c) => {
            try {
              const d = difference(expected.get(c.case.key)!, await corpus.ids(c.es));
              if (d.onlyMatcher.length || d.onlyEngine.length) mismatches.push({ key: c.case.key, ...d });
            } catch (e) {
              errors.push({ key: c.case.key, error: (e as Error).message.slice(0, 300) });
            }
          }),
        );
      }
    } finally {
      await corpus.drop();
    }
    tally(kind, mismatches);
    summary[`${kind}Errors`] = errors;
    expect(errors).toEqual([]);
    expect(mismatches).toEqual([]);
  });
});
