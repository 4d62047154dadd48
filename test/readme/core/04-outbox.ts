import {
  createMemoryOutboxStore,
  createMemoryTransport,
  createOutbox,
  createOutboxRelay,
  defaultRetryPolicy,
  defineEvent,
  durableHandler,
  durableHandlerFor,
  RetryLater,
} from '@tidings/core';
import { z } from 'zod';

const OrderPlaced = defineEvent('OrderPlaced', { schema: z.object({ orderId: z.string() }) });

// A durable handler's deliveries are written with the events and completed only when it
// succeeds: at-least-once, across crashes. Without options it gets defaultRetryPolicy.
const sendEmail = durableHandler(
  'send-order-confirmation',
  OrderPlaced,
  async (event, context) => {
    if (context.attempt === 1) throw new RetryLater('mail server busy', 0);
    console.log('e-mail for', event.payload.orderId, 'on attempt', context.attempt);
  },
  { retry: { maxAttempts: 8, baseDelayMs: 200 }, timeoutMs: 10_000 },
);

const store = createMemoryOutboxStore(); // or @tidings/sqlite, @tidings/postgres, @tidings/orm
// inbox: true runs the handler in a store transaction together with an inbox record, so
// its own writes (on context.tx, typed from the store) happen once even when the event is
// delivered again.
const countOrders = durableHandlerFor(store)(
  'count-orders',
  OrderPlaced,
  (_event, { tx }) => console.log('counted inside a transaction:', tx !== undefined),
  { inbox: true },
);
const outbox = createOutbox({
  store,
  handlers: [sendEmail, countOrders],
  // A route hands matching events to a transport (a broker) through the relay.
  routes: [{ name: 'broker', types: ['OrderPlaced'] }],
});
await outbox.transaction(async (_tx, record) => {
  // Save your aggregate with the transaction here: its events commit with it, or not at all.
  record(OrderPlaced.create({ orderId: 'o-1' }, { subject: { type: 'Order', id: 'o-1' } }));
});

const relay = createOutboxRelay(outbox, {
  transports: { broker: createMemoryTransport() },
  batchSize: 500,
  concurrency: 16,
  leaseMs: 60_000,
});
await relay.drain(); // in a service: relay.start(), and relay.close() on shutdown
console.log((await store.stats()).map((s) => `${s.consumer}: ${s.done} done, ${s.pending} pending`));
console.log(defaultRetryPolicy);
