/**
 * Differential test of UEBA's two engines: a simulated month of a 50-person city, parsed and
 * enriched by the ingest pipeline, goes through the embedded engine and — compiled to Flink SQL
 * and submitted through the SQL Gateway — through the real Flink over Kafka. Both must produce the
 * same hourly feature rows (values exactly, baselines and z-scores to 1e-9), the same first
 * contacts, the same hourly dataset use, and therefore the same anomalies.
 *
 * CITYSOC_STACK_ONLY=kafka,flink CITYSOC_STACK_KEEP=1 npx jest --selectProjects integration --testPathPatterns analytics/ueba/flink
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Doc } from '../../../core/doc';
import { BROKERS, openFlinkKafkaHarness, type FlinkKafkaHarness } from '../../flink/test-support/kafka-harness';
import { defaultUebaConfig } from '../config';
import { FeatureEngine } from '../engine/engine';
import type { FirstSeenRow, HourRow, UserDatasetHour } from '../engine/rows';
import type { EntityType } from '../features/definitions';
import { simulatedEvents } from '../simulator/ingest';
import { simulate } from '../simulator/simulate';
import { outputFromFlink, submitUebaJob } from './job';

jest.setTimeout(1_800_000);

const run = `${Date.now().toString(36)}-${process.pid}`;
const topic = (name: string) => `citysoc.ueba-diff.${name}.${run}`;
const TOPICS = {
  events: topic('events'),
  user: topic('user'),
  host: topic('host'),
  dataset: topic('dataset'),
  firstSeen: topic('first-seen'),
  use: topic('use'),
};
const cfg = defaultUebaConfig();

const hourKey = (r: HourRow) => `${r.entityType}|${r.entity}|${r.hour}`;
const firstKey = (r: FirstSeenRow) => `${r.entity}|${r.kind}|${r.value}|${r.hour}|${r.firstActive}|${r.classification}`;
const useKey = (r: UserDatasetHour) => `${r.user}|${r.dataset}|${r.hour}|${r.events}`;

describe('UEBA features: embedded engine vs Flink SQL on the real Flink over Kafka', () => {
  let h: FlinkKafkaHarness;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'citysoc-ueba-diff-'));
    h = await openFlinkKafkaHarness({ name: `citysoc-ueba-diff-${run}`, topics: Object.values(TOPICS) });
  });

  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a simulated month gives the same hourly features, first contacts, dataset use and anomalies in both engines', async () => {
    await simulate({ users: 50, days: 30, seed: 7, out: dir });
    const events: Doc[] = [];
    for await (const p of simulatedEvents(dir)) if (p.event) events.push(p.event as Doc);
    expect(events.length).toBeGreaterThan(50_000);

    const engine = new FeatureEngine(cfg);
    for (const e of events) engine.process(e);
    engine.flush();
    const embedded = engine.drain();
    // The month is only a test if every kind of output is there.
    expect(embedded.anomalies.some((a) => a.kind === 'numeric')).toBe(true);
    expect(embedded.anomalies.some((a) => a.kind === 'first_seen')).toBe(true);
    expect(embedded.anomalies.some((a) => a.kind === 'dormant')).toBe(true);
    expect(embedded.anomalies.some((a) => a.kind === 'rare_hour')).toBe(true);

    const s = h.session;
    // The month goes onto the topic first; the job reads it as a bounded source, so it finishes when
    // it has read it all and its end-of-input watermark closes every hour and day, as flush() does.
    for (let i = 0; i < events.length; i += 300)
      await h.producer.send({ topic: TOPICS.events, acks: -1, messages: events.slice(i, i + 300).map((e) => ({ value: JSON.stringify(e) })) });
    const jobId = await submitUebaJob(s, cfg, {
      topics: { events: TOPICS.events, user: TOPICS.user, host: TOPICS.host, dataset: TOPICS.dataset, firstSeen: TOPICS.firstSeen, use: TOPICS.use },
      kafka: { 'properties.bootstrap.servers': BROKERS.join(',') },
      groupId: `citysoc-ueba-diff-${run}`,
      source: { 'scan.startup.mode': 'earliest-offset', 'scan.bounded.mode': 'latest-offset' },
      name: `citysoc-ueba-diff-${run}`,
      // The shared test machine is often loaded: planning may take minutes there.
      submitTimeoutMs: 600_000,
    });
    h.jobs.push(jobId);
    await h.rest.waitForState(jobId, ['FINISHED'], { timeoutMs: 900_000 });

    const received: Record<string, Record<string, unknown>[]> = Object.fromEntries(Object.keys(TOPICS).map((k) => [k, []]));
    const byTopic = new Map(Object.entries(TOPICS).map(([k, t]) => [t, k]));
    const consumer = h.consumer(`citysoc-ueba-diff-out-${run}`);
    await consumer.connect();
    for (const [k, t] of Object.entries(TOPICS)) if (k !== 'events') await consumer.subscribe({ topic: t, fromBeginning: true });
    let lastMessage = Date.now();
    await consumer.run({
      eachMessage: async ({ topic: t, message }) => {
        lastMessage = Date.now();
        received[byTopic.get(t)!]!.push(JSON.parse(message.value!.toString('utf8')) as Record<string, unknown>);
      },
    });
    const want = {
      user: embedded.rows.filter((r) => r.entityType === 'user').length,
      host: embedded.rows.filter((r) => r.entityType === 'host').length,
      dataset: embedded.rows.filter((r) => r.entityType === 'dataset').length,
      firstSeen: embedded.firstSeen.length,
      use: embedded.userDatasetHours.length,
    };
    const have = () => ({
      user: received.user!.length,
      host: received.host!.length,
      dataset: received.dataset!.length,
      firstSeen: received.firstSeen!.length,
      use: received.use!.length,
    });
    // The job has finished: read until the topics have been quiet for 10 s.
    const deadline = Date.now() + 300_000;
    while (Date.now() < deadline && (Date.now() - lastMessage < 10_000 || received.user!.length === 0)) await new Promise((r) => setTimeout(r, 1_000));
    if (process.env.UEBA_DIFF_DUMP) {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(process.env.UEBA_DIFF_DUMP, JSON.stringify({ received, embedded }));
    }
    expect(have()).toEqual(want);

    const out = (['user', 'host', 'dataset', 'firstSeen', 'use'] as const).map((k) => outputFromFlink(k, received[k]!, cfg));
    const flinkRows: HourRow[] = out.flatMap((o) => o.rows);
    const byKey = new Map(flinkRows.map((r) => [hourKey(r), r]));
    let compared = 0;
    for (const e of embedded.rows) {
      const f = byKey.get(hourKey(e));
      expect(f && hourKey(f)).toBe(hourKey(e));
      const { stats: es, ...eRest } = e;
      const { stats: fs, ...fRest } = f!;
      expect(fRest).toEqual(eRest);
      for (const [name, st] of Object.entries(es)) {
        const other = fs[name];
        if (st === null) expect(other).toBeNull();
        else for (const k of ['mean', 'std', 'z'] as const) expect(Math.abs(other![k] - st[k])).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(st[k])));
      }
      compared++;
    }
    expect(compared).toBe(embedded.rows.length);

    const flinkFirst = out.flatMap((o) => o.firstSeen);
    expect(flinkFirst.map(firstKey).sort()).toEqual(embedded.firstSeen.map(firstKey).sort());
    const flinkUse = out.flatMap((o) => o.userDatasetHours);
    expect(flinkUse.map(useKey).sort()).toEqual(embedded.userDatasetHours.map(useKey).sort());

    const flinkAnomalies = new Set(out.flatMap((o) => o.anomalies).map((a) => a.id));
    const embeddedAnomalies = new Set(embedded.anomalies.map((a) => a.id));
    expect([...flinkAnomalies].sort()).toEqual([...embeddedAnomalies].sort());
    const types: EntityType[] = ['user', 'host', 'dataset'];
    for (const t of types) expect(embedded.rows.some((r) => r.entityType === t)).toBe(true);
  });
});
