/**
 * A small strict consumer, type-checked by the pack test against the shipped `.d.ts` only
 * (skipLibCheck off, the strictest flags users turn on). It is compiled, never run: every
 * package's entry is imported so each declaration file is checked.
 */
import { createSnsSqsTransport } from '@tidings/aws';
import {
  AggregateRoot,
  type AnyDomainEvent,
  causationTree,
  createCatalog,
  createConsumer,
  createEventBus,
  createMemoryDeadLetterSink,
  createMemoryTransport,
  createOutbox,
  createOutboxRelay,
  defineEvent,
  durableHandler,
  type EventOf,
  type OutboxStore,
  RetryLater,
  retry,
  TidingsError,
  timeout,
  ValidationError,
} from '@tidings/core';
import { createKeyedDispatcher, type Transport } from '@tidings/core/spi';
import { startInspector } from '@tidings/inspector';
import { createKafkaTransport } from '@tidings/kafka';
import { createNatsTransport } from '@tidings/nats';
import { tracingMiddleware } from '@tidings/opentelemetry';
import { createPostgresOutboxStore } from '@tidings/postgres';
import { createRabbitMqTransport } from '@tidings/rabbitmq';
import { createRedisTransport } from '@tidings/redis';
import { createSqliteOutboxStore, type SqliteTx } from '@tidings/sqlite';
import { createHandlerSpy, given } from '@tidings/testing';
import { z } from 'zod';

export const OrderPlaced = defineEvent('OrderPlaced', {
  schema: z.object({ orderId: z.string(), totalCents: z.number().int() }),
  version: 2,
  upcasters: { 1: (payload) => ({ ...(payload as object), totalCents: 0 }) },
});

export class Order extends AggregateRoot {
  constructor(id: string) {
    super('Order', id);
  }
  place(totalCents: number): EventOf<typeof OrderPlaced> {
    return this.record(OrderPlaced, { orderId: this.id, totalCents });
  }
}

export function totalOf(event: AnyDomainEvent): number | undefined {
  return OrderPlaced.is(event) ? event.payload.totalCents : undefined;
}

export async function wireUp(filename: string): Promise<void> {
  const store = createSqliteOutboxStore({ filename });
  const bus = createEventBus({ mode: 'concurrent' });
  bus.subscribe('log', OrderPlaced, (event) => console.log(event.payload.orderId));
  const file = durableHandler<typeof OrderPlaced, SqliteTx>(
    'file-order',
    OrderPlaced,
    (event, context) => {
      const tx: SqliteTx | undefined = context.tx;
      tx?.db.prepare('insert into orders (id) values (?)').run(event.payload.orderId);
    },
    { inbox: true, retry: { maxAttempts: 3 }, middleware: [timeout({ ms: 1000 }), retry()] },
  );
  const outbox = createOutbox({
    store,
    handlers: [file],
    routes: [{ name: 'broker', types: ['OrderPlaced'] }],
    bus,
  });
  await outbox.transaction(async (_tx, record) => {
    record(new Order('o-1').pullEvents());
  });
  const transport: Transport = createMemoryTransport();
  const relay = createOutboxRelay(outbox, { transports: { broker: transport } });
  await relay.drain();
  const consumer = createConsumer({
    transport,
    catalog: createCatalog([OrderPlaced]),
    handlers: [durableHandler('bill', OrderPlaced, () => {})],
    deadLetters: createMemoryDeadLetterSink(),
  });
  await consumer.close();
  const tree = await causationTree(store as OutboxStore, 'some-event-id');
  console.log(tree?.event.id);
  const inspector = await startInspector({ store, port: 0 });
  await inspector.close();
  await store.close();
}

export function errorCode(error: unknown): string | undefined {
  if (ValidationError.is(error)) return error.issues[0]?.path;
  if (RetryLater.is(error)) return String(error.delayMs);
  return TidingsError.is(error) ? error.code : undefined;
}

export const adapters = {
  aws: createSnsSqsTransport,
  kafka: createKafkaTransport,
  nats: createNatsTransport,
  postgres: createPostgresOutboxStore,
  rabbitmq: createRabbitMqTransport,
  redis: createRedisTransport,
  tracing: tracingMiddleware,
  dispatcher: createKeyedDispatcher,
  spy: createHandlerSpy,
  scenario: () => given(new Order('o-2')).when((order) => order.place(100)),
};
