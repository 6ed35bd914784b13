// The Linux content on the loghub Linux sample (a real password-guessing campaign against sshd,
// logged by pam_unix, klogind failures, FTP scanners, sessions of a test account), against
// independent counts from the raw lines: plain regexes, the same threshold and window, in event time.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectSource } from '../collectors/parsers';
import { CorrelationEngine } from '../analytics/correlation/engine';
import { Detector } from '../analytics/detector';
import { loadContent } from '../analytics/engine/content';
import type { SigmaCorrelationRule } from '../analytics/sigma/model';
import { getPipeline } from '../analytics/sigma/pipelines';
import { sharedPath } from '../core/shared-data';

const LOG = sharedPath('data/loghub/Linux/Linux_2k.log');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const lines = readFileSync(LOG, 'utf8')
  .split('\n')
  .filter((l) => l !== '');

const HEAD = /^(\w{3}) +(\d+) (\d\d):(\d\d):(\d\d) \S+ /;
const time = (m: RegExpExecArray): number => Date.UTC(2026, MONTHS.indexOf(m[1]!), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));

/** Keys (the first capturing group after the time that matched) seen `threshold` times inside some span of `windowMs`. */
function bursts(pattern: string, threshold: number, windowMs: number): string[] {
  const times = new Map<string, number[]>();
  const re = new RegExp(`${HEAD.source}${pattern}`);
  for (const line of lines) {
    const m = re.exec(line);
    const key = m?.slice(6).find((g) => g !== undefined);
    if (!m || !key) continue;
    times.set(key, [...(times.get(key) ?? []), time(m)]);
  }
  return [...times]
    .filter(([, ts]) => ts.sort((a, b) => a - b).some((t, i) => i + threshold - 1 < ts.length && (ts[i + threshold - 1] as number) - t <= windowMs))
    .map(([key]) => key)
    .sort();
}

const FAILURE_FROM_HOST = '(?:\\S+\\(pam_unix\\)\\[\\d+\\]: authentication failure;.* rhost=(\\S+)|klogind\\[\\d+\\]: Authentication failed from (\\S+) )';
const FTP_CONNECTION = 'ftpd\\[\\d+\\]: connection from (\\S+) ';

function run(): { events: number; failures: number; fired: Map<string, Set<string>>; matched: Map<string, number> } {
  const content = loadContent([join(__dirname, 'linux')], { pipelines: [getPipeline('citysoc')] });
  expect(content.rejected).toEqual([]);
  const detector = new Detector({ ruleSet: content.ruleSet, correlations: new CorrelationEngine(content.correlations) });
  const ctx = { defaultYear: 2026, receivedAt: new Date('2026-12-31T00:00:00Z') };
  const fired = new Map<string, Set<string>>();
  const matched = new Map<string, number>();
  let events = 0;
  let failures = 0;
  for (const line of lines) {
    const source = detectSource({ kind: 'line', line });
    const parsed = source?.parse({ kind: 'line', line }, ctx);
    if (!parsed?.ok) continue;
    events++;
    const event = parsed.event as { event?: { outcome?: string; category?: string[] } };
    if (event.event?.outcome === 'failure' && event.event.category?.includes('authentication')) failures++;
    for (const d of detector.detect({ ...parsed.event, event: { ...(parsed.event.event as object), original: line } })) {
      if (d.kind === 'sigma') matched.set(d.match.title, (matched.get(d.match.title) ?? 0) + 1);
      if (d.kind !== 'correlation') continue;
      const set = fired.get(d.firing.rule.title) ?? new Set<string>();
      set.add(d.firing.groupKey);
      fired.set(d.firing.rule.title, set);
    }
  }
  for (const f of detector.flushDetections())
    if (f.kind === 'correlation') fired.set(f.firing.rule.title, (fired.get(f.firing.rule.title) ?? new Set()).add(f.firing.groupKey));
  return { events, failures, fired, matched };
}

describe('Linux authentication content on Linux_2k.log', () => {
  const result = run();

  test('the 653 authentication failures of the sample are read as such (490 pam_unix failures, 117 unknown users, 46 klogind)', () => {
    const counted = (re: RegExp) => lines.filter((l) => re.test(l)).length;
    const pamFailures = counted(/\(pam_unix\)\[\d+\]: authentication failure;/);
    const unknownUsers = counted(/\(pam_unix\)\[\d+\]: check pass; user unknown/);
    const klogind = counted(/klogind\[\d+\]: (Authentication failed from|Kerberos authentication failed)/);
    expect([pamFailures, unknownUsers, klogind]).toEqual([490, 117, 46]);
    expect(result.failures).toBe(pamFailures + unknownUsers + klogind);
    expect(result.events).toBe(lines.length);
  });

  test('brute force fires for exactly the remote hosts a plain count finds (10 failures in 5 minutes), addresses and names alike', () => {
    const content = loadContent([join(__dirname, 'linux/linux_auth_brute_force.yml')]);
    const rule = content.correlations[0] as SigmaCorrelationRule;
    const expected = bursts(FAILURE_FROM_HOST, rule.condition!.gte!, rule.timespan.milliseconds);
    expect(expected.length).toBe(28);
    expect(expected).toEqual(expect.arrayContaining(['150.183.249.110', 'massive.merukuru.org', '163.27.187.39']));
    expect([...(result.fired.get(rule.title) ?? [])].sort()).toEqual(expected);
  });

  test('FTP connection bursts fire for exactly the addresses a plain count finds (20 connections in a minute)', () => {
    const rule = loadContent([join(__dirname, 'linux/linux_ftp_connection_burst.yml')]).correlations[0] as SigmaCorrelationRule;
    const expected = bursts(FTP_CONNECTION, rule.condition!.gte!, rule.timespan.milliseconds);
    expect(expected.length).toBe(28);
    expect([...(result.fired.get(rule.title) ?? [])].sort()).toEqual(expected);
  });

  test('every sshd session of the test account raises the default-account alert', () => {
    const sessions = lines.filter((l) => /sshd\(pam_unix\)\[\d+\]: session opened for user test /.test(l)).length;
    expect(sessions).toBe(36);
    expect(result.matched.get('Linux Remote Session Opened For A Default Or Test Account')).toBe(sessions);
  });

  test('neither spraying (every failure here targets root, guest or an unknown user, one each) nor local guessing fires on this sample', () => {
    expect([...result.fired.keys()].sort()).toEqual(['FTP Connection Burst From One Address', 'Linux Authentication Brute Force From One Source']);
  });
});
