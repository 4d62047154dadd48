/**
 * One subscription: a channel consuming the group's queue with manual acks. Up to
 * `concurrency` handlers run at once (per key one at a time with single-active-consumer);
 * a resolved handler acks, a rejected one is requeued, delayed through a wait queue, or
 * dead-lettered; with single-active-consumer it is retried in place, so its key keeps order. A lost channel is re-opened (after reconnecting when the connection went)
 * and the topology re-declared; what the old channel held the broker redelivers.
 */
import {
  DoNotRetry,
  type MessageHandler,
  type ReceivedMessage,
  type SubscribeRequest,
  type Subscription,
} from '@tidings/core';
import { errorCodeOf, errorMessage, pause, retryDelayOf } from '@tidings/core/spi';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type { ConnectionManager } from './connection.ts';
import { forDeadLetterQueue, forWaitQueue, fromAmqp } from './message-mapping.ts';
import { deadLetterExchangeOf, delayBucket, groupNames } from './names.ts';
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

function quietly(action: () => void): void {
  try {
    action();
  } catch {
    // The channel is gone: the broker requeues what it held, so there is nothing to undo.
  }
}

export async function openSubscription(deps: SubscriptionDeps): Promise<Subscription> {
  const { connection, publisher, options, request, concurrency, handler } = deps;
  const names = groupNames(options.exchange, request.group);
  const prefetch = Math.max(options.prefetch ?? concurrency, concurrency);
  const pending: Delivery[] = [];
  const running = new Set<Delivery>();
  const keysRunning = new Set<string>();
  let channel: Channel | undefined;
  let consumerTag: string | undefined;
  let closing: Promise<void> | undefined;
  let idle: (() => void) | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let retries = 0;
  const stopping = new AbortController();

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
      throw error;
    }
  }

  function lost(ch: Channel): void {
    if (ch !== channel) return;
    channel = undefined;
    consumerTag = undefined;
    // Prefetched messages of the lost channel go back to the queue on the broker's side.
    for (let i = pending.length - 1; i >= 0; i--) if (pending[i]!.channel === ch) pending.splice(i, 1);
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
        } catch {
          retries += 1;
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
    pending.push({ message, channel: ch, received });
    pump();
  }

  function pump(): void {
    for (let i = 0; i < pending.length && running.size < concurrency; ) {
      const delivery = pending[i]!;
      if (options.singleActiveConsumer && keysRunning.has(delivery.received.key)) {
        i++;
        continue;
      }
      pending.splice(i, 1);
      run(delivery);
    }
  }

  function run(delivery: Delivery): void {
    const key = delivery.received.key;
    running.add(delivery);
    keysRunning.add(key);
    Promise.resolve()
      .then(() => handler(delivery.received))
      .then(
        () => {
          if (delivery.channel === channel) quietly(() => delivery.channel.ack(delivery.message));
        },
        (error: unknown) => settleFailure(delivery, error),
      )
      .finally(() => {
        running.delete(delivery);
        keysRunning.delete(key);
        pump();
        if (running.size === 0) idle?.();
      });
  }

  // With single active consumer the key's order is the promise: a failed message is retried
  // right here, its key held, instead of through a wait queue whose expiry would put it
  // behind the later messages of its key.
  async function retryInPlace(delivery: Delivery, error: unknown): Promise<void> {
    let received = delivery.received;
    let failure = error;
    for (;;) {
      if (DoNotRetry.is(failure) || received.deliveryCount >= options.deliveryLimit) {
        await deadLetter({ ...delivery, received }, failure);
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
    const exhausted = options.queueType === 'quorum' && received.deliveryCount >= options.deliveryLimit;
    if (DoNotRetry.is(error) || exhausted) {
      await deadLetter(delivery, error);
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
    } catch {
      if (ch === channel) quietly(() => ch.nack(message, false, true));
    }
  }

  // A confirmed copy with the reason goes to the dead-letter queue, then the original is
  // acked. If the copy is not confirmed, the reject still routes the original there through
  // the queue's dead-letter exchange: without the reason, but never lost.
  async function deadLetter(delivery: Delivery, error: unknown): Promise<void> {
    const { channel: ch, message, received } = delivery;
    try {
      await publisher.send([
        {
          exchange: deadLetterExchangeOf(options.exchange),
          routingKey: names.queue,
          content: message.content,
          options: forDeadLetterQueue(message, received, {
            reason: errorMessage(error),
            code: errorCodeOf(error),
            group: request.group,
            attempts: received.deliveryCount,
            topic: received.topic,
            at: new Date().toISOString(),
          }),
        },
      ]);
      if (ch === channel) quietly(() => ch.ack(message));
    } catch {
      if (ch === channel) quietly(() => ch.nack(message, false, false));
    }
  }

  function close(): Promise<void> {
    closing ??= (async () => {
      stopping.abort();
      const ch = channel;
      if (ch && consumerTag) await ch.cancel(consumerTag).catch(() => {});
      // Messages prefetched but not started go back now, so other members need not wait.
      for (const delivery of pending.splice(0)) {
        if (delivery.channel === channel) quietly(() => delivery.channel.nack(delivery.message, false, true));
      }
      while (running.size > 0) await new Promise<void>((resolve) => (idle = resolve));
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
