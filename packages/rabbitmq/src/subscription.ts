/**
 * One subscription: a channel consuming the group's queue with manual acks. Up to
 * `concurrency` handlers run at once (per key one at a time with single-active-consumer);
 * a resolved handler acks, a rejected one is requeued, delayed through a wait queue, or
 * dead-lettered. A lost channel is re-opened (after reconnecting when the connection went)
 * and the topology re-declared; what the old channel held the broker redelivers.
 */
import {
  DoNotRetry,
  type MessageHandler,
  type ReceivedMessage,
  type SubscribeRequest,
  type Subscription,
} from '@tidings/core';
import { retryDelayOf } from '@tidings/core/spi';
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

  async function settleFailure(delivery: Delivery, error: unknown): Promise<void> {
    const { channel: ch, message, received } = delivery;
    if (ch !== channel) return;
    const exhausted = options.queueType === 'quorum' && received.deliveryCount >= options.deliveryLimit;
    if (DoNotRetry.is(error) || exhausted) {
      // Rejected without requeue, the queue's dead-letter exchange takes it.
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
    } catch {
      if (ch === channel) quietly(() => ch.nack(message, false, true));
    }
  }

  function close(): Promise<void> {
    closing ??= (async () => {
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
