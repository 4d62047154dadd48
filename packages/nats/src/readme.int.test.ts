/** The README's example, run as written (only the stream and prefix are unique per run). */
import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { createCatalog, defineEvent, fromTransportMessage, toTransportMessage } from '@tidings/core';
import { expect, it } from 'vitest';
import { z } from 'zod';
import { createNatsTransport } from './index.ts';

it('runs the README example', async () => {
  const suffix = randomBytes(4).toString('hex');
  const [stream, prefix] = [`TC_README_${suffix}`, `tc-readme-${suffix}`];
  const mailed: string[] = [];
  let mailSent!: () => void;
  const done = new Promise<void>((resolve) => {
    mailSent = resolve;
  });
  const sendMail = async (orderId: string) => {
    mailed.push(orderId);
    mailSent();
  };

  // --- README example start
  const OrderPlaced = defineEvent('shop.OrderPlaced', {
    schema: z.object({ orderId: z.string(), total: z.number() }),
  });
  const catalog = createCatalog([OrderPlaced]);

  const transport = await createNatsTransport({ connection: 'nats://127.0.0.1:4222', stream, prefix });
  await transport.subscribe(
    { group: 'mailer', topics: ['shop.OrderPlaced'], concurrency: 8 },
    async (message) => {
      // Resolve to ack; throw to be retried in place (RetryLater for a delay).
      const event = catalog.decode(fromTransportMessage(message));
      if (OrderPlaced.is(event)) await sendMail(event.payload.orderId);
    },
  );

  const placed = OrderPlaced.create({ orderId: 'o-1', total: 42 }, { subject: { type: 'Order', id: 'o-1' } });
  await transport.publish([toTransportMessage(placed)]); // resolves once JetStream stored it
  // --- README example end

  await done;
  await transport.close(); // drains in-flight handlers, then the connection
  expect(mailed).toEqual(['o-1']);
  const cleanup = await createNatsTransport({ stream, prefix });
  const jsm = await jetstreamManager(cleanup.connection);
  await jsm.streams.delete(stream);
  await jsm.streams.delete(`KV_${stream}_leases`);
  await cleanup.close();
});
