/**
 * The proof that the SQL Gateway client drives a real Flink 1.20 over a real Kafka: through the
 * TypeScript client only, declare a table over an events topic (nested ECS JSON, `@timestamp` as
 * event time with a watermark), a table over an output topic, run a 1-minute TUMBLE count of
 * failed SSH logins per source.ip, produce events with kafkajs and read the job's output back.
 *
 * Needs the stack's kafka and flink: CITYSOC_STACK_ONLY=kafka,flink npx jest --selectProjects integration --testPathPatterns analytics/flink
 */
import { FlinkError, ident, literal, withOptions } from './index';
// Flink's TaskManager runs on this machine too, so the broker address Node uses is the one Flink uses.
import { BROKERS, type FlinkKafkaHarness, openFlinkKafkaHarness } from './test-support/kafka-harness';

const run = `${Date.now().toString(36)}-${process.pid}`;
const EVENTS_TOPIC = `citysoc.events.${run}`;
const OUT_TOPIC = `citysoc.flink.ssh-failures.${run}`;

/** An ECS event as the openssh parser emits it (nested objects, not dotted keys). */
function ecs(at: string, ip: string, outcome: 'failure' | 'success', action = 'ssh_login'): { key: string; value: string } {
  const doc = {
    '@timestamp': `2024-05-01T${at}Z`,
    event: {
      action,
      outcome,
      category: ['authentication'],
      type: ['start'],
      original: `sshd[4242]: ${outcome === 'failure' ? 'Failed' : 'Accepted'} password for root from ${ip} port 50022 ssh2`,
    },
    source: { ip, port: 50022 },
    user: { name: 'root' },
    host: { name: 'gov-cloud-web-01' },
  };
  return { key: ip, value: JSON.stringify(doc) };
}

// One partition, in this order: the watermark is max(@timestamp) - 5 s of everything read so far.
const EVENTS = [
  // window 10:00-10:01
  ecs('10:00:05.000', '10.0.0.1', 'failure'),
  ecs('10:00:10.000', '10.0.0.1', 'failure'),
  ecs('10:00:20.000', '10.0.0.2', 'failure'),
  ecs('10:00:30.000', '10.0.0.1', 'success'), // not a failure
  ecs('10:00:40.000', '10.0.0.3', 'failure', 'possible_break_in'), // not a login
  ecs('10:00:50.000', '10.0.0.1', 'failure'),
  // window 10:01-10:02
  ecs('10:01:02.000', '10.0.0.2', 'failure'),
  ecs('10:00:59.000', '10.0.0.1', 'failure'), // out of order but within the 5 s bound: still counts in 10:00-10:01
  { key: 'junk', value: 'not json at all' }, // skipped by json.ignore-parse-errors, must not fail the job
  ecs('10:01:30.000', '10.0.0.2', 'failure'),
  ecs('10:01:45.000', '10.0.0.1', 'failure'),
  // window 10:02-10:03, both edges
  ecs('10:02:00.000', '10.0.0.3', 'failure'),
  ecs('10:02:10.000', '10.0.0.3', 'failure'),
  ecs('10:02:20.000', '10.0.0.3', 'failure'),
  ecs('10:02:59.999', '10.0.0.3', 'failure'),
  // window 10:03-10:04: the end of a window is exclusive
  ecs('10:03:00.000', '10.0.0.4', 'failure'),
  // Moves the watermark to 10:05:25, past every window above; itself filtered out, so it opens no window.
  ecs('10:05:30.000', '10.0.0.9', 'success'),
];

const EXPECTED = [
  { window_start: '2024-05-01T10:00:00.000Z', window_end: '2024-05-01T10:01:00.000Z', source_ip: '10.0.0.1', failures: 4 },
  { window_start: '2024-05-01T10:00:00.000Z', window_end: '2024-05-01T10:01:00.000Z', source_ip: '10.0.0.2', failures: 1 },
  { window_start: '2024-05-01T10:01:00.000Z', window_end: '2024-05-01T10:02:00.000Z', source_ip: '10.0.0.1', failures: 1 },
  { window_start: '2024-05-01T10:01:00.000Z', window_end: '2024-05-01T10:02:00.000Z', source_ip: '10.0.0.2', failures: 2 },
  { window_start: '2024-05-01T10:02:00.000Z', window_end: '2024-05-01T10:03:00.000Z', source_ip: '10.0.0.3', failures: 4 },
  { window_start: '2024-05-01T10:03:00.000Z', window_end: '2024-05-01T10:04:00.000Z', source_ip: '10.0.0.4', failures: 1 },
];

const EVENTS_DDL = `CREATE TABLE ecs_events (
  ${ident('@timestamp')} TIMESTAMP_LTZ(3),
  ${ident('event')} ROW<${ident('action')} STRING, ${ident('outcome')} STRING>,
  ${ident('source')} ROW<${ident('ip')} STRING>,
  WATERMARK FOR ${ident('@timestamp')} AS ${ident('@timestamp')} - INTERVAL '5' SECOND
) ${withOptions({
  connector: 'kafka',
  topic: EVENTS_TOPIC,
  'properties.bootstrap.servers': BROKERS.join(','),
  'properties.group.id': `citysoc-flink-${run}`,
  'scan.startup.mode': 'earliest-offset',
  // One partition here; with several, a partition without traffic would hold the watermark back.
  'scan.watermark.idle-timeout': '5 s',
  format: 'json',
  // ECS @timestamp is ISO-8601 with a Z; Flink's default 'SQL' format expects a space instead of T.
  'json.timestamp-format.standard': 'ISO-8601',
  'json.ignore-parse-errors': 'true',
  'json.fail-on-missing-field': 'false',
})}`;

