/**
 * The cluster profile's bus over Kafka (kafkajs): an idempotent producer with acks=all, consumer
 * groups that commit an offset only after the handler has finished the batch that holds it
 * (auto), or only when the subscriber says so (manual: a consumer that checkpoints its state now
 * and then commits what its checkpoint covers).
 */
import { readFileSync } from 'node:fs';
import { type Admin, type Consumer, Kafka, logLevel, type Producer, type SASLOptions } from 'kafkajs';
import { CitySocError } from '../../core/errors';
import type { BatchHandler, Bus, BusMessage, DeliveredMessage, ManualSubscription, Subscribe, SubscribeOptions, Topic } from '../../core/ports/bus';

export interface KafkaBusOptions {
  readonly brokers: readonly string[];
  readonly clientId?: string;
  /** Prepended to topic and group names: lets several deployments or test runs share a cluster. */
  readonly prefix?: string;
  readonly partitions?: number;
  readonly replicationFactor?: number;
  readonly ssl?: boolean;
  readonly caFile?: string;
  readonly sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
  readonly retryMs?: number;
  readonly onError?: (err: unknown, ctx: { topic: Topic; group: string }) => void;
}

/** Bytes of messages per produce request, under Kafka's default 1 MiB message.max.bytes with room for headers. */
const MAX_REQUEST_BYTES = 768 * 1024;

const HEARTBEAT_MS = 1_000;

export class KafkaBus implements Bus {
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly admin: Admin;
  private connected: Promise<void> | null = null;
  private readonly ensured = new Set<string>();
  private readonly subs = new Set<KafkaSubscription>();

  constructor(private readonly opts: KafkaBusOptions) {
    this.kafka = new Kafka({
      clientId: opts.clientId ?? 'citysoc',
      brokers: [...opts.brokers],
      logLevel: logLevel.NOTHING,
      ...(opts.ssl ? { ssl: opts.caFile ? { ca: [readFileSync(opts.caFile, 'utf8')] } : true } : {}),
      ...(opts.sasl ? { sasl: opts.sasl as SASLOptions } : {}),
    });
    // Idempotent producer: retries after a lost ack do not write a message twice.
    this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    this.admin = this.kafka.admin();
  }

  private name(topic: Topic): string {
    return `${this.opts.prefix ?? ''}${topic}`;
  }

  private connect(): Promise<void> {
    return (this.connected ??= Promise.all([this.producer.connect(), this.admin.connect()]).then(() => undefined));
  }

