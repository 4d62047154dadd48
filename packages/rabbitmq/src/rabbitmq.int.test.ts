/**
 * RabbitMQ-specific behaviour beyond the contract: the declared topology, confirms meaning
 * "in the queue", the delivery-limit backstop (the transport never dead-letters by itself),
 * in-place retries with single active consumer, delayed retries, and a caller's connection.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  ConfigurationError,
  DoNotRetry,
  type ReceivedMessage,
  RetryLater,
  type Transport,
  type TransportMessage,
  transportDeadLetterSink,
} from '@tidings/core';
import { deadLetterHeaders } from '@tidings/core/spi';
import amqp, { type Channel, type ChannelModel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createQueueJanitor } from '../test/queue-janitor.ts';
import { deadLetterTopicQueue, groupNames } from './names.ts';
import { resolveOptions } from './options.ts';
import { createRabbitMqTransport } from './rabbitmq-transport.ts';
import { groupQueueArguments } from './topology.ts';

const url = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const exchange = 'tidings-rabbit-int';
let admin: ChannelModel;
let channel: Channel;

beforeAll(async () => {
  admin = await amqp.connect(url);
  channel = await admin.createChannel();
});
const janitor = createQueueJanitor(url, exchange);
afterAll(async () => {
  await janitor.sweep();
  await admin.close();
});

const unique = (label: string) => `${label}-${randomBytes(5).toString('hex')}`;

async function open(
  options: { maxDeliveries?: number; singleActiveConsumer?: boolean } = {},
): Promise<Transport> {
  const transport = await createRabbitMqTransport({ connection: url, prefix: exchange, ...options });
  onTestFinished(() => transport.close());
  return transport;
}

function message(topic: string): TransportMessage {
  const id = randomUUID();
  return {
    id,
    topic,
    key: 'Order:1',
    headers: { 'ce-id': id, 'x-note': 'kept' },
    body: Buffer.from('{"n":1}'),
  };
}

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('RabbitMQ transport', () => {
  it('declares a durable quorum queue per group with dead-letter arguments, bound per topic', async () => {
    const transport = await open();
    const group = janitor.remember(unique('g'));
    const topic = `${unique('order')}.*`;
    const seen: string[] = [];
    await transport.subscribe({ group, topics: [topic] }, async (m) => {
      seen.push(m.topic);
    });
    const names = groupNames(exchange, group);
    // Declaring with exactly our arguments succeeds: the queue is quorum with DLX and limit.
    const args = groupQueueArguments(resolveOptions({ connection: url, prefix: exchange }), names);
    expect(args).toMatchObject({ 'x-queue-type': 'quorum', 'x-delivery-limit': 20 });
    await expect(channel.assertQueue(names.queue, { durable: true, arguments: args })).resolves.toBeTruthy();
    await expect(channel.checkQueue(names.deadQueue)).resolves.toMatchObject({ queue: names.deadQueue });
    // Other options for the same group are refused with advice, not silently mixed.
    const classic = await createRabbitMqTransport({
      connection: url,
      prefix: exchange,
      queueType: 'classic',
    });
    onTestFinished(() => classic.close());
    const refusal = await classic
      .subscribe({ group, topics: [topic] }, async () => {})
      .catch((e: unknown) => e);
    expect(ConfigurationError.is(refusal)).toBe(true);
    expect(String(refusal)).toMatch(/exists with other arguments/);
    // The topic's '*' is escaped: a sibling it would match as a wildcard is not routed. One
    // consumer reads the queue in order, so had the sibling been routed it would come first.
    const sibling = topic.replace('*', 'shipped');
    await transport.publish([message(sibling), message(topic)]);
    await until(() => seen.length > 0, 'the exact topic');
    expect(seen[0]).toBe(topic);
  });

  it("raises a new group queue's x-delivery-limit to the request's maxDeliveries; keeps an existing queue's, and says so", async () => {
    const errors: unknown[] = [];
    const transport = await createRabbitMqTransport({
      connection: url,
      prefix: exchange,
      onError: (e) => errors.push(e),
    });
    onTestFinished(() => transport.close());
    const fresh = janitor.remember(unique('g'));
    const topic = unique('budget');
    await transport.subscribe({ group: fresh, topics: [topic], maxDeliveries: 26 }, async () => {});
    const raised = { ...resolveOptions({ connection: url, prefix: exchange }), maxDeliveries: 26 };
    const freshNames = groupNames(exchange, fresh);
    await expect(
      channel.assertQueue(freshNames.queue, {
        durable: true,
        arguments: groupQueueArguments(raised, freshNames),
      }),
    ).resolves.toBeTruthy();
    expect(errors).toEqual([]);
    // A queue declared earlier with the transport's limit (20) is kept, not refused.
    const old = janitor.remember(unique('g'));
    await (await transport.subscribe({ group: old, topics: [topic] }, async () => {})).close();
    const seen: string[] = [];
    await transport.subscribe({ group: old, topics: [topic], maxDeliveries: 26 }, async (m) => {
      seen.push(m.id);
    });
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toMatch(
      /exists with an x-delivery-limit other than 26.*kept it with maxDeliveries 20/,
    );
    await transport.publish([message(topic)]);
    await until(() => seen.length === 1, 'a delivery on the kept queue');
  });

  it('resolves publish only when the messages are in the queue (publisher confirms)', async () => {
    const transport = await open();
    const group = janitor.remember(unique('g'));
    const topic = unique('confirm');
    await (await transport.subscribe({ group, topics: [topic] }, async () => {})).close();
    await transport.publish(Array.from({ length: 50 }, () => message(topic)));
    const { messageCount } = await channel.checkQueue(groupNames(exchange, group).queue);
    expect(messageCount).toBe(50);
  });

  it('moves a message past maxDeliveries to the dead queue (the backstop), and never dead-letters by itself', async () => {
    const transport = await open({ maxDeliveries: 3 });
    const group = janitor.remember(unique('g'));
    const topic = unique('dead');
    const seen: ReceivedMessage[] = [];
    const poison = message(topic);
    await transport.subscribe({ group, topics: [topic] }, async (m) => {
      seen.push(m);
      // Even a DoNotRetry is the consumer pipeline's to dead-letter: the transport redelivers.
      throw new DoNotRetry('bad input');
    });
    await transport.publish([poison]);
    const deadQueue = groupNames(exchange, group).deadQueue;
    await until(async () => (await channel.checkQueue(deadQueue)).messageCount === 1, 'the backstop');
    expect(seen.map((m) => m.deliveryCount)).toEqual([1, 2, 3]);
    const letter = await channel.get(deadQueue, { noAck: true });
    if (letter === false) throw new Error('the dead queue was empty');
    expect(letter.properties.messageId).toBe(poison.id);
    // The broker's move, not a copy the transport published with a reason.
    expect(letter.properties.headers?.[deadLetterHeaders.reason]).toBeUndefined();
  });

  it('retries in place with single active consumer: the delay is honoured, the key waits behind it', async () => {
    const transport = await open({ singleActiveConsumer: true });
    const group = janitor.remember(unique('g'));
    const topic = unique('sac');
    const seen: { id: string; count: number; at: number }[] = [];
    const [first, second] = [message(topic), message(topic)];
    await transport.subscribe({ group, topics: [topic], concurrency: 4 }, async (m) => {
      seen.push({ id: m.id, count: m.deliveryCount, at: Date.now() });
      if (m.id === first.id && m.deliveryCount < 3) throw new RetryLater('not yet', 150);
    });
    await transport.publish([first, second]);
    await until(() => seen.length === 4, 'two retries and the next message');
    expect(seen.map((s) => [s.id, s.count])).toEqual([
      [first.id, 1],
      [first.id, 2],
      [first.id, 3],
      [second.id, 1],
    ]);
    expect((seen[1]?.at ?? 0) - (seen[0]?.at ?? 0)).toBeGreaterThanOrEqual(140);
  });

  it('uses a connection the caller passed, and leaves it open on close', async () => {
    const own = await amqp.connect(url);
    onTestFinished(() => own.close().catch(() => undefined));
    const transport = await createRabbitMqTransport({ connection: own, prefix: exchange });
    const group = janitor.remember(unique('g'));
    const topic = unique('own');
    const seen: string[] = [];
    await transport.subscribe({ group, topics: [topic] }, async (m) => void seen.push(m.id));
    const sent = message(topic);
    await transport.publish([sent]);
    await until(() => seen.length === 1, 'the message');
    await transport.close();
    // Still usable: the transport did not close what it does not own.
    await expect(own.createChannel().then((c) => c.close())).resolves.toBeUndefined();
  });

  it("keeps a consumer's dead letter in a bound queue, format intact, even with no group on its topic", async () => {
    const transport = await open();
    const handler = unique('h');
    const original = message(unique('orig'));
    const received = { ...original, deliveryCount: 2 };
    const sink = transportDeadLetterSink(transport);
    await sink.put({
      handler,
      reason: 'payment provider said no',
      code: 'TIDINGS_DO_NOT_RETRY',
      attempts: 2,
      at: '2026-01-01T00:00:00.000Z',
      message: received,
    });
    const queue = deadLetterTopicQueue(exchange, `tidings.deadletter.${handler}`);
    onTestFinished(async () => void (await channel.deleteQueue(queue)));
    const letter = await channel.get(queue, { noAck: true });
    expect(letter).not.toBe(false);
    if (!letter) return;
    expect(letter.properties.messageId).not.toBe(original.id);
    expect(letter.properties.headers).toMatchObject({
      cloudEvents_id: original.id,
      'x-note': 'kept',
      [deadLetterHeaders.reason]: 'payment provider said no',
      [deadLetterHeaders.group]: handler,
      [deadLetterHeaders.attempts]: '2',
      [deadLetterHeaders.topic]: original.topic,
    });
    expect(letter.content.toString()).toBe('{"n":1}');
  });

  it('retries after a RetryLater through a wait queue, keeping id, topic, key and headers', async () => {
    const transport = await open();
    const group = janitor.remember(unique('g'));
    const topic = unique('later');
    const seen: ReceivedMessage[] = [];
    await transport.subscribe({ group, topics: [topic] }, async (m) => {
      seen.push(m);
      if (seen.length < 3) throw new RetryLater('not yet', 120);
    });
    const sent = message(topic);
    await transport.publish([sent]);
    await until(() => seen.length === 3, 'two delayed retries');
    for (const m of seen) {
      expect({ id: m.id, topic: m.topic, key: m.key, headers: m.headers }).toEqual({
        id: sent.id,
        topic: sent.topic,
        key: sent.key,
        headers: sent.headers,
      });
    }
    expect(seen.map((m) => m.deliveryCount)).toEqual([1, 2, 3]);
    await expect(channel.checkQueue(groupNames(exchange, group).waitQueue(120))).resolves.toBeTruthy();
  });
});
