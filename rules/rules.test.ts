// Every rule's samples are its specification: positives match (or fire, for correlations), negatives do not.
import { readFileSync } from 'node:fs';
import { CorrelationEngine } from '../analytics/correlation/engine';
import { Detector } from '../analytics/detector';
import { loadContent } from '../analytics/engine/content';
import type { SigmaEvent } from '../analytics/sigma/backends/fieldpath';
import type { SigmaDocument } from '../analytics/sigma/model';
import { parseSigmaFile } from '../analytics/sigma/parse';
import { getPipeline } from '../analytics/sigma/pipelines';
import { expandPaths } from '../analytics/sigma/validate';

const files = expandPaths([__dirname]);
const content = loadContent([__dirname], { pipelines: [getPipeline('citysoc')] });
const documents = files.flatMap((f) => parseSigmaFile(f).documents);

/** Ids of the detections a correlation builds on: its referenced rules, through referenced correlations. */
function baseRuleIds(correlation: SigmaDocument, seen = new Set<SigmaDocument>()): string[] {
  if (correlation.kind !== 'correlation' || seen.has(correlation)) return [];
  seen.add(correlation);
  return correlation.rules.flatMap((ref) => {
    const doc = documents.find((d) => d.id === ref || d.name === ref);
    if (!doc) throw new Error(`${correlation.title}: unknown referenced rule ${ref}`);
    return doc.kind === 'rule' ? [doc.id ?? doc.title] : baseRuleIds(doc, seen);
  });
}

/** Everything the rule of the file can produce: its own matches, or its firings as a correlation. */
function hitsOf(ruleId: string, events: SigmaEvent[], asSequence: boolean): boolean[] {
  if (!asSequence) return events.map((e) => content.ruleSet.match(e).some((m) => m.ruleId === ruleId));
  const engine = new CorrelationEngine(content.correlations);
  const detector = new Detector({ ruleSet: content.ruleSet, correlations: engine });
  const fired = events.flatMap((e) => detector.detect(e)).concat(engine.flush().map((firing) => ({ kind: 'correlation' as const, firing })));
  return [fired.some((d) => d.kind === 'correlation' && d.firing.ruleId === ruleId)];
}

describe('rules/ content', () => {
  test('every rule file loads and there are at least 40 detections', () => {
    expect(content.rejected).toEqual([]);
    expect(files.length).toBeGreaterThanOrEqual(40);
  });

  test('rule ids are unique across the folder', () => {
    const ids = files.flatMap((f) => parseSigmaFile(f).documents.map((d) => d.id));
    expect(new Set(ids).size).toBe(ids.length);
  });

  describe.each(files.map((f) => [f.slice(__dirname.length + 1), f]))('%s', (_name, file) => {
    const top = parseSigmaFile(file).documents[0]!;
    const samples = JSON.parse(readFileSync(file.replace(/\.yml$/, '.samples.json'), 'utf8')) as { positive: SigmaEvent[]; negative: SigmaEvent[] };
    const isCorrelation = top.kind === 'correlation';

    test(isCorrelation ? 'the positive sequence fires' : 'every positive sample matches', () => {
      expect(samples.positive.length).toBeGreaterThan(0);
      expect(hitsOf(top.id!, samples.positive, isCorrelation).every(Boolean)).toBe(true);
    });

    test(isCorrelation ? 'the negative sequence does not fire' : 'no negative sample matches', () => {
      expect(samples.negative.length).toBeGreaterThan(0);
      expect(hitsOf(top.id!, samples.negative, isCorrelation).some(Boolean)).toBe(false);
    });

    if (isCorrelation)
      test('the negative sequence is a near miss: some negative event matches a rule the correlation builds on', () => {
        const bases = new Set(baseRuleIds(top));
        expect(bases.size).toBeGreaterThan(0);
        expect(samples.negative.some((e) => content.ruleSet.match(e).some((m) => bases.has(m.ruleId)))).toBe(true);
      });
  });
});
