import {
  causationTree,
  createMemoryOutboxStore,
  createOutbox,
  createOutboxRelay,
  DoNotRetry,
  defineEvent,
  durableHandler,
} from '@tidings/core';
import { z } from 'zod';

const OrderPlaced = defineEvent('OrderPlaced', { schema: z.object({ orderId: z.string() }) });
const EmailSent = defineEvent('EmailSent', { schema: z.object({ orderId: z.string() }) });

let mailServerUp = false;
const store = createMemoryOutboxStore();
const outbox = createOutbox({
  store,
  handlers: [
    durableHandler('send-email', OrderPlaced, async (event, context) => {
      if (!mailServerUp) throw new DoNotRetry('mail server rejected the address');
      await context.publish(EmailSent, { orderId: event.payload.orderId }); // caused by the order
    }),
  ],
});
const relay = createOutboxRelay(outbox);
const placed = OrderPlaced.create({ orderId: 'o-1' }, { subject: { type: 'Order', id: 'o-1' } });
await outbox.publish(placed);
await relay.drain();

// Dead letters keep the event, the reason and every attempt; redrive makes them pending again.
const dead = await store.deadLetters({ consumer: 'send-email' });
console.log(dead.map((d) => `${d.event.type}: ${d.lastError}`));
mailServerUp = true;
console.log('redriven', await store.redrive(dead.map((d) => ({ eventId: d.eventId, consumer: d.consumer }))));
await relay.drain();

// The audit log: every event ever appended, queryable; and what each one caused.
const story = await store.events({ correlationId: placed.correlationId });
console.log(story.map((s) => s.event.type));
const tree = await causationTree(store, placed.id);
console.log(
  tree?.event.type,
  '->',
  tree?.caused.map((node) => node.event.type),
);
console.log(
  (await store.deliveries(placed.id)).map((d) => `${d.consumer}: ${d.status} after ${d.attempts} failed`),
);
