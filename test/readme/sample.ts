import {
  createEventBus,
  createMemoryOutboxStore,
  createOutbox,
  createOutboxRelay,
  defineEvent,
  durableHandler,
} from '@tidings/core';
import { z } from 'zod';

// 1. An event: a typed, validated, immutable fact.
const OrderPlaced = defineEvent('OrderPlaced', {
  schema: z.object({ orderId: z.string(), email: z.email(), totalCents: z.number().int() }),
});

// 2. In process: named handlers on a bus; the producer never knows who listens.
const bus = createEventBus();
bus.subscribe('log-order', OrderPlaced, (event) => console.log('placed', event.payload.orderId));
await bus.publish(OrderPlaced.create({ orderId: 'o-1', email: 'ada@example.com', totalCents: 4200 }));

// 3. Durable: events commit with your data through the outbox; a relay delivers them,
//    retrying and dead-lettering per handler. Swap the memory store for SQLite or PostgreSQL.
const sent: string[] = [];
const outbox = createOutbox({
  store: createMemoryOutboxStore(),
  handlers: [
    durableHandler('send-confirmation-email', OrderPlaced, async (event) => {
      sent.push(event.payload.email);
    }),
  ],
});
await outbox.transaction(async (_tx, record) => {
  record(OrderPlaced.create({ orderId: 'o-2', email: 'grace@example.com', totalCents: 990 }));
});
await createOutboxRelay(outbox).drain();
console.log('e-mails sent to', sent);
