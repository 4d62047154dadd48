/**
 * The Transport port: moves encoded events between services over a broker. Small on
 * purpose (publish, subscribe, close) so every broker adapter stays a few hundred lines.
 * Every implementation passes `runTransportContract` from `@tidings/testing`.
 */
import type { TransportTelemetry } from '../instrumentation/messaging.ts';

/** A message as Tidings hands it to a broker. */
export interface TransportMessage {
  /** The event id: brokers with native dedup use it as the message id. */
  readonly id: string;
  /** Routing: Tidings uses the event type. */
  readonly topic: string;
  /** Ordering key (the subject). Messages with one key keep their order where `orderingByKey`. */
  readonly key: string;
  /**
   * CloudEvents binary-mode headers in core's one form (`ce-<attribute>` with
   * percent-encoded values, `content-type`), or `content-type: application/cloudevents+json`
   * with a structured-mode body. A transport MUST map `ce-*` headers to its broker's
   * CloudEvents binding and back (`toKafkaHeaders`, `toAmqpProperties`, …) and pass other
   * headers unchanged.
   */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

/** A delivered message. */
export interface ReceivedMessage extends TransportMessage {
  /** How many times the broker delivered it, 1 on the first delivery, where the broker tells. */
  readonly deliveryCount: number;
  /** When the broker accepted it (ISO-8601), where the broker tells: stands in for a missing `time`. */
  readonly publishedAt?: string;
}

/** Declared capabilities: the contract suite skips, with this reason, what a transport lacks. */
export interface TransportFeatures {
  /** Messages with one key reach a group's handler in publish order, one at a time. */
  readonly orderingByKey: boolean;
  /** The broker moves exhausted messages to its own dead-letter destination. */
  readonly nativeDeadLetter: boolean;
  /** The broker drops a second publish of the same message id. */
  readonly nativeDedup: boolean;
  /** A rejected message can come back after a delay. */
  readonly delayedRedelivery: boolean;
  /** A message that a dead consumer did not ack comes back to a live member (by lease or session). */
  readonly redeliversUnacked: boolean;
  /**
   * A new group can start at the earliest retained message (`startFrom: 'earliest'`, the
   * default); where false, a group receives only what is published after its first subscribe.
   */
  readonly replaysHistory: boolean;
}

export interface SubscribeRequest {
  /** Consumer group: each message reaches one member of each group. */
  readonly group: string;
  readonly topics: readonly string[];
  /** Handler calls in flight at once for this subscription. Default 1. */
  readonly concurrency?: number;
  /**
   * The subscriber's retry budget plus one (the consumer passes `retry.maxAttempts + 1`), so
   * the consumer pipeline decides a message's end, not the broker. When given, the transport
   * MUST NOT give up on a message (term it, ack it unhandled, move it to a native dead-letter
   * queue) before it has been delivered this many times. It overrides the transport's own
   * `maxDeliveries` option for this subscription: the transport MUST use the larger of the two.
   * Where a broker fixes the limit on an existing queue, the transport's docs MUST say so.
   */
  readonly maxDeliveries?: number;
}

/** How a handler tells the transport to retry later than at once. */
export interface MessageOutcome {
  /** Redeliver no sooner than this (ms), where `delayedRedelivery`. */
  readonly retryDelayMs?: number;
}

/**
 * Handles one message: resolve to ack; reject to have it redelivered. A rejection whose
 * error carries `retryDelayMs` (e.g. `RetryLater`) asks for a delay.
 */
export type MessageHandler = (message: ReceivedMessage) => Promise<void>;

export interface Subscription {
  /** Stops receiving and waits for in-flight handlers to finish (and be acked). */
  close(): Promise<void>;
}

export interface Transport {
  readonly name: string;
  readonly features: TransportFeatures;
  /**
   * Publishes messages. MUST resolve only once the broker has durably accepted every one
   * (publisher confirms, JetStream acks, Kafka acks=all, XADD reply, SQS 200) and MUST
   * reject if any was not. After `close()` it MUST reject with `ClosedError`.
   */
  publish(messages: readonly TransportMessage[]): Promise<void>;
  /**
   * Delivers messages of `topics` to `handler`, each to one member of `group`. MUST ack only
   * after the handler resolved, and MUST redeliver a message whose handler rejected or whose
   * consumer died before acking. Resolves once the subscription is ready to receive
   * messages published after it. `signal` aborts it like `Subscription.close()`.
   */
  subscribe(
    request: SubscribeRequest,
    handler: MessageHandler,
    options?: { readonly signal?: AbortSignal },
  ): Promise<Subscription>;
  /** Closes subscriptions (draining in-flight handlers) and the connection. Idempotent. */
  close(): Promise<void>;
  /** Describes messages to tracing (OpenTelemetry messaging conventions). Optional. */
  readonly telemetry?: TransportTelemetry;
}
