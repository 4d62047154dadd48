/**
 * One subscription: a channel consuming the group's queue with manual acks, its deliveries
 * run by core's keyed dispatcher (up to `concurrency` at once; with single-active-consumer
 * one at a time per key, in arrival order). A resolved handler acks. A rejected message is
 * redelivered: with single-active-consumer in place after the rejection's `retryDelayMs`
 * (its key waits behind it, so order holds); otherwise requeued at once, or after the delay
 * through a wait queue. The transport never dead-letters by itself: the consumer pipeline
 * decides, and the quorum queue's `x-delivery-limit` (= `maxDeliveries`) is the backstop.
 * A lost channel is re-opened (after reconnecting when the connection went) and the
 * topology re-declared; what the old channel held the broker redelivers.
 */
import {
  ConfigurationError,
  type MessageHandler,
  type ReceivedMessage,
  type SubscribeRequest,
  type Subscription,
} from '@tidings/core';
import { createKeyedDispatcher, pause, retryDelayOf } from '@tidings/core/spi';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type { ConnectionManager } from './connection.ts';
import { forWaitQueue, fromAmqp } from './message-mapping.ts';
import { delayBucket, groupNames } from './names.ts';
import type { ResolvedOptions } from './options.ts';
import type { Publisher } from './publisher.ts';
import { rabbitMqDeliveryNotes } from './telemetry.ts';
import { declareGroup, declareWaitQueue } from './topology.ts';

interface Delivery {
  readonly message: ConsumeMessage;
  readonly channel: Channel;
  readonly received: ReceivedMessage;
}

export interface SubscriptionDeps {
  readonly connection: ConnectionManager;
  readonly publisher: Publisher;
  readonly options: ResolvedOptions;
  readonly request: SubscribeRequest;
  readonly concurrency: number;
  readonly handler: MessageHandler;
  readonly onClosed: () => void;
}

/** Default prefetch with single active consumer (see `openSubscription`). */
export const singleActivePrefetch = 256;

function quietly(action: () => void): void {
  try {
    action();
  } catch {
    // The channel is gone: the broker requeues what it held, so there is nothing to undo.
  }
}

