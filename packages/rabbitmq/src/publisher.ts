/**
 * Publishes over a confirm channel: every message persistent, all of a batch in flight at
 * once, resolved only when the broker confirmed each one. The channel is made per
 * connection and remade after it closes. An item marked `mustRoute` goes out `mandatory`:
 * if no queue took it the broker returns it before the confirm, and `send` rejects, so a
 * dead letter is never confirmed into nowhere.
 */
import { TransportError } from '@tidings/core';
import type { ChannelModel, ConfirmChannel, Options } from 'amqplib';
import type { ConnectionManager } from './connection.ts';
import { declareExchange } from './topology.ts';

export interface PublishItem {
  readonly exchange: string;
  readonly routingKey: string;
  readonly content: Buffer;
  readonly options: Options.Publish;
  /** Reject unless a queue took it (`mandatory`). Needs `options.messageId`. */
  readonly mustRoute?: boolean;
}

export interface Publisher {
  /** Sends `content` and resolves on the broker's confirm; rejects on nack, return or channel loss. */
  send(items: readonly PublishItem[]): Promise<void>;
  /** Declares a durable queue bound to `routingKey` on the exchange (idempotent). */
  declareBoundQueue(queue: string, routingKey: string, queueType: string): Promise<void>;
}

export function createPublisher(connection: ConnectionManager, exchange: string): Publisher {
  const channels = new WeakMap<ChannelModel, Promise<ConfirmChannel>>();
  // Message ids the broker returned as unroutable, until their confirm arrives.
  const returned = new Set<string>();

  function channelOf(model: ChannelModel): Promise<ConfirmChannel> {
    let channel = channels.get(model);
    if (!channel) {
      channel = (async () => {
        const ch = await model.createConfirmChannel();
        ch.on('error', () => {});
        ch.on('close', () => channels.delete(model));
        ch.on('return', (message: { properties: { messageId?: string } }) => {
          if (message.properties.messageId) returned.add(message.properties.messageId);
        });
        await declareExchange(ch, exchange);
        return ch;
      })();
      channel.catch(() => channels.delete(model));
      channels.set(model, channel);
    }
    return channel;
  }

  return {
    async declareBoundQueue(queue, routingKey, queueType) {
      const channel = await channelOf(await connection.model());
      await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': queueType } });
      await channel.bindQueue(queue, exchange, routingKey);
    },
    async send(items) {
      const channel = await channelOf(await connection.model());
      const confirms: Promise<void>[] = [];
      for (const item of items) {
        confirms.push(
          new Promise<void>((resolve, reject) => {
            // amqplib buffers past the socket's high-water mark, so `false` needs no wait here.
            const options = item.mustRoute ? { ...item.options, mandatory: true } : item.options;
            const id = item.options.messageId;
            channel.publish(item.exchange, item.routingKey, item.content, options, (error) => {
              // The broker sends basic.return before the confirm of the same message.
              if (!error && item.mustRoute && id !== undefined && returned.delete(id)) {
                reject(new Error(`no queue is bound to routing key "${item.routingKey}"`));
              } else if (error) reject(error);
              else resolve();
            });
          }),
        );
      }
      try {
        await Promise.all(confirms);
      } catch (error) {
        throw new TransportError(
          `RabbitMQ did not confirm ${items.length} message(s): ${(error as Error)?.message ?? String(error)}. Publish again; consumers must tolerate duplicates.`,
          { cause: error },
        );
      }
    },
  };
}
