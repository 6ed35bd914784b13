/**
 * What an integration test of a Flink SQL job over Kafka needs: topics of its own, a producer, a
 * gateway session in streaming mode with UTC as the local zone, and a teardown that cancels the
 * test's jobs and deletes its topics, so nothing of a run keeps running in the shared stack.
 */
import { Kafka, logLevel, Partitioners, type Admin, type Consumer, type Producer } from 'kafkajs';
import { FlinkRestClient, SqlGatewayClient, type GatewaySession } from '../index';

export const GATEWAY_URL = process.env.CITYSOC_FLINK_GATEWAY_URL ?? 'http://127.0.0.1:8083';
export const REST_URL = process.env.CITYSOC_FLINK_REST_URL ?? 'http://127.0.0.1:8081';
export const BROKERS = (process.env.CITYSOC_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

export interface FlinkKafkaHarness {
  readonly gateway: SqlGatewayClient;
  readonly rest: FlinkRestClient;
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly producer: Producer;
  readonly session: GatewaySession;
  /** Jobs to cancel at teardown. */
  readonly jobs: string[];
  /** A consumer that is disconnected at teardown. */
  consumer(groupId: string): Consumer;
  close(): Promise<void>;
}

export async function openFlinkKafkaHarness(opts: {
  name: string;
  topics: string[];
  requestTimeoutMs?: number;
  onHeartbeatError?: (e: unknown) => void;
}): Promise<FlinkKafkaHarness> {
  const gateway = new SqlGatewayClient({ url: GATEWAY_URL, requestTimeoutMs: opts.requestTimeoutMs ?? 30_000 });
  const rest = new FlinkRestClient({ url: REST_URL });
  const kafka = new Kafka({ clientId: opts.name, brokers: BROKERS, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1 });
  await Promise.all([admin.connect(), producer.connect()]);
  await admin.createTopics({ waitForLeaders: true, topics: opts.topics.map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1 })) });
  const session = await gateway.openSession({
    name: opts.name,
    // UTC so window_start/_end (zone-less TIMESTAMP) read the same on every machine.
    properties: { 'execution.runtime-mode': 'streaming', 'table.local-time-zone': 'UTC' },
    heartbeatIntervalMs: 2_000,
    ...(opts.onHeartbeatError ? { onHeartbeatError: opts.onHeartbeatError } : {}),
  });
  const jobs: string[] = [];
  const consumers: Consumer[] = [];
  return {
    gateway,
    rest,
    kafka,
    admin,
    producer,
    session,
    jobs,
    consumer(groupId) {
      const c = kafka.consumer({ groupId });
      consumers.push(c);
      return c;
    },
    async close() {
      for (const id of jobs) {
        const state = (await rest.job(id).catch(() => undefined))?.state;
        if (state === 'RUNNING' || state === 'CREATED' || state === 'INITIALIZING') await rest.cancelJob(id).catch(() => undefined);
      }
      await session.close().catch(() => undefined);
      for (const c of consumers) await c.disconnect().catch(() => undefined);
      await producer.disconnect().catch(() => undefined);
      await admin.deleteTopics({ topics: opts.topics }).catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
    },
  };
}
