/**
 * `citysoc ingest` of a simulated city's log files: every line is counted once (read = accepted +
 * dead-lettered, all of it in the store), UEBA sees every event, and its entity risk is exactly
 * what the UEBA runtime computes over the same simulation replayed in event-time order — so the
 * injected scenarios' people are among the riskiest entities.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultUebaConfig } from '../analytics/ueba/config';
import { runDetection, type DetectionRun } from '../analytics/ueba/measure';
import { UebaRuntime } from '../analytics/ueba/runtime';
import { LAYOUT } from '../analytics/ueba/simulator/layout';
import { simulate, type AnswerKey } from '../analytics/ueba/simulator/simulate';
import { EXIT } from './cli';
import { runCli } from './test-support/run-cli';

jest.setTimeout(180_000);

const run = runCli;

describe('citysoc ingest of a simulated city (50 people, 14 days, seed 7)', () => {
  let sim: string;
  let data: string;
  let lines: number;
  let result: { code: number; out: string; err: string };
  let reference: DetectionRun;
  beforeAll(async () => {
    sim = mkdtempSync(path.join(tmpdir(), 'cs-ingest-sim-'));
    data = mkdtempSync(path.join(tmpdir(), 'cs-ingest-data-'));
    lines = (await simulate({ users: 50, days: 14, seed: 7, out: sim })).lines;
    const logs = readdirSync(path.join(sim, 'logs')).flatMap((d) => readdirSync(path.join(sim, 'logs', d)).map((f) => path.join(sim, 'logs', d, f)));
    // Files in the order a shell's glob gives them (product by product): ingest merges them by time.
    result = await run('--config', path.join(sim, LAYOUT.config), '--data-dir', data, 'ingest', ...logs.sort());
    // The reference: the UEBA runtime over the same simulation, replayed in time order, in the bus's batches, hours left open.
    reference = await runDetection(sim, defaultUebaConfig(), 500, false);
  });
  afterAll(() => {
    rmSync(sim, { recursive: true, force: true });
    rmSync(data, { recursive: true, force: true });
  });

  test('every line read is accepted or dead-lettered, and all of them are in the store', () => {
    expect(result.code).toBe(EXIT.ok);
    expect(result.err).toBe('');
    expect(result.out).toMatch(
      new RegExp(`^read: ${lines}\\naccepted: ${lines}\\ndead-lettered: 0\\nstored: ${lines} \\(0 already present; dead letters are kept searchable\\)\\n`),
    );
  });

  test('UEBA processed every event, and raised as many risk alerts as the runtime does on the same data', () => {
    const m = /UEBA: (\d+) events processed, (\d+) anomalies scored, (\d+) risk signals/.exec(result.out);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBe(lines);
    expect(Number(m![2])).toBeGreaterThan(0);
    expect(Number(m![3])).toBe(reference.alerts.length);
    const uebaAlerts = result.out.split('\n').filter((l) => l.includes('UEBA: '));
    expect(uebaAlerts.length - 1).toBe(new Set(reference.alerts.map((s) => s.dedupKey)).size);
  });

  test('entity risk after the replay is exactly the runtime’s, and the injected scenarios’ people are among the riskiest', () => {
    const rt = new UebaRuntime(defaultUebaConfig(), { file: path.join(data, 'ueba', 'state.db'), publish: async () => undefined });
    try {
      const scores = (risks: UebaRuntime['scorer']['risks']) => Object.fromEntries([...risks].map(([k, r]) => [k, r.current?.score ?? 0]));
      const replayed = scores(rt.scorer.risks);
      expect(Object.keys(replayed).length).toBeGreaterThan(0);
      expect(replayed).toEqual(scores(reference.scorer.risks));
      const key = JSON.parse(readFileSync(path.join(sim, LAYOUT.answerKey), 'utf8')) as AnswerKey;
      const people = key.scenarios.flatMap((s) => (s.user ? [s.user] : []));
      expect(people.length).toBeGreaterThan(0);
      const top = Object.entries(replayed)
        .filter(([k]) => k.startsWith('user:'))
        .sort((a, b) => b[1] - a[1])
        .slice(0, people.length + 2)
        .map(([k]) => k.slice('user:'.length));
      expect(people.filter((p) => !top.includes(p))).toEqual([]);
      // and the reference finds every injected scenario (the detection-level test's measure)
      expect(reference.evaluation.scenarios.filter((s) => !s.detected).map((s) => s.id)).toEqual([]);
    } finally {
      rt.close();
    }
  });
});
