/**
 * Publishes over a confirm channel: every message persistent, all of a batch in flight at
 * once, resolved only when the broker confirmed each one. The channel is made per
 * connection and remade after it closes.
 */
import { TransportError } from '@tidings/core';
import type { ChannelModel, ConfirmChannel, Options } from 'amqplib';
import type { ConnectionManager } from './connection.ts';
import { declareExchange } from './topology.ts';

export interface Publisher {
  /** Sends `content` and resolves on the broker's confirm; rejects on nack or channel loss. */
  send(
    items: readonly { exchange: string; routingKey: string; content: Buffer; options: Options.Publish }[],
  ): Promise<void>;
}

export function createPublisher(connection: ConnectionManager, exchange: string): Publisher {
  const channels = new WeakMap<ChannelModel, Promise<ConfirmChannel>>();

  function channelOf(model: ChannelModel): Promise<ConfirmChannel> {
    let channel = channels.get(model);
    if (!channel) {
      channel = (async () => {
        const ch = await model.createConfirmChannel();
        ch.on('error', () => {});
        ch.on('close', () => channels.delete(model));
        await declareExchange(ch, exchange);
        return ch;
      })();
      channel.catch(() => channels.delete(model));
      channels.set(model, channel);
    }
    return channel;
  }

  return {
    async send(items) {
      const channel = await channelOf(await connection.model());
      const confirms: Promise<void>[] = [];
      for (const item of items) {
        confirms.push(
          new Promise<void>((resolve, reject) => {
            // amqplib buffers past the socket's high-water mark, so `false` needs no wait here.
            channel.publish(item.exchange, item.routingKey, item.content, item.options, (error) =>
              error ? reject(error) : resolve(),
            );
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