const OUT_DDL = `CREATE TABLE ssh_failures_1m (
  window_start TIMESTAMP(3),
  window_end TIMESTAMP(3),
  source_ip STRING,
  failures BIGINT
) ${withOptions({
  connector: 'kafka',
  topic: OUT_TOPIC,
  'properties.bootstrap.servers': BROKERS.join(','),
  format: 'json',
  'json.timestamp-format.standard': 'ISO-8601',
  // Without checkpoints an exactly-once sink never commits; at-least-once flushes as it goes.
  'sink.delivery-guarantee': 'at-least-once',
})}`;

const JOB_SQL = `INSERT INTO ssh_failures_1m
SELECT window_start, window_end, ${ident('source')}.${ident('ip')} AS source_ip, COUNT(*) AS failures
FROM TABLE(TUMBLE(TABLE ecs_events, DESCRIPTOR(${ident('@timestamp')}), INTERVAL '1' MINUTE))
WHERE ${ident('event')}.${ident('outcome')} = ${literal('failure')} AND ${ident('event')}.${ident('action')} = ${literal('ssh_login')}
GROUP BY window_start, window_end, ${ident('source')}.${ident('ip')}`;

interface OutRow {
  window_start: string;
  window_end: string;
  source_ip: string;
  failures: number;
}

/** window_start/_end come back as zone-less ISO text in the session zone (UTC here). */
function normalize(r: OutRow): OutRow {
  const utc = (s: string): string => new Date(`${s}Z`).toISOString();
  return { window_start: utc(r.window_start), window_end: utc(r.window_end), source_ip: r.source_ip, failures: r.failures };
}

const byWindowAndIp = (a: OutRow, b: OutRow): number => a.window_start.localeCompare(b.window_start) || a.source_ip.localeCompare(b.source_ip);

describe('Flink SQL through the SQL Gateway client, over Kafka', () => {
  let h: FlinkKafkaHarness;
  const heartbeatErrors: unknown[] = [];

  beforeAll(async () => {
    h = await openFlinkKafkaHarness({
      name: `citysoc-itest-${run}`,
      topics: [EVENTS_TOPIC, OUT_TOPIC],
      requestTimeoutMs: 20_000,
      onHeartbeatError: (e) => heartbeatErrors.push(e),
    });
  }, 60_000);

  afterAll(async () => h?.close(), 60_000);

  test('the gateway is Flink 1.20 and the session carries its properties', async () => {
    const info = await h.gateway.info();
    expect(info.productName).toBe('Apache Flink');
    expect(info.version).toMatch(/^1\.20\./);
    const config = await h.gateway.sessionConfig(h.session.handle);
    expect(config['table.local-time-zone']).toBe('UTC');
  }, 30_000);

  test('a failing statement surfaces the root cause from the gateway', async () => {
    const err = await h.session.execute('SELECT * FROM no_such_table', { timeoutMs: 30_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlinkError);
    const fe = err as FlinkError;
    expect(fe.kind).toBe('statement');
    expect(fe.code).toBe('INPUT_INVALID');
    expect(fe.rootCause).toContain("Object 'no_such_table' not found");
    expect(fe.message).toContain('line 1, column 15');
    expect(fe.serverText).toContain('Caused by:');
  }, 30_000);

  test('a 1-minute TUMBLE counts failed SSH logins per source.ip, read back from Kafka', async () => {
    const s = h.session;
    for (const ddl of [EVENTS_DDL, OUT_DDL]) {
      const r = await s.execute(ddl, { timeoutMs: 30_000 });
      expect(r.rows.map((row) => row.fields)).toEqual([['OK']]);
    }

    // Submitting returns once the job is accepted: the INSERT's operation FINISHES with the job id.
    const insert = await s.execute(JOB_SQL, { executionConfig: { 'pipeline.name': `citysoc-ssh-failures-1m-${run}` }, timeoutMs: 60_000 });
    const jobId = insert.jobId;
    if (jobId) h.jobs.push(jobId);
    expect(jobId).toMatch(/^[0-9a-f]{32}$/);
    expect(insert.rows[0]?.fields[0]).toBe(jobId);
    await h.rest.waitForState(jobId!, ['RUNNING'], { timeoutMs: 60_000 });

    const received: OutRow[] = [];
    const consumer = h.consumer(`citysoc-flink-itest-${run}`);
    await consumer.connect();
    await consumer.subscribe({ topic: OUT_TOPIC, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        received.push(JSON.parse(message.value?.toString('utf8') ?? 'null') as OutRow);
      },
    });

    await h.producer.send({ topic: EVENTS_TOPIC, acks: -1, messages: EVENTS });

    // Wait for every expected window, checking the job has not failed meanwhile (fail fast with its reason).
    const deadline = Date.now() + 90_000;
    while (received.length < EXPECTED.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1_000));
      const job = await h.rest.job(jobId!);
      if (job.state !== 'RUNNING') await h.rest.waitForState(jobId!, ['RUNNING'], { timeoutMs: 1 });
    }
    // A little longer, so a window emitted twice or a spurious one would show up too.
    await new Promise((r) => setTimeout(r, 3_000));

    expect(received.map(normalize).sort(byWindowAndIp)).toEqual(EXPECTED);

    // Stop the streaming job: the INSERT's operation is long FINISHED, so the JobManager cancels it.
    await h.rest.cancelJob(jobId!);
    const stopped = await h.rest.waitForState(jobId!, ['CANCELED'], { timeoutMs: 30_000 });
    expect(stopped.state).toBe('CANCELED');

    expect(heartbeatErrors).toEqual([]);
    await s.close();
    const gone = await h.gateway.heartbeat(s.handle).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(FlinkError);
  }, 180_000);
});
