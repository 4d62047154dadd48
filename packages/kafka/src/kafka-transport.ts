/**
 * The Kafka transport: keyed records on topics named after event types, consumer groups
 * with commit-after-handling, in-place retries and a dead-letter topic. Built on kafkajs;
 * needs no admin calls (topics are auto-created by the brokers or must already exist).
 */
import {
  ClosedError,
  type MessageHandler,
  type SubscribeRequest,
  type Subscription,
  type Transport,
  type TransportFeatures,
  type TransportMessage,
} from '@tidings/core';
import { Kafka } from 'kafkajs';
import { createGroupSubscription } from './group-subscription.ts';
import { type KafkaTransportOptions, resolveKafkaOptions } from './options.ts';
import { createKafkaPublisher } from './publisher.ts';
import { kafkaTelemetry } from './telemetry.ts';

/** What the Kafka transport guarantees; see the package README for how each was verified. */
export const kafkaFeatures: TransportFeatures = Object.freeze({
  // One key → one partition; a partition is handled in offset order, retries included.
  orderingByKey: true,
  // Dead-lettering is done by the transport (a produce to `<topic>.deadletter`), not Kafka.
  nativeDeadLetter: false,
  // Without the idempotent producer a retried produce can write a record twice.
  nativeDedup: false,
  // A rejected message is retried in place after its delay (the partition waits).
  delayedRedelivery: true,
  // A dead member's partitions move to a live one after the session timeout, from the last commit.
  redeliversUnacked: true,
  replaysHistory: true,
});

/**
 * Creates a Kafka transport.
 *
 * @example
 * const transport = createKafkaTransport({ brokers: ['127.0.0.1:9092'], topicPrefix: 'shop.' });
 * await transport.subscribe({ group: 'mailer', topics: ['OrderPlaced'] }, async (message) => {
 *   await sendMail(decodeBinary(message));
 * });
 * await transport.publish([{ id, topic: 'OrderPlaced', key: orderId, ...encodeBinary(event) }]);
 * await transport.close();
 */
export function createKafkaTransport(options: KafkaTransportOptions): Transport {
  const resolved = resolveKafkaOptions(options);
  const kafka = new Kafka({ ...resolved.kafka, brokers: resolved.brokers, clientId: resolved.clientId });
  const publisher = createKafkaPublisher(kafka, resolved.topicPrefix);
  const subscriptions = new Set<Subscription>();
  let closed = false;
  let closing: Promise<void> | undefined;

  const closedError = (what: string) =>
    new ClosedError(`Cannot ${what}: this Kafka transport was closed. Create a new one.`);

  return {
    name: 'kafka',
    features: kafkaFeatures,
    telemetry: kafkaTelemetry(resolved.topicPrefix, resolved),
    async publish(messages: readonly TransportMessage[]) {
      if (closed) throw closedError('publish');
      await publisher.publish(messages);
    },
    async subscribe(request: SubscribeRequest, handler: MessageHandler, subscribeOptions = {}) {
      if (closed) throw closedError('subscribe');
      const subscription = await createGroupSubscription(
        kafka,
        resolved,
        publisher,
        request,
        handler,
        subscribeOptions.signal,
      );
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
