// Each Windows event, written in every converter's shape, raises the same SigmaHQ alerts: read
// into the internal shape for the `windows` pipeline, and parsed to ECS for the `ecs` pipeline.
import { normalizeWindowsEvent, windowsEvent } from '../../collectors/parsers/windows-event';
import { RuleSet } from './backends/ruleset';
import { getPipeline } from './pipelines';
import { SHAPED_EVENTS } from './test-support/windows-shapes';
import { CORPUS } from './test-support/rules';
import { expandPaths } from './validate';
import { parseSigmaFile } from './parse';

const ctx = { defaultYear: 2026, receivedAt: new Date('2026-12-31T00:00:00Z') };
const files = expandPaths([`${CORPUS}/rules/windows`]);
const raw = new RuleSet({ pipelines: [getPipeline('windows')] });
const ecs = new RuleSet({ pipelines: [getPipeline('ecs')] });
raw.addFiles(files);
ecs.addFiles(files);

/** The ids, sorted, of the corpus rules an event is expected to raise. */
const expectedIds = (files: readonly string[]): string[] => files.map((f) => parseSigmaFile(`${CORPUS}/rules/${f}`).documents[0]!.id!).sort();

const ids = (set: RuleSet, event: Record<string, unknown>): string[] => [...new Set(set.match(event).map((m) => m.ruleId))].sort();

describe.each(SHAPED_EVENTS.map((e) => [e.name, e] as const))('%s', (_name, shaped) => {
  const shapes = Object.entries(shaped.shapes);

  test('every shape raises the same alerts through the windows pipeline: exactly the expected ones', () => {
    const byShape = shapes.map(([shape, record]) => {
      const n = normalizeWindowsEvent(record as never, ctx);
      if (!n.ok) throw new Error(`${shape}: ${n.error}`);
      return [shape, ids(raw, n.record as unknown as Record<string, unknown>)] as const;
    });
    const [, reference] = byShape[0]!;
    expect(reference).toEqual(expectedIds(shaped.expectedRules));
    for (const [shape, got] of byShape) expect([shape, got]).toEqual([shape, reference]);
  });

  test('every shape raises the same alerts through the ECS pipeline after parsing: exactly the expected ones', () => {
    const byShape = shapes.map(([shape, record]) => {
      const parsed = windowsEvent.parse(typeof record === 'string' ? { kind: 'line', line: record } : { kind: 'record', record }, ctx);
      if (!parsed.ok) throw new Error(`${shape}: ${parsed.error}`);
      return [shape, ids(ecs, parsed.event as Record<string, unknown>)] as const;
    });
    const [, reference] = byShape[0]!;
    expect(reference).toEqual(expectedIds(shaped.expectedRules));
    for (const [shape, got] of byShape) expect([shape, got]).toEqual([shape, reference]);
  });
});
