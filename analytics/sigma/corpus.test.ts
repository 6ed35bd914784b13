import { summarize, validateRules } from './validate';
import { CORPUS } from './test-support/rules';

describe('SigmaHQ corpus acceptance', () => {
  const results = validateRules([`${CORPUS}/rules`, `${CORPUS}/rules-emerging-threats`, `${CORPUS}/rules-threat-hunting`]);

  test('at least 99.5% of the corpus parses and compiles to the JS matcher', () => {
    const s = summarize(results);
    expect(s.total).toBeGreaterThan(3000);
    expect(s.acceptance).toBeGreaterThanOrEqual(0.995);
  });

  test('every rejected file says why, with a code', () => {
    for (const r of results) {
      if (r.status === 'ok') continue;
      expect(r.reason).toMatch(/^\/.+\.yml .+: .{10,}/);
      expect(r.code).not.toBe('internal');
    }
  });
});