export async function openSubscription(deps: SubscriptionDeps): Promise<Subscription> {
  const { connection, publisher, request, concurrency, handler } = deps;
  // The request's limit (the consumer's retry budget + 1) raises the group queue's
  // `x-delivery-limit` and the in-process backstop, so the consumer dead-letters first.
  const transportOptions = deps.options;
  let options: ResolvedOptions = {
    ...transportOptions,
    maxDeliveries: Math.max(transportOptions.maxDeliveries, request.maxDeliveries ?? 0),
  };
  const names = groupNames(options.exchange, request.group);
  // With single active consumer a key that waits (a retry, a slow handler) holds its later
  // messages locally; a prefetch of only `concurrency` would let one such key stall every
  // other key. Standby members receive nothing anyway, so holding more costs only memory.
  const defaultPrefetch = options.singleActiveConsumer
    ? Math.max(concurrency, singleActivePrefetch)
    : concurrency;
  const prefetch = Math.max(options.prefetch ?? defaultPrefetch, concurrency);
  let channel: Channel | undefined;
  let consumerTag: string | undefined;
  let closing: Promise<void> | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let retries = 0;
  let sequence = 0;
  const stopping = new AbortController();
  const dispatcher = createKeyedDispatcher<Delivery>(concurrency, (delivery) => run(delivery));

  async function attach(model: ChannelModel): Promise<void> {
    const ch = await model.createChannel();
    ch.on('error', () => {});
    ch.on('close', () => lost(ch));
    try {
      await declareGroup(ch, options, names, request.topics);
      await ch.prefetch(prefetch);
      channel = ch;
      consumerTag = (await ch.consume(names.queue, (message) => receive(ch, message))).consumerTag;
    } catch (error) {
      if (channel === ch) channel = undefined;
      await ch.close().catch(() => {});
      if (!keptExistingLimit(error)) throw error;
      return attach(model);
    }
  }

  /**
   * RabbitMQ refuses to change a queue's `x-delivery-limit`. A queue declared before the
   * budget was raised (by an older version, or with the transport's own `maxDeliveries`) is
   * kept as it is, not broken: the subscription falls back to the transport's limit and
   * says so, since the broker will dead-letter past it, before the consumer's budget.
   */
  function keptExistingLimit(error: unknown): boolean {
    if (options.maxDeliveries === transportOptions.maxDeliveries) return false;
    if (!ConfigurationError.is(error) || !/x-delivery-limit/.test(error.message)) return false;
    options.onError(
      new ConfigurationError(
        `Queue "${names.queue}" exists with an x-delivery-limit other than ${options.maxDeliveries} (the handler's retry budget + 1); kept it with maxDeliveries ${transportOptions.maxDeliveries}. Past its limit RabbitMQ moves a message to "${names.deadQueue}" without a reason, before the consumer dead-letters it: make the queue's limit at least maxAttempts + 1 (delete and re-declare it, or set maxDeliveries).`,
        { cause: error },
      ),
    );
    options = transportOptions;
    return true;
  }

  // Deliveries of the lost channel still queued in the dispatcher are skipped when their turn
  // comes (`run` checks the channel): the broker has already put them back in the queue.
  function lost(ch: Channel): void {
    if (ch !== channel) return;
    channel = undefined;
    consumerTag = undefined;
    if (!closing) scheduleReattach();
  }

  function scheduleReattach(): void {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(
      async () => {
        if (closing || channel || connection.closed) return;
        try {
          await attach(await connection.model());
          retries = 0;
          if (closing) {
            // close() ran while we re-attached and found no channel: drop the new one too.
            const late = channel as Channel | undefined;
            channel = undefined;
            await late?.close().catch(() => {});
          }
        } catch (error) {
          retries += 1;
          options.onError(error);
          if (!closing && !connection.closed) scheduleReattach();
        }
      },
      Math.min(50 * 2 ** retries, 5_000),
    );
  }

  function receive(ch: Channel, message: ConsumeMessage | null): void {
    if (message === null) {
      // The broker cancelled the consumer (e.g. the queue was deleted): start over.
      void ch.close().catch(() => {});
      lost(ch);
      return;
    }
    if (closing || ch !== channel) {
      quietly(() => ch.nack(message, false, true));
      return;
    }
    const received = rabbitMqDeliveryNotes.note(fromAmqp(message), {
      'messaging.rabbitmq.message.delivery_tag': message.fields.deliveryTag,
    });
    // Without single active consumer no order is promised: every delivery gets its own lane.
    const lane = options.singleActiveConsumer ? `key:${received.key}` : `delivery:${sequence++}`;
    dispatcher.push(lane, { message, channel: ch, received });
  }

  async function run(delivery: Delivery): Promise<void> {
    if (delivery.channel !== channel) return;
    try {
      await handler(delivery.received);
    } catch (error) {
      await settleFailure(delivery, error);
      return;
    }
    if (delivery.channel === channel) quietly(() => delivery.channel.ack(delivery.message));
  }

  // With single active consumer the key's order is the promise: a failed message is retried
  // right here, its key held, instead of through a wait queue whose expiry would put it
  // behind the later messages of its key. In-place deliveries count toward the backstop.
  async function retryInPlace(delivery: Delivery, error: unknown): Promise<void> {
    let received = delivery.received;
    let failure = error;
    for (;;) {
      if (received.deliveryCount >= options.maxDeliveries) {
        // The backstop: rejected without requeue, the queue's dead-letter exchange moves it
        // to `<queue>.dead`, as RabbitMQ does at `x-delivery-limit`.
        quietly(() => delivery.channel.nack(delivery.message, false, false));
        return;
      }
      await pause(retryDelayOf(failure) ?? 0, stopping.signal);
      if (closing || delivery.channel !== channel) {
        // Back to the broker, at its place: the next active consumer takes it first.
        quietly(() => delivery.channel.nack(delivery.message, false, true));
        return;
      }
      // A new object for the retry: its delivery tag must be noted again for tracing.
      received = rabbitMqDeliveryNotes.note(
        { ...received, deliveryCount: received.deliveryCount + 1 },
        rabbitMqDeliveryNotes.of(delivery.received),
      );
      try {
        await handler(received);
        quietly(() => delivery.channel.ack(delivery.message));
        return;
      } catch (next) {
        failure = next;
      }
    }
  }

  async function settleFailure(delivery: Delivery, error: unknown): Promise<void> {
    const { channel: ch, message, received } = delivery;
    if (ch !== channel) return;
    if (options.singleActiveConsumer) {
      await retryInPlace(delivery, error);
      return;
    }
    if (received.deliveryCount >= options.maxDeliveries) {
      // The backstop, also across wait-queue hops (which restart the queue's own count).
      quietly(() => ch.nack(message, false, false));
      return;
    }
    const delayMs = retryDelayOf(error);
    if (delayMs === undefined) {
      quietly(() => ch.nack(message, false, true));
      return;
    }
    try {
      const waitQueue = await declareWaitQueue(ch, names, delayBucket(delayMs));
      await publisher.send([
        {
          exchange: '',
          routingKey: waitQueue,
          content: message.content,
          options: forWaitQueue(message, received),
        },
      ]);
      // Acked only once the copy is confirmed: a crash in between means a duplicate, never a loss.
      if (ch === channel) quietly(() => ch.ack(message));
    } catch (failure) {
      options.onError(failure);
      if (ch === channel) quietly(() => ch.nack(message, false, true));
    }
  }

  function close(): Promise<void> {
    closing ??= (async () => {
      stopping.abort();
      const ch = channel;
      if (ch && consumerTag) await ch.cancel(consumerTag).catch(() => {});
      // Messages prefetched but not started go back now, so other members need not wait.
      for (const delivery of dispatcher.takeWaiting()) {
        if (delivery.channel === channel) quietly(() => delivery.channel.nack(delivery.message, false, true));
      }
      await dispatcher.idle();
      clearTimeout(retryTimer);
      const last = channel;
      channel = undefined;
      await last?.close().catch(() => {});
      deps.onClosed();
    })();
    return closing;
  }

  await attach(await connection.model());
  return { close };
}
