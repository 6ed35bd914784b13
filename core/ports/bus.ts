/** The event bus: topics of keyed JSON messages with at-least-once delivery to groups. */
export const TOPICS = ['citysoc.events', 'citysoc.signals', 'citysoc.alerts', 'citysoc.control'] as const;
export type Topic = (typeof TOPICS)[number];

export interface BusMessage<T = unknown> {
  /** Entity key (user, host, ...): messages with one key are delivered in order. */
  readonly key: string;
  readonly value: T;
}

export interface DeliveredMessage<T = unknown> extends BusMessage<T> {
  readonly topic: Topic;
  readonly offset: string;
}

export interface Subscription {
  stop(): Promise<void>;
}

/**
 * How a group's offsets are committed:
 * - 'auto' (default): a batch's offsets when its handler's promise resolves;
 * - 'manual': only when the subscriber calls `commit`. Delivery goes on past what is committed;
 *   a restart (or, on Kafka, a rebalance) delivers again from the last commit. For a consumer
 *   whose state is checkpointed now and then rather than with every batch: it commits what its
 *   last checkpoint covers, so the bus keeps every message the checkpoint does not.
 */
export interface SubscribeOptions {
  readonly commit?: 'auto' | 'manual';
}

export interface ManualSubscription extends Subscription {
  /**
   * Commits, per partition, the given delivered offsets and everything before them. An offset
   * not yet handed to this subscription's handler is refused (nothing is committed then); the
   * handler may commit its own batch before it returns (the subscriber decides what is done).
   * An offset at or below the committed one changes nothing. Durable when it resolves.
   */
  commit(offsets: readonly string[]): Promise<void>;
}

/** What a group's handler receives: a batch of delivered messages; the batch is done when the promise resolves. */
export type BatchHandler<T> = (batch: DeliveredMessage<T>[]) => Promise<void>;

/**
 * Subscribes a group to a topic. Declared once here so that every bus offers the same overloads:
 * a manual-commit subscription is the only one that can `commit`.
 */
export interface Subscribe {
  <T>(topic: Topic, group: string, handler: BatchHandler<T>): Promise<Subscription>;
  <T>(topic: Topic, group: string, handler: BatchHandler<T>, options: SubscribeOptions & { readonly commit: 'manual' }): Promise<ManualSubscription>;
}

/**
 * Contract (core/contracts/bus.contract.ts):
 * - publish resolves only after the messages are durable (spool fsync, Kafka acks=all);
 * - a group receives each message at least once; with 'auto' commit an offset is committed
 *   only after the handler's promise for its batch resolves, so a consumer killed mid-batch gets
 *   the uncommitted messages again and committed ones never; with 'manual' commit, only what
 *   the subscriber committed is never delivered again;
 * - per key, messages arrive in publish order.
 */
export interface Bus {
  publish<T>(topic: Topic, messages: readonly BusMessage<T>[]): Promise<void>;
  readonly subscribe: Subscribe;
  /** Messages published but not yet committed by the group. */
  lag(topic: Topic, group: string): Promise<number>;
  close(): Promise<void>;
}
