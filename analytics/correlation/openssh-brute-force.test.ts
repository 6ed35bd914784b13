// The brute-force rule of rules/ on the loghub OpenSSH sample, against an independent count
// from the raw lines: the same threshold and window, in event time, with a plain regex.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sourceByName } from '../../collectors/parsers';
import { Detector } from '../detector';
import { loadContent } from '../engine/content';
import type { SigmaCorrelationRule } from '../sigma/model';
import { getPipeline } from '../sigma/pipelines';
import { CorrelationEngine } from './engine';
import { sharedPath } from '../../core/shared-data';

const LOG = sharedPath('data/loghub/OpenSSH/OpenSSH_2k.log');
const RULE = join(__dirname, '../../rules/ssh/ssh_brute_force.yml');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Source addresses with `threshold` failed logins inside some span of `windowMs`, from the raw text. */
function independentlyComputed(lines: string[], threshold: number, windowMs: number): string[] {
  const times = new Map<string, number[]>();
  const re = /^(\w{3}) +(\d+) (\d\d):(\d\d):(\d\d) \S+ sshd\[\d+\]: (?:message repeated \d+ times: \[ ?)?Failed \S+ for .*? from (\d+\.\d+\.\d+\.\d+) port \d+/;
  for (const line of lines) {
    const m = re.exec(line);
    if (!m) continue;
    const t = Date.UTC(2026, MONTHS.indexOf(m[1]!), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
    times.set(m[6]!, [...(times.get(m[6]!) ?? []), t]);
  }
  return [...times]
    .filter(([, ts]) => ts.sort((a, b) => a - b).some((t, i) => i + threshold - 1 < ts.length && (ts[i + threshold - 1] as number) - t <= windowMs))
    .map(([ip]) => ip)
    .sort();
}

test('SSH brute force fires on OpenSSH_2k.log for exactly the addresses a plain regex count finds', () => {
  const lines = readFileSync(LOG, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  const content = loadContent([RULE], { pipelines: [getPipeline('citysoc')] });
  const rule = content.correlations[0] as SigmaCorrelationRule;
  const engine = new CorrelationEngine(content.correlations);
  const detector = new Detector({ ruleSet: content.ruleSet, correlations: engine });
  const source = sourceByName('openssh')!;
  const ctx = { defaultYear: 2026, receivedAt: new Date('2026-12-31T00:00:00Z') };
  const fired = new Set<string>();
  for (const line of lines) {
    const parsed = source.parse({ kind: 'line', line }, ctx);
    if (!parsed.ok) continue;
    for (const d of detector.detect(parsed.event)) if (d.kind === 'correlation' && d.firing.ruleId === rule.id) fired.add(d.firing.groupKey);
  }
  const expected = independentlyComputed(lines, rule.condition!.gte!, rule.timespan.milliseconds);
  expect(expected.length).toBeGreaterThan(3);
  expect([...fired].sort()).toEqual(expected);
});
