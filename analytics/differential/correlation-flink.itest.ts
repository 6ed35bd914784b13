/**
 * Differential test of correlation rules: the SSH brute-force (event_count by source.ip) and
 * password-spraying (value_count of user.name by source.ip) rules of rules/ssh, compiled to
 * Flink SQL and run for real through the SQL Gateway over a Kafka topic, must fire for the same
 * groups as the embedded correlation engine on the same events.
 *
 * CITYSOC_STACK_ONLY=kafka,flink CITYSOC_STACK_KEEP=1 npx jest --selectProjects integration --testPathPatterns analytics/differential/correlation
 */
import { join } from 'node:path';
import { sourceByName } from '../../collectors/parsers';
import { compileCorrelationToFlink } from '../correlation/flink';
import { CorrelationEngine } from '../correlation/engine';
import { Detector } from '../detector';
import { loadContent } from '../engine/content';
import { ident, withOptions } from '../flink';
import { BROKERS, type FlinkKafkaHarness, openFlinkKafkaHarness } from '../flink/test-support/kafka-harness';
import type { SigmaCorrelationRule } from '../sigma/model';
import { getPipeline } from '../sigma/pipelines';
import type { Doc } from './corpus';

jest.setTimeout(300_000);

const run = `${Date.now().toString(36)}-${process.pid}`;
const EVENTS_TOPIC = `citysoc.differential.events.${run}`;
const RULES = ['ssh_brute_force.yml', 'ssh_password_spraying.yml'].map((f) => join(__dirname, '../../rules/ssh', f));

const at = (hms: string, text: string, ip: string): string => `Dec 10 ${hms} LabSZ sshd[24200]: ${text} from ${ip} port 50022 ssh2`;
const times = (start: number, n: number, stepS: number): string[] =>
  Array.from({ length: n }, (_, i) => new Date(Date.UTC(2026, 11, 10, 10, 0, start + i * stepS)).toISOString().slice(11, 19));

/**
 * The embedded engine slides its window (any 5 or 10 minutes), Flink's TUMBLE windows are fixed
 * ([10:00, 10:05), [10:05, 10:10) ...). They agree when every burst lies inside one tumbling
 * window and bursts of one address are further apart than the timespan, so these do: a burst
 * from 10:04 to 10:06 would fire only in the embedded engine (the `flink-static-window` warning).
 */
const LINES = [
  ...times(10, 12, 5).map((t) => at(t, 'Failed password for root', '10.0.0.1')), // 12 in 1 min: brute force
  ...times(20, 9, 5).map((t) => at(t, 'Failed password for root', '10.0.0.2')), // 9: one short
  ...times(320, 10, 20).map((t) => at(t, 'Failed password for admin', '10.0.0.3')), // 10 within [10:05, 10:10): brute force
  ...times(30, 6, 30).map((t, i) => at(t, `Failed password for invalid user u${i}`, '10.0.0.4')), // 6 users: spraying
  ...times(40, 4, 30).map((t, i) => at(t, `Failed password for u${i}`, '10.0.0.5')), // 4 users: one short
  ...times(50, 8, 10).map((t) => at(t, 'Accepted password for root', '10.0.0.6')), // successes count for neither
  // Moves the watermark past every window above; a success, so it opens no window itself.
  at('11:00:00', 'Accepted password for root', '10.0.0.9'),
];

function parsedEvents(): Doc[] {
  const source = sourceByName('openssh')!;
  const ctx = { defaultYear: 2026, receivedAt: new Date('2026-12-31T00:00:00Z') };
  return LINES.map((line) => {
    const r = source.parse({ kind: 'line', line }, ctx);
    if (!r.ok) throw new Error(`unparsed: ${line}: ${r.error}`);
    return r.event as Doc;
  }).sort((a, b) => String(a['@timestamp']).localeCompare(String(b['@timestamp'])));
}

const content = loadContent(RULES, { pipelines: [getPipeline('citysoc')] });
const correlations = content.correlations;

/** rule id → source addresses the embedded engine fires for. */
function embeddedGroups(events: Doc[]): Record<string, string[]> {
  const engine = new CorrelationEngine(correlations);
  const detector = new Detector({ ruleSet: content.ruleSet, correlations: engine });
  const fired = events.flatMap((e) => detector.detect(e)).flatMap((d) => (d.kind === 'correlation' ? [d.firing] : []));
  fired.push(...engine.flush());
  const out: Record<string, string[]> = Object.fromEntries(correlations.map((c) => [c.id!, []]));
  for (const f of fired) if (!out[f.ruleId]!.includes(f.groupKey)) out[f.ruleId]!.push(f.groupKey);
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.sort()]));
}

