import {
  createCatalog,
  createConsumer,
  createMemoryTransport,
  type DeadLetterRecord,
  type DeadLetterSink,
  defineEvent,
  durableHandler,
  toTransportMessage,
} from '@tidings/core';
import { z } from 'zod';

const OrderPlaced = defineEvent('OrderPlaced', { schema: z.object({ orderId: z.string() }) });
const transport = createMemoryTransport(); // or RabbitMQ, NATS, Redis, Kafka, SNS/SQS

// The receiving service: one consumer group per durable handler, retried on its own.
let handled!: () => void;
const done = new Promise<void>((resolve) => {
  handled = resolve;
});
let parked!: (record: DeadLetterRecord) => void;
const poisoned = new Promise<DeadLetterRecord>((resolve) => {
  parked = resolve;
});
const deadLetters: DeadLetterSink = { put: async (record) => parked(record) }; // e.g. transportDeadLetterSink(transport)
const consumer = createConsumer({
  transport,
  catalog: createCatalog([OrderPlaced]), // decodes, upcasts and validates every message
  handlers: [
    durableHandler('bill-order', OrderPlaced, (event) => {
      console.log('billing', event.payload.orderId);
      handled();
    }),
  ],
  deadLetters,
});
await consumer.start();

// What a relay route publishes: CloudEvents in the broker's binary mode.
await transport.publish([toTransportMessage(OrderPlaced.create({ orderId: 'o-1' }))]);
await done;

// A message that fails validation is never lost, and never blocks the ones behind it.
const bad = toTransportMessage(OrderPlaced.create({ orderId: 'o-2' }));
await transport.publish([{ ...bad, body: new TextEncoder().encode('{"orderId":42}') }]);
const record = await poisoned;
console.log('dead letter:', record.handler, record.code);
await consumer.close();
await transport.close();
