import { defaultUebaConfig } from '../config';
import { riskOf, withCriticality, ZETA_1_5, type RiskInput } from './risk';

const cfg = defaultUebaConfig({ risk: { windowDays: 30, halfLifeDays: 7 } });
const DAY = 86_400_000;
const at = Date.parse('2026-07-01T00:00:00Z');
const input = (id: string, score: number, ageDays = 0): RiskInput => ({
  id,
  anomaly: id,
  at: at - ageDays * DAY,
  score,
  kind: 'numeric',
  feature: id,
  summary: { zh: id, en: id },
  eventIds: [],
  related: [],
});

describe('entity risk, Elastic-style', () => {
  test('one maximal input is 100/ζ(1.5); a second adds 100/2^1.5 before normalising', () => {
    expect(ZETA_1_5).toBeCloseTo(2.6123753487, 9);
    expect(riskOf([input('a', 100)], at, cfg).score).toBe(38.28);
    expect(riskOf([input('a', 100), input('b', 100)], at, cfg).score).toBe(Math.round(((100 + 100 / Math.pow(2, 1.5)) / ZETA_1_5) * 100) / 100);
  });

  test('inputs are ranked by decayed score: an old strong one counts after a fresh weaker one', () => {
    const r = riskOf([input('old', 100, 14), input('new', 40)], at, cfg);
    expect(r.contributions.map((c) => [c.id, c.decayed])).toEqual([
      ['new', 40],
      ['old', 25],
    ]);
    expect(r.score).toBe(Math.round(((40 + 25 / Math.pow(2, 1.5)) / ZETA_1_5) * 100) / 100);
  });

  test('inputs outside the window, or after the time asked for, do not count', () => {
    expect(riskOf([input('a', 100, 31)], at, cfg)).toMatchObject({ score: 0, level: 'none', inputs: 0 });
    expect(riskOf([input('future', 100, -1)], at, cfg).inputs).toBe(0);
  });

  test('contributions say how many points and what share each input makes', () => {
    const r = riskOf([input('a', 100), input('b', 50), input('c', 20)], at, cfg);
    expect(r.contributions.reduce((s, c) => s + c.share, 0)).toBeCloseTo(1, 1);
    expect(r.contributions.reduce((s, c) => s + c.points, 0)).toBeCloseTo(r.score, 1);
    expect(r.contributions[0]!.share).toBeGreaterThan(r.contributions[1]!.share);
  });

  test('criticality multiplies the odds: 涉密 (2) lifts 50 to 66.7, 公开 (0.5) lowers it to 33.3, 100 stays 100', () => {
    expect(withCriticality(50, 2)).toBeCloseTo(66.67, 2);
    expect(withCriticality(50, 0.5)).toBeCloseTo(33.33, 2);
    expect(withCriticality(100, 2)).toBe(100);
    expect(riskOf([input('a', 100)], at, cfg, 2).criticality).toBe(2);
  });

  test('levels follow the configuration', () => {
    const levels = (s: number) => riskOf([input('a', s * ZETA_1_5 > 100 ? 100 : s * ZETA_1_5)], at, cfg).level;
    expect([levels(10), levels(20), levels(31), levels(38)]).toEqual(['none', 'low', 'moderate', 'moderate']);
  });
});
