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
 * Contract (core/contracts/bus.contract.ts):
 * - publish resolves only after the messages are durable (spool fsync, Kafka acks=all);
 * - a group receives each message at least once; an offset is committed only after the
 *   handler's promise for its batch resolves, so a consumer killed mid-batch gets the
 *   uncommitted messages again and committed ones never;
 * - per key, messages arrive in publish order.
 */
export interface Bus {
  publish<T>(topic: Topic, messages: readonly BusMessage<T>[]): Promise<void>;
  subscribe<T>(topic: Topic, group: string, handler: (batch: DeliveredMessage<T>[]) => Promise<void>): Promise<Subscription>;
  /** Messages published but not yet committed by the group. */
  lag(topic: Topic, group: string): Promise<number>;
  close(): Promise<void>;
}
