/**
 * RabbitMQ session: a topic exchange of its own, quorum queues (the transport's default) for
 * Tidings and for the raw client alike, persistent messages with publisher confirms. Every
 * queue and exchange is deleted on close: quorum queues are Raft groups and weigh on the broker.
 */
import { createRabbitMqTransport, groupNames } from '@tidings/rabbitmq';
import amqp, { type ConfirmChannel } from 'amqplib';
import { topic, uniqueId } from '../fixture.ts';
import type { BrokerPeer, BrokerSession, RawSubscription } from '../peer.ts';
import { trackGroups } from './tracked-groups.ts';

const url = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/** Unacked messages per consumer, raw and Tidings alike (the consumer's `concurrency`). */
export const rabbitPrefetch = 64;

function publishConfirmed(
  channel: ConfirmChannel,
  exchange: string,
  message: { id: string; headers: Readonly<Record<string, string>>; body: Uint8Array },
) {
  return new Promise<void>((resolve, reject) => {
    channel.publish(
      exchange,
      topic,
      Buffer.from(message.body.buffer, message.body.byteOffset, message.body.byteLength),
      { persistent: true, messageId: message.id, headers: message.headers },
      (error: unknown) => (error ? reject(error) : resolve()),
    );
  });
}

async function openSession(): Promise<BrokerSession> {
  const exchange = `bench-${uniqueId()}`;
  const model = await amqp.connect(url);
  const confirm = await model.createConfirmChannel();
  await confirm.assertExchange(exchange, 'topic', { durable: true });
  const groups = new Set<string>();
  const rawQueues = new Set<string>();
  const transports: { close(): Promise<void> }[] = [];

  return {
    async createTransport() {
      const transport = await createRabbitMqTransport({
        connection: url,
        prefix: exchange,
        prefetch: rabbitPrefetch,
      });
      transports.push(transport);
      return trackGroups(transport, groups);
    },
    async rawPublish(messages) {
      // All in flight at once; the channel buffers what the socket cannot take yet.
      await Promise.all(messages.map((m) => publishConfirmed(confirm, exchange, m)));
    },
    async rawSubscribe(group, onMessage): Promise<RawSubscription> {
      const queue = `${exchange}.raw.${group}`;
      rawQueues.add(queue);
      const channel = await model.createChannel();
      await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
      await channel.bindQueue(queue, exchange, topic);
      await channel.prefetch(rabbitPrefetch);
      const { consumerTag } = await channel.consume(queue, (msg) => {
        if (!msg) return;
        const handled = onMessage({
          headers: (msg.properties.headers ?? {}) as Record<string, string>,
          body: msg.content,
        });
        if (handled) void handled.then(() => channel.ack(msg));
        else channel.ack(msg);
      });
      return {
        async close() {
          await channel.cancel(consumerTag);
          await channel.close();
        },
      };
    },
    async createSink() {
      const queue = `${exchange}.sink`;
      rawQueues.add(queue);
      const channel = await model.createChannel();
      await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
      await channel.bindQueue(queue, exchange, topic);
      return { purge: async () => void (await channel.purgeQueue(queue)) };
    },
    async versions() {
      return { RabbitMQ: String(model.connection.serverProperties.version ?? '?') };
    },
    async close() {
      for (const t of transports) await t.close();
      const channel = await model.createChannel();
      for (const group of groups) {
        const names = groupNames(exchange, group);
        await channel.deleteQueue(names.queue);
        await channel.deleteQueue(names.deadQueue);
      }
      for (const queue of rawQueues) await channel.deleteQueue(queue);
      await channel.deleteExchange(`${exchange}.dead`);
      await channel.deleteExchange(exchange);
      await model.close();
    },
  };
}

export const rabbitMqPeer: BrokerPeer = {
  id: 'rabbitmq',
  label: 'RabbitMQ',
  emulated: false,
  slow: false,
  open: openSession,
};
