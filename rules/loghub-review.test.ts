// The review of rules/README.md, asserted: every loghub sample of a shipped source replayed
// through the collectors' parsers and all of CitySOC's content, and exactly these alerts raised
// (single-event rules by matching events, correlations by groups that fired).
import { readFileSync } from 'node:fs';
import { detectSource } from '../collectors/parsers';
import { CorrelationEngine } from '../analytics/correlation/engine';
import { Detector } from '../analytics/detector';
import { loadContent } from '../analytics/engine/content';
import { getPipeline } from '../analytics/sigma/pipelines';
import { sharedPath } from '../core/shared-data';

const content = loadContent([__dirname], { pipelines: [getPipeline('citysoc')] });
const ctx = { defaultYear: 2026, receivedAt: new Date('2026-12-31T00:00:00Z') };

/** `title: N events` for single-event rules, `title: N groups` for correlations, and which parser read the lines. */
function review(sample: string): { sources: Record<string, number>; alerts: Record<string, string> } {
  const detector = new Detector({ ruleSet: content.ruleSet, correlations: new CorrelationEngine(content.correlations) });
  const lines = readFileSync(sharedPath(`data/loghub/${sample}/${sample}_2k.log`), 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  const sources: Record<string, number> = {};
  const events = new Map<string, number>();
  const groups = new Map<string, Set<string>>();
  const note = (ds: ReturnType<Detector['detect']>): void => {
    for (const d of ds) {
      if (d.kind === 'sigma') events.set(d.match.title, (events.get(d.match.title) ?? 0) + 1);
      else groups.set(d.firing.rule.title, (groups.get(d.firing.rule.title) ?? new Set()).add(d.firing.groupKey));
    }
  };
  for (const line of lines) {
    const source = detectSource({ kind: 'line', line });
    const parsed = source?.parse({ kind: 'line', line }, ctx);
    if (!source || !parsed?.ok) {
      sources.unparsed = (sources.unparsed ?? 0) + 1;
      continue;
    }
    sources[source.name] = (sources[source.name] ?? 0) + 1;
    note(detector.detect({ ...parsed.event, event: { ...(parsed.event.event as object), original: line } }));
  }
  note(detector.flushDetections());
  const alerts: Record<string, string> = {};
  for (const [title, n] of events) alerts[title] = `${n} events`;
  for (const [title, g] of groups) alerts[title] = `${g.size} groups`;
  return { sources, alerts };
}

test.each([
  [
    'OpenSSH',
    { openssh: 2000 },
    {
      'SSH Brute Force From One Address': '6 groups',
      'SSH Password Spraying From One Address': '4 groups',
      'SSH Disconnect For Too Many Authentication Failures': '10 events',
    },
  ],
  [
    'Linux',
    { 'linux-syslog': 2000 },
    {
      'Linux Authentication Brute Force From One Source': '28 groups',
      'FTP Connection Burst From One Address': '28 groups',
      'Linux Remote Session Opened For A Default Or Test Account': '36 events',
    },
  ],
  ['Spark', { spark: 2000 }, { 'Spark Application Running With Authentication Disabled': '2 events' }],
  ['Apache', { 'apache-error': 2000 }, {}],
  ['HDFS', { hdfs: 2000 }, {}],
  ['Hadoop', { hadoop: 2000 }, {}],
  ['Zookeeper', { zookeeper: 2000 }, {}],
  ['OpenStack', { openstack: 2000 }, {}],
  ['Windows', { 'windows-cbs': 2000 }, {}],
])('%s: every line parsed by its source, and exactly the alerts of the review', (sample, sources, alerts) => {
  expect(review(sample)).toEqual({ sources, alerts });
});
