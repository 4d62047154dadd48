/**
 * Options of the RabbitMQ transport, their defaults, and the features they imply. Features
 * follow from options alone, so they are known before connecting.
 */
import type { TransportFeatures } from '@tidings/core';
import type { ChannelModel } from 'amqplib';

export interface RabbitMqTransportOptions {
  /** e.g. `amqp://guest:guest@127.0.0.1:5672`. */
  readonly url: string;
  /** Durable topic exchange messages are published to. Default `tidings`. */
  readonly exchange?: string;
  /**
   * Messages a subscription holds unacked at once. Default: its `concurrency`; never less.
   * A larger value hides network latency; prefetched messages wait locally.
   */
  readonly prefetch?: number;
  /**
   * Type of each group's queue. `quorum` (default, RabbitMQ ≥ 3.8) is replicated and counts
   * deliveries, which the delivery limit and dead-lettering need; `classic` is not.
   */
  readonly queueType?: 'quorum' | 'classic';
  /**
   * Dead-lettering of quorum queues: after `deliveryLimit` deliveries (default 20, as
   * RabbitMQ 4 does) a message moves to the group's dead-letter queue `<queue>.dead`.
   */
  readonly deadLetter?: { readonly deliveryLimit?: number };
  /**
   * One consumer of a group receives at a time (`x-single-active-consumer`); the others
   * stand by. With it, messages of one key reach the handler one at a time in publish
   * order (see the README for the one exception: a rejected message). Default false.
   * Fixed when a group's queue is first declared.
   */
  readonly singleActiveConsumer?: boolean;
  /** Opens a connection; replace it for TLS socket options or failure tests. */
  readonly connect?: (url: string) => Promise<ChannelModel>;
  /**
   * Longest wait (ms) for one connection attempt's handshake, and for a connection before
   * `publish` or `subscribe` rejects while reconnecting. Default 10 000.
   */
  readonly connectTimeoutMs?: number;
  /** Default `rabbitmq`. */
  readonly name?: string;
}

export interface ResolvedOptions {
  readonly url: string;
  readonly exchange: string;
  readonly prefetch: number | undefined;
  readonly queueType: 'quorum' | 'classic';
  readonly deliveryLimit: number;
  readonly singleActiveConsumer: boolean;
  readonly connect: ((url: string) => Promise<ChannelModel>) | undefined;
  readonly connectTimeoutMs: number;
  readonly name: string;
}

export function resolveOptions(options: RabbitMqTransportOptions): ResolvedOptions {
  return {
    url: options.url,
    exchange: options.exchange ?? 'tidings',
    prefetch: options.prefetch,
    queueType: options.queueType ?? 'quorum',
    deliveryLimit: options.deadLetter?.deliveryLimit ?? 20,
    singleActiveConsumer: options.singleActiveConsumer ?? false,
    connect: options.connect,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    name: options.name ?? 'rabbitmq',
  };
}

/** What a transport with these options guarantees. */
export function rabbitMqFeatures(
  options: Pick<RabbitMqTransportOptions, 'queueType' | 'singleActiveConsumer'>,
): TransportFeatures {
  return Object.freeze({
    orderingByKey: options.singleActiveConsumer === true,
    nativeDeadLetter: (options.queueType ?? 'quorum') === 'quorum',
    nativeDedup: false,
    delayedRedelivery: true,
    redeliversUnacked: true,
    replaysHistory: false,
  });
}
