/**
 * UEBA held to the levels its README states, on the benchmark's simulation: `citysoc simulate
 * --users 500 --days 60 --seed 7` (1.2 million log lines) through the parsers, enrichment, the
 * embedded engine and the scorer. Long (minutes): it is the detection benchmark as a test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultUebaConfig } from './config';
import { runDetection, type DetectionRun } from './measure';
import { SCENARIOS } from './simulator/scenarios';
import { simulate } from './simulator/simulate';

jest.setTimeout(3_600_000);

describe('UEBA on the simulated city (500 people, 60 days, seed 7)', () => {
  let dir: string;
  let run: DetectionRun;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'citysoc-ueba-levels-'));
    await simulate({ users: 500, days: 60, seed: 7, out: dir });
    run = await runDetection(dir, defaultUebaConfig());
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('every line is parsed: no dead letters', () => {
    expect(run.deadLetters).toBe(0);
    expect(run.events).toBe(run.lines);
  });

  test('recall of injected scenarios is at least 0.95, and as much is explained by the behaviour injected', () => {
    expect(run.evaluation.scenarios).toHaveLength(27);
    expect(run.evaluation.recall).toBeGreaterThanOrEqual(0.95);
    expect(run.evaluation.explainedRecall).toBeGreaterThanOrEqual(0.95);
  });

  test('every scenario type is detected, and explained, at least once', () => {
    for (const s of SCENARIOS) expect([s, run.evaluation.byType[s]!.explained]).toEqual([s, expect.any(Number)]);
    expect(SCENARIOS.filter((s) => run.evaluation.byType[s]!.explained === 0)).toEqual([]);
  });

  test('at most 0.2 false alerts per 100 user-days', () => {
    expect(run.evaluation.userDays).toBe(30_000);
    expect(run.evaluation.falsePer100UserDays).toBeLessThanOrEqual(0.2);
  });
});
