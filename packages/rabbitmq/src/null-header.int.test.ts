/**
 * A header a foreign AMQP producer sent as a field-table void (`null`) reaches the handler
 * as no header at all, not as the four-character string "null" it never said.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ReceivedMessage } from '@tidings/core';
import { waitUntil } from '@tidings/testing';
import amqp from 'amqplib';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { createQueueJanitor } from '../test/queue-janitor.ts';
import { routingKeyOf } from './names.ts';
import { createRabbitMqTransport } from './rabbitmq-transport.ts';

const url = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const exchange = `tidings-null-header-${randomBytes(4).toString('hex')}`;
const janitor = createQueueJanitor(url, exchange);
afterAll(async () => {
  await janitor.sweep();
  const model = await amqp.connect(url);
  await (await model.createChannel()).deleteExchange(exchange);
  await model.close();
});

describe('AMQP null header values', () => {
  it('are left out, not turned into "null"', async () => {
    const transport = janitor.track(await createRabbitMqTransport({ connection: url, prefix: exchange }));
    onTestFinished(() => transport.close());
    const topic = `nulls-${randomBytes(4).toString('hex')}`;
    const received: ReceivedMessage[] = [];
    await transport.subscribe(
      { group: `g-${randomBytes(4).toString('hex')}`, topics: [topic] },
      async (m) => {
        received.push(m);
      },
    );
    const producer = await amqp.connect(url);
    onTestFinished(() => producer.close());
    const channel = await producer.createConfirmChannel();
    channel.publish(exchange, routingKeyOf(topic), Buffer.from('{}'), {
      messageId: randomUUID(),
      headers: { 'ce-type': 'foreign.Thing', 'ce-causationid': null, 'x-app-note': null },
    });
    await channel.waitForConfirms();
    await waitUntil(() => received.length === 1, 'the foreign message');
    expect(received[0]?.headers).toEqual({ 'ce-type': 'foreign.Thing' });
  });
});
