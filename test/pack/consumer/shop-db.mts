/**
 * Writes a small shop database with the installed packages, for `tidings events --db` to
 * read: an order placed, and the e-mail it caused, delivered by a durable handler. Prints the
 * two event ids as JSON.
 */
import { createOutbox, createOutboxRelay, defineEvent, durableHandler } from '@tidings/core';
import { createSqliteOutboxStore } from '@tidings/sqlite';
import { z } from 'zod';

const OrderPlaced = defineEvent('shop.OrderPlaced', { schema: z.object({ orderId: z.string() }) });
const EmailSent = defineEvent('shop.EmailSent', { schema: z.object({ orderId: z.string() }) });

const [filename] = process.argv.slice(2);
if (filename === undefined) throw new Error('Usage: node shop-db.mjs <database file>');

const store = createSqliteOutboxStore({ filename });
const ids: string[] = [];
const outbox = createOutbox({
  store,
  handlers: [
    durableHandler('send-order-confirmation', OrderPlaced, async (event, context) => {
      await context.publish(EmailSent, { orderId: event.payload.orderId });
    }),
  ],
});
const placed = OrderPlaced.create({ orderId: 'o-1001' }, { subject: { type: 'Order', id: 'o-1001' } });
ids.push(placed.id);
await outbox.publish(placed);
await createOutboxRelay(outbox).drain();
for (const stored of await store.events({ types: [EmailSent.type] })) ids.push(stored.event.id);
await store.close();
console.log(JSON.stringify(ids));
