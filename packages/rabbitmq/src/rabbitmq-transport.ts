/**
 * The RabbitMQ transport: a durable topic exchange, one durable (quorum by default) queue
 * per consumer group bound to each topic, publisher confirms, manual acks, delayed retries
 * through per-delay wait queues, the broker's delivery limit as a backstop into a
 * dead-letter queue per group, and reconnection.
 */
import { ClosedError, type Subscription, type Transport } from '@tidings/core';
import { checkSubscribeRequest, deadLetterHeaders } from '@tidings/core/spi';
import { createConnectionManager } from './connection.ts';
import { toAmqp } from './message-mapping.ts';
import { deadLetterTopicQueue, routingKeyOf } from './names.ts';
import { type RabbitMqTransportOptions, rabbitMqFeatures, resolveOptions } from './options.ts';
import { createPublisher } from './publisher.ts';
import { openSubscription } from './subscription.ts';
import { rabbitMqTelemetry } from './telemetry.ts';

/** What `createRabbitMqTransport` returns (the Transport port; named for the one factory shape). */
export type RabbitMqTransport = Transport;

/**
 * Connects to RabbitMQ and returns a Transport. Rejects with `ConfigurationError` naming
 * the option for bad options, with `TransportError` (URL redacted) when the broker cannot
 * be reached; later connection losses are repaired in the background and reported to
 * `onError`.
 *
 * @example
 * const transport = await createRabbitMqTransport({ connection: 'amqp://guest:guest@127.0.0.1:5672' });
 * await transport.subscribe({ group: 'emails', topics: ['order.placed'] }, async (m) => send(m));
 * await transport.publish([{ id, topic: 'order.placed', key: 'Order:1', headers, body }]);
 * await transport.close();
 */
export async function createRabbitMqTransport(
  options: RabbitMqTransportOptions = {},
): Promise<RabbitMqTransport> {
  const resolved = resolveOptions(options);
  const features = rabbitMqFeatures(options);
  const connection = await createConnectionManager(resolved);
  const publisher = createPublisher(connection, resolved.exchange);
  const subscriptions = new Set<Subscription>();
  const publishing = new Set<Promise<void>>();
  let closing: Promise<void> | undefined;

  const closedError = (what: string) =>
    new ClosedError(`Cannot ${what}: the ${resolved.name} transport is closed. Create a new transport.`);

  return {
    name: resolved.name,
    features,
    telemetry: rabbitMqTelemetry(resolved.exchange, resolved.url),

    async publish(messages) {
      if (closing) throw closedError('publish');
      // A dead letter (core's format) must land somewhere even when no group listens to its
      // topic yet: its topic gets a durable queue bound to it, and it is published mandatory.
      const isDeadLetter = (m: (typeof messages)[number]) =>
        m.headers[deadLetterHeaders.reason] !== undefined;
      for (const topic of new Set(messages.filter(isDeadLetter).map((m) => m.topic))) {
        await publisher.declareBoundQueue(
          deadLetterTopicQueue(resolved.exchange, topic),
          routingKeyOf(topic),
          resolved.queueType,
        );
      }
      // A batch has few topics: each one's routing key is escaped and checked once.
      const routingKeys = new Map<string, string>();
      const routingKey = (topic: string) => {
        let key = routingKeys.get(topic);
        if (key === undefined) {
          key = routingKeyOf(topic);
          routingKeys.set(topic, key);
        }
        return key;
      };
      const items = messages.map((message) => {
        const { content, options } = toAmqp(message);
        return {
          exchange: resolved.exchange,
          routingKey: routingKey(message.topic),
          content,
          options,
          mustRoute: isDeadLetter(message),
        };
      });
      const sent = publisher.send(items);
      publishing.add(sent);
      try {
        await sent;
      } finally {
        publishing.delete(sent);
      }
    },

    async subscribe(request, handler, subscribeOptions = {}) {
      if (closing) throw closedError('subscribe');
      const concurrency = checkSubscribeRequest(request);
      const subscription = await openSubscription({
        connection,
        publisher,
        options: resolved,
        request,
        concurrency,
        handler,
        onClosed: () => subscriptions.delete(subscription),
      });
      subscriptions.add(subscription);
      const signal = subscribeOptions.signal;
      if (signal?.aborted) await subscription.close();
      else signal?.addEventListener('abort', () => void subscription.close(), { once: true });
      return subscription;
    },

    close() {
      closing ??= (async () => {
        await Promise.all([...subscriptions].map((s) => s.close()));
        await Promise.allSettled([...publishing]);
        await connection.close();
      })();
      return closing;
    },
  };
}