describe('correlations: embedded engine vs Flink SQL on the real Flink over Kafka', () => {
  const outTopic = (r: SigmaCorrelationRule): string => `citysoc.differential.out.${r.name ?? r.id}.${run}`;
  let h: FlinkKafkaHarness;

  beforeAll(async () => {
    h = await openFlinkKafkaHarness({ name: `citysoc-differential-${run}`, topics: [EVENTS_TOPIC, ...correlations.map(outTopic)] });
  });

  afterAll(async () => h?.close());

  test('brute force and password spraying fire for the same source addresses in both engines', async () => {
    const events = parsedEvents();
    const expected = embeddedGroups(events);
    // The scenario is only a test if both rules fire for some groups and not for others.
    expect(expected).toEqual({
      [correlations.find((c) => c.type === 'event_count')!.id!]: ['10.0.0.1', '10.0.0.3'],
      [correlations.find((c) => c.type === 'value_count')!.id!]: ['10.0.0.4'],
    });

    const s = h.session;
    // The whole event as one STRING column `doc` (what the Flink backend's JSON_VALUE reads); event
    // time from the Kafka record timestamp, which the producer sets to @timestamp.
    await s.execute(
      `CREATE TABLE events (doc STRING, ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp', WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) ${withOptions({
        connector: 'kafka',
        topic: EVENTS_TOPIC,
        'properties.bootstrap.servers': BROKERS.join(','),
        'properties.group.id': `citysoc-differential-${run}`,
        'scan.startup.mode': 'earliest-offset',
        format: 'raw',
      })}`,
      { timeoutMs: 30_000 },
    );
    const resolve = (ref: string) => {
      const rule = content.ruleSet.rules().find((r) => r.name === ref || r.id === ref);
      return rule ? { kind: 'rule' as const, rule } : undefined;
    };
    for (const rule of correlations) {
      const job = compileCorrelationToFlink(rule, resolve, { table: 'events', timeColumn: 'ts' });
      const sink = ident(`out_${rule.name ?? 'rule'}_${rule.type}`);
      await s.execute(
        `CREATE TABLE ${sink} (window_start TIMESTAMP(3), window_end TIMESTAMP(3), source_ip STRING, sigma_value BIGINT) ${withOptions({
          connector: 'kafka',
          topic: outTopic(rule),
          'properties.bootstrap.servers': BROKERS.join(','),
          format: 'json',
          'sink.delivery-guarantee': 'at-least-once',
        })}`,
        { timeoutMs: 30_000 },
      );
      for (const view of job.statements.slice(0, -1)) await s.execute(view, { timeoutMs: 30_000 });
      const insert = await s.execute(
        `INSERT INTO ${sink} SELECT window_start, window_end, ${ident('source.ip')}, CAST(sigma_value AS BIGINT) FROM (${job.statements.at(-1)!})`,
        { executionConfig: { 'pipeline.name': `citysoc-differential-${rule.name ?? rule.id}-${run}` }, timeoutMs: 60_000 },
      );
      h.jobs.push(insert.jobId!);
      await h.rest.waitForState(insert.jobId!, ['RUNNING'], { timeoutMs: 60_000 });
    }

    const received: Record<string, string[]> = Object.fromEntries(correlations.map((c) => [c.id!, []]));
    const byTopic = new Map(correlations.map((c) => [outTopic(c), c.id!]));
    const consumer = h.consumer(`citysoc-differential-out-${run}`);
    await consumer.connect();
    for (const topic of byTopic.keys()) await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const row = JSON.parse(message.value!.toString('utf8')) as { source_ip: string };
        received[byTopic.get(topic)!]!.push(row.source_ip);
      },
    });
    await h.producer.send({
      topic: EVENTS_TOPIC,
      acks: -1,
      messages: events.map((e) => ({ value: JSON.stringify(e), timestamp: String(Date.parse(String(e['@timestamp']))) })),
    });

    const want = Object.values(expected).flat().length;
    const deadline = Date.now() + 120_000;
    while (Object.values(received).flat().length < want && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1_000));
      for (const id of h.jobs) if ((await h.rest.job(id)).state !== 'RUNNING') await h.rest.waitForState(id, ['RUNNING'], { timeoutMs: 1 });
    }
    // A little longer, so a duplicate or spurious firing would show up too.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(Object.fromEntries(Object.entries(received).map(([k, v]) => [k, [...v].sort()]))).toEqual(expected);
  });
});
