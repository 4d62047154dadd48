/** The README's example, run as written (only the key prefix is unique per run). */
import { randomBytes } from 'node:crypto';
import { createCatalog, defineEvent, fromTransportMessage, toTransportMessage } from '@tidings/core';
import { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import { z } from 'zod';
import { createRedisTransport } from './index.ts';

it('runs the README example', async () => {
  const prefix = `tc-readme-${randomBytes(4).toString('hex')}:`;
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

  const transport = await createRedisTransport({
    connection: 'redis://127.0.0.1:6379',
    prefix,
    maxLen: 1_000_000,
  });
  await transport.subscribe(
    { group: 'mailer', topics: ['shop.OrderPlaced'], concurrency: 8 },
    async (message) => {
      // Resolve to XACK; throw to have it retried in place (RetryLater for a delay).
      const event = catalog.decode(fromTransportMessage(message));
      if (OrderPlaced.is(event)) await sendMail(event.payload.orderId);
    },
  );

  const placed = OrderPlaced.create({ orderId: 'o-1', total: 42 }, { subject: { type: 'Order', id: 'o-1' } });
  await transport.publish([toTransportMessage(placed)]); // resolves after the XADD reply
  // --- README example end

  await done;
  await transport.close(); // drains in-flight handlers, then quits the connections
  expect(mailed).toEqual(['o-1']);
  const admin = new Redis('redis://127.0.0.1:6379');
  await admin.del(...(await admin.keys(`${prefix}*`)));
  await admin.quit();
});
