/**
 * The option vocabulary every transport factory shares: the same name means the same thing
 * on RabbitMQ, NATS JetStream, Redis Streams, Kafka and SNS/SQS (the table is in
 * docs/transports.md). A transport adds its broker's own options beside these, never a
 * second name for one of them.
 */

/** Where a consumer group that has never read starts, where the broker can choose. */
export type StartPosition = 'earliest' | 'latest';

export interface CommonTransportOptions<Client> {
  /**
   * The broker: a URL (credentials allowed: they are never printed), or an open client that
   * the caller owns, which `close()` then leaves open. Each transport documents its default.
   */
  readonly connection?: string | Client;
  /** Prepended to every broker-side name the transport makes (exchanges, subjects, streams, topics, queues). */
  readonly prefix?: string;
  /**
   * The backstop: deliveries of one message after which the broker stops redelivering it.
   * It catches a message whose consumer died while handling it, where no handler decided.
   * The retry budget users set is the handler's `retry.maxAttempts`: `createConsumer` asks
   * each subscription for at least `maxAttempts + 1` (`SubscribeRequest.maxDeliveries`), so
   * the consumer always decides first. Default 20 everywhere.
   */
  readonly maxDeliveries?: number;
  /**
   * Background failures the transport recovers from (a lost connection, a loop that broke),
   * with credentials redacted. Default: `console.error`, at most one line per second per kind.
   */
  readonly onError?: (error: unknown) => void;
  /** Names the transport in telemetry, logs and errors. Default the broker's name. */
  readonly name?: string;
  /**
   * Where a new consumer group starts, on brokers that keep history
   * (`features.startPosition`). Default `'earliest'`: nothing published before the group's
   * first subscribe is missed.
   */
  readonly startFrom?: StartPosition;
}

/** The default of `maxDeliveries` on every transport. */
export const defaultMaxDeliveries = 20;
