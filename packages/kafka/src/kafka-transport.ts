/**
 * The Kafka transport: keyed records on topics named after event types, consumer groups
 * with commit-after-handling and in-place retries on the partition. Built on kafkajs; needs
 * no admin calls (topics are auto-created by the brokers or must already exist). It never
 * dead-letters: the consumer pipeline does, through `transportDeadLetterSink`.
 */
import {
  ClosedError,
  type MessageHandler,
  type SubscribeRequest,
  type Subscription,
  type Transport,
  TransportError,
  type TransportFeatures,
  type TransportMessage,
} from '@tidings/core';
import { checkSubscribeRequest, errorMessage } from '@tidings/core/spi';
import { createGroupSubscription } from './group-subscription.ts';
import { type KafkaTransportOptions, resolveKafkaOptions } from './options.ts';
import { createKafkaPublisher } from './publisher.ts';
import { kafkaTelemetry } from './telemetry.ts';

/** What the Kafka transport guarantees; see the package README for how each was verified. */
export const kafkaFeatures: TransportFeatures = Object.freeze({
  // One key → one partition; a partition is handled in offset order, retries included.
  orderingByKey: true,
  // Kafka has no dead-letter destination; the consumer's sink publishes dead letters.
  nativeDeadLetter: false,
  // Without the idempotent producer a retried produce can write a record twice.
  nativeDedup: false,
  // A rejected message is retried in place after its delay (the partition waits).
  delayedRedelivery: true,
  // A dead member's partitions move to a live one after the session timeout, from the last commit.
  redeliversUnacked: true,
  replaysHistory: true,
});

/** What `createKafkaTransport` returns (the Transport port; named for the one factory shape). */
export type KafkaTransport = Transport;

/**
 * Creates a Kafka transport and connects its producer, so unreachable brokers fail here
 * with a `TransportError`, and bad options with a `ConfigurationError` naming the option.
 *
 * @example
 * const transport = await createKafkaTransport({ connection: '127.0.0.1:9092', prefix: 'shop.' });
 * await transport.subscribe({ group: 'mailer', topics: ['OrderPlaced'] }, async (message) => {
 *   await sendMail(decodeBinary(message));
 * });
 * await transport.publish([{ id, topic: 'OrderPlaced', key: orderId, ...encodeBinary(event) }]);
 * await transport.close();
 */
export async function createKafkaTransport(options: KafkaTransportOptions = {}): Promise<KafkaTransport> {
  const resolved = resolveKafkaOptions(options);
  const publisher = createKafkaPublisher(resolved.kafka, resolved.topicPrefix);
  try {
    await publisher.connect();
  } catch (error) {
    await publisher.close().catch(() => undefined);
    const where = resolved.brokers ? resolved.brokers.join(',') : 'the given kafkajs client';
    throw new TransportError(
      `Cannot connect to Kafka at ${where}: ${errorMessage(error)}. Check the connection and that the brokers run.`,
      { cause: error },
    );
  }
  const subscriptions = new Set<Subscription>();
  let closed = false;
  let closing: Promise<void> | undefined;

  const closedError = (what: string) =>
    new ClosedError(`Cannot ${what}: the ${resolved.name} transport was closed. Create a new one.`);

  return {
    name: resolved.name,
    features: kafkaFeatures,
    telemetry: kafkaTelemetry(resolved.topicPrefix, resolved),
    async publish(messages: readonly TransportMessage[]) {
      if (closed) throw closedError('publish');
      await publisher.publish(messages);
    },
    async subscribe(request: SubscribeRequest, handler: MessageHandler, subscribeOptions = {}) {
      if (closed) throw closedError('subscribe');
      checkSubscribeRequest(request);
      const subscription = await createGroupSubscription(resolved, request, handler, subscribeOptions.signal);
      const tracked: Subscription = {
        close: async () => {
          subscriptions.delete(tracked);
          await subscription.close();
        },
      };
      subscriptions.add(tracked);
      if (closed) await tracked.close();
      return tracked;
    },
    close() {
      closed = true;
      closing ??= (async () => {
        await Promise.all([...subscriptions].map((s) => s.close()));
        await publisher.close().catch(() => undefined);
      })();
      return closing;
    },
  };
}