  private async ensureTopic(topic: Topic): Promise<string> {
    const name = this.name(topic);
    if (this.ensured.has(name)) return name;
    await this.connect();
    await this.admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: name, numPartitions: this.opts.partitions ?? 3, replicationFactor: this.opts.replicationFactor ?? 1 }],
    });
    this.ensured.add(name);
    return name;
  }

  async publish<T>(topic: Topic, messages: readonly BusMessage<T>[]): Promise<void> {
    if (messages.length === 0) return;
    const name = await this.ensureTopic(topic);
    // A produce request over the broker's message.max.bytes (1 MiB by default) is refused whole:
    // large batches go as several requests, in order; the call resolves when all are acknowledged.
    const encoded = messages.map((m) => ({ key: m.key, value: JSON.stringify(m.value) }));
    let chunk: typeof encoded = [];
    let bytes = 0;
    for (const m of encoded) {
      const size = Buffer.byteLength(m.value) + Buffer.byteLength(m.key) + 64;
      if (chunk.length > 0 && bytes + size > MAX_REQUEST_BYTES) {
        await this.producer.send({ topic: name, acks: -1, messages: chunk });
        chunk = [];
        bytes = 0;
      }
      chunk.push(m);
      bytes += size;
    }
    await this.producer.send({ topic: name, acks: -1, messages: chunk });
  }

  readonly subscribe: Subscribe = async <T>(
    topic: Topic,
    group: string,
    handler: BatchHandler<T>,
    options: SubscribeOptions = {},
  ): Promise<ManualSubscription> => {
    const name = await this.ensureTopic(topic);
    const manual = options.commit === 'manual';
    const consumer = this.kafka.consumer({
      groupId: `${this.opts.prefix ?? ''}${group}`,
      sessionTimeout: 10_000,
      heartbeatInterval: HEARTBEAT_MS,
      allowAutoTopicCreation: false,
    });
    const sub = new KafkaSubscription(consumer, name, group, manual, () => this.subs.delete(sub));
    this.subs.add(sub);
    await consumer.connect();
    await consumer.subscribe({ topic: name, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
        if (batch.messages.length === 0 || !isRunning() || isStale()) return;
        const delivered: DeliveredMessage<T>[] = batch.messages.map((m) => ({
          topic,
          key: m.key?.toString('utf8') ?? '',
          value: JSON.parse(m.value?.toString('utf8') ?? 'null') as T,
          offset: `${batch.partition}:${m.offset}`,
        }));
        sub.delivered(batch.partition, BigInt(batch.lastOffset()));
        // kafkajs heartbeats only when asked: a handler that runs longer than the session timeout
        // (a batch of signals each upserted into the store) would be evicted from the group, its
        // commit refused, and the same batch handed out again and again. Beat while it runs.
        const beat = setInterval(() => void heartbeat().catch(() => undefined), HEARTBEAT_MS);
        try {
          await handler(delivered);
        } catch (err) {
          this.opts.onError?.(err, { topic, group });
          // Nothing of this batch is committed: go back to its start and deliver it again.
          consumer.seek({ topic: name, partition: batch.partition, offset: batch.firstOffset()! });
          await new Promise((r) => setTimeout(r, this.opts.retryMs ?? 1000));
          return;
        } finally {
          clearInterval(beat);
        }
        // resolveOffset moves kafkajs's fetch position; commitOffsets makes it durable for the group.
        resolveOffset(batch.lastOffset());
        if (!manual) {
          const next = (BigInt(batch.lastOffset()) + 1n).toString();
          await consumer.commitOffsets([{ topic: name, partition: batch.partition, offset: next }]);
        }
        await heartbeat();
      },
    });
    return sub;
  };

  async lag(topic: Topic, group: string): Promise<number> {
    const name = await this.ensureTopic(topic);
    const [ends, committed] = await Promise.all([
      this.admin.fetchTopicOffsets(name),
      this.admin.fetchOffsets({ groupId: `${this.opts.prefix ?? ''}${group}`, topics: [name] }),
    ]);
    const done = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
    let lag = 0n;
    for (const p of ends) {
      const c = done.get(p.partition) ?? -1n;
      lag += BigInt(p.high) - (c < 0n ? BigInt(p.low) : c);
    }
    return Number(lag);
  }

  async close(): Promise<void> {
    await Promise.all([...this.subs].map((s) => s.stop()));
    if (this.connected) {
      await this.connected.catch(() => undefined);
      await Promise.all([this.producer.disconnect(), this.admin.disconnect()]);
    }
  }
}

class KafkaSubscription implements ManualSubscription {
  private stopping: Promise<void> | null = null;
  /** Per partition, the last offset handed to the handler: what a manual subscriber may commit, from inside its handler too. */
  private readonly done = new Map<number, bigint>();
  /** Per partition, the next offset committed by this subscription: Kafka would move a commit back, the contract does not. */
  private readonly committed = new Map<number, bigint>();

  constructor(
    private readonly consumer: Consumer,
    private readonly topicName: string,
    private readonly group: string,
    private readonly manual: boolean,
    private readonly onStop: () => void,
  ) {}

  delivered(partition: number, offset: bigint): void {
    if (offset > (this.done.get(partition) ?? -1n)) this.done.set(partition, offset);
  }

  async commit(offsets: readonly string[]): Promise<void> {
    if (!this.manual) throw new CitySocError('CONFLICT', `group ${this.group} commits ${this.topicName} automatically; commit() is for manual subscriptions`);
    const upTo = new Map<number, bigint>();
    for (const o of offsets) {
      const m = /^(\d{1,9}):(\d{1,19})$/.exec(o);
      if (!m) throw new CitySocError('INPUT_INVALID', `not a Kafka offset (partition:offset): ${JSON.stringify(o.slice(0, 40))}`);
      const [p, off] = [Number(m[1]), BigInt(m[2]!)];
      const seen = this.done.get(p);
      if (seen === undefined || off > seen) {
        throw new CitySocError('INPUT_INVALID', `offset ${o} of ${this.topicName} was not delivered to group ${this.group} yet`);
      }
      if (off > (upTo.get(p) ?? -1n)) upTo.set(p, off);
    }
    // Kafka's committed offset is the next one to read.
    const forward = [...upTo].map(([p, off]) => [p, off + 1n] as const).filter(([p, next]) => next > (this.committed.get(p) ?? -1n));
    if (forward.length === 0) return;
    await this.consumer.commitOffsets(forward.map(([partition, next]) => ({ topic: this.topicName, partition, offset: next.toString() })));
    for (const [p, next] of forward) this.committed.set(p, next);
  }

  stop(): Promise<void> {
    return (this.stopping ??= this.consumer.disconnect().finally(this.onStop));
  }
}
