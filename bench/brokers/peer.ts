/**
 * The port each broker file implements for the benchmarks: a session on one broker with
 * names of its own, that makes Tidings transports and speaks the raw client directly, the
 * way a hand-written producer and consumer would, with the same durability.
 */
import type { Transport, TransportMessage } from '@tidings/core';

/** What a raw consumer sees of a message: enough to match it to its publish. */
export interface RawDelivery {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

export interface RawSubscription {
  close(): Promise<void>;
}

/** A destination that keeps what the relay benchmarks publish, so the broker does real work. */
export interface Sink {
  /** Drops what was kept (between runs, not timed). */
  purge(): Promise<void>;
}

export interface BrokerSession {
  /** A Tidings transport on a connection of its own, on this session's names. */
  createTransport(): Promise<Transport>;
  /**
   * Publishes with the raw client, many in flight, resolving once the broker durably
   * accepted every message (confirms, PubAcks, acks=-1, XADD replies, HTTP 200).
   */
  rawPublish(messages: readonly TransportMessage[]): Promise<void>;
  /**
   * A raw consume-and-ack loop for `group` on the session's topic: `onMessage` runs (awaited
   * when it returns a promise), then the message is acknowledged. The group exists and
   * receives every later publish once this resolves. By default the messages of one read are
   * handled one after another; with `concurrent` they run together (at most the consumers'
   * 64 unacked), each acknowledged once its promise resolves or, where the broker acks a read
   * at once, the read once all of them did: the hand-written inbox floor needs that to group
   * its writes as the Tidings consumer does.
   */
  rawSubscribe(
    group: string,
    onMessage: (message: RawDelivery) => void | Promise<void>,
    options?: { readonly concurrent?: boolean },
  ): Promise<RawSubscription>;
  /**
   * Makes the broker store what is published to the session's topic, by Tidings and by the
   * raw client: a broker that routes to nowhere (an exchange or SNS topic without a queue)
   * would confirm without writing anything.
   */
  createSink(): Promise<Sink>;
  /** Server versions for the report header. */
  versions(): Promise<Record<string, string>>;
  /** Closes connections and deletes every queue, stream, key or topic the session made. */
  close(): Promise<void>;
}

export interface BrokerPeer {
  /** Name segment: `rabbitmq`, `nats`, `redis`, `kafka`, `sns-sqs`. */
  readonly id: string;
  /** For group titles, e.g. `Kafka (librdkafka mock cluster)`. */
  readonly label: string;
  /** An emulator or mock, not the real server: the label and versions say so. */
  readonly emulated: boolean;
  /** Moves a few thousand events a second at best: smaller runs, a lower latency rate. */
  readonly slow: boolean;
  open(): Promise<BrokerSession>;
}
