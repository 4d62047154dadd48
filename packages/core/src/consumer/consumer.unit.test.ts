import { waitUntil } from '@tidings/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createCatalog } from '../event/catalog.ts';
import { defineEvent } from '../event/define-event.ts';
import { createMemoryOutboxStore, type MemoryTx } from '../memory/memory-outbox-store.ts';
import { createMemoryBroker, createMemoryTransport } from '../memory/memory-transport.ts';
import { defaultRetryPolicy } from '../middleware/backoff.ts';
import { durableHandler } from '../outbox/durable-handler.ts';
import { inboxMarker } from '../outbox/inbox.ts';
import { createOutbox } from '../outbox/outbox.ts';
import { createOutboxRelay } from '../relay/relay.ts';
import { toTransportMessage } from '../transport/message.ts';
import type { SubscribeRequest, Transport } from '../transport/transport.ts';
import { createConsumer } from './consumer.ts';
import { createMemoryDeadLetterSink } from './dead-letter-sink.ts';

const OrderPlaced = defineEvent('OrderPlaced', {
  schema: z.object({ orderId: z.string(), totalCents: z.number().int() }),
  version: 2,
  upcasters: {
    1: (p) => ({
      orderId: (p as { id: string }).id,
      totalCents: Math.round((p as { total: number }).total * 100),
    }),
  },
});
const catalog = createCatalog([OrderPlaced]);

describe('outbox → transport → consumer', () => {
  it('delivers from the producer outbox to the consumer handler once, with the inbox', async () => {
    const transport = createMemoryTransport();
    const producerStore = createMemoryOutboxStore();
    const producer = createOutbox({ store: producerStore, routes: [{ name: 'broker' }] });
    const consumerStore = createMemoryOutboxStore();
    const effects: string[] = [];
    const inboxAnswers: boolean[] = [];
    const consumer = createConsumer<MemoryTx>({
      transport,
      catalog,
      inbox: {
        transaction: (work) => consumerStore.transaction(work),
        markProcessed: inboxMarker(async (tx: MemoryTx, handler, ids) => {
          const fresh = await consumerStore.markProcessed(tx, handler, ids);
          for (const id of ids) inboxAnswers.push(fresh.has(id));
          return fresh;
        }),
      },
      deadLetters: createMemoryDeadLetterSink(),
      handlers: [
        durableHandler(
          'analytics',
          OrderPlaced,
          (e) => {
            effects.push(`${e.payload.orderId}:${e.payload.totalCents}`);
          },
          { inbox: true },
        ),
      ],
    });
    await consumer.start();
    const event = OrderPlaced.create(
      { orderId: 'o-1', totalCents: 4200 },
      { subject: { type: 'Order', id: 'o-1' } },
    );
    await producer.publish(event);
    const relay = createOutboxRelay(producer, { transports: { broker: transport } });
    await relay.drain();
    expect((await producerStore.stats())[0]).toMatchObject({ consumer: 'broker', done: 1 });
    await waitUntil(() => effects.length === 1, 'the handler');
    // The broker redelivers the same message (e.g. the ack was lost): no second effect.
    await transport.publish([toTransportMessage(event)]);
    await waitUntil(() => inboxAnswers.length === 2, 'the redelivery');
    await consumer.close();
    expect(inboxAnswers).toEqual([true, false]);
    expect(effects).toEqual(['o-1:4200']);
    await transport.close();
  });

  it('upcasts an old version; sends poison and exhausted messages to the dead-letter sink and keeps going', async () => {
    const transport = createMemoryTransport();
    const deadLetters = createMemoryDeadLetterSink();
    const handled: string[] = [];
    const consumer = createConsumer({
      transport,
      catalog,
      deadLetters,
      handlers: [
        durableHandler(
          'email',
          OrderPlaced,
          (e) => {
            if (e.payload.orderId === 'cursed') throw new Error('mail server said no');
            handled.push(`${e.payload.orderId}:${e.payload.totalCents}`);
          },
          { retry: { maxAttempts: 3, baseDelayMs: 1, jitter: 'none' } },
        ),
      ],
    });
    await consumer.start();
    const v2 = toTransportMessage(OrderPlaced.create({ orderId: 'o-2', totalCents: 100 }));
    const v1 = {
      ...v2,
      id: 'old',
      headers: { ...v2.headers, 'ce-id': 'old', 'ce-dataversion': '1' },
      body: new TextEncoder().encode('{"id":"o-1","total":12.5}'),
    };
    const poison = {
      ...v2,
      id: 'poison',
      headers: { ...v2.headers, 'ce-id': 'poison' },
      body: new TextEncoder().encode('{"orderId": 42'),
    };
    const invalid = {
      ...v2,
      id: 'invalid',
      headers: { ...v2.headers, 'ce-id': 'invalid' },
      body: new TextEncoder().encode('{"orderId":"x"}'),
    };
    const cursed = toTransportMessage(OrderPlaced.create({ orderId: 'cursed', totalCents: 1 }));
    await transport.publish([poison, invalid, cursed, v1, v2]);
    await waitUntil(
      () => handled.length === 2 && deadLetters.records.length === 3,
      'handled and dead letters',
    );
    expect(handled.sort()).toEqual(['o-1:1250', 'o-2:100']);
    const byId = Object.fromEntries(deadLetters.records.map((r) => [r.message.id, r]));
    expect(byId.poison).toMatchObject({ handler: 'email', code: 'TIDINGS_DECODE', attempts: 1 });
    expect(byId.invalid).toMatchObject({
      code: 'TIDINGS_VALIDATION',
      reason: expect.stringContaining('totalCents'),
    });
    expect(byId[cursed.id]).toMatchObject({ attempts: 3, reason: 'mail server said no' });
    await consumer.close();
    await transport.close();
  });

  it('dead-letters a message delivered more often than the retry budget without running the handler (its consumers died on it)', async () => {
    const broker = createMemoryBroker();
    const deadLetters = createMemoryDeadLetterSink();
    let runs = 0;
    let entered: () => void = () => {};
    // A poison message: every consumer that runs the handler on it dies before any outcome.
    const fragile = durableHandler(
      'fragile',
      OrderPlaced,
      () => {
        runs += 1;
        entered();
        return new Promise<void>(() => {});
      },
      { retry: { maxAttempts: 2 } },
    );
    const start = async () => {
      const transport = createMemoryTransport({ broker });
      await createConsumer({ transport, catalog, deadLetters, handlers: [fragile] }).start();
      return transport;
    };
    const event = OrderPlaced.create({ orderId: 'o-poison', totalCents: 1 });
    for (let process = 1; process <= 2; process++) {
      const running = new Promise<void>((resolve) => {
        entered = resolve;
      });
      const transport = await start();
      if (process === 1) await transport.publish([toTransportMessage(event)]);
      await running;
      transport.crash();
    }
    const survivor = await start();
    await waitUntil(() => deadLetters.records.length === 1, 'the dead letter');
    expect(runs).toBe(2);
    expect(deadLetters.records[0]).toMatchObject({
      handler: 'fragile',
      attempts: 3,
      code: 'TIDINGS_DELIVERY_LIMIT',
      reason: expect.stringMatching(
        /delivered 3 times without an outcome \(did the consumer die while handling it\?\)/i,
      ),
    });
    await survivor.close();
  });

  it("asks each subscription for a delivery limit of its handler's maxAttempts + 1, so the broker never gives up first", async () => {
    const transport = createMemoryTransport();
    const requests: SubscribeRequest[] = [];
    const subscribe = transport.subscribe.bind(transport);
    const recording: Transport = {
      ...transport,
      subscribe: (request, handler, options) => {
        requests.push(request);
        return subscribe(request, handler, options);
      },
    };
    const consumer = createConsumer({
      transport: recording,
      catalog,
      deadLetters: createMemoryDeadLetterSink(),
      handlers: [
        durableHandler('patient', OrderPlaced, () => {}, { retry: { maxAttempts: 1000 } }),
        durableHandler('defaults', OrderPlaced, () => {}),
      ],
    });
    await consumer.start();
    await consumer.close();
    expect(requests.map((r) => [r.group, r.maxDeliveries])).toEqual([
      ['patient', 1001],
      ['defaults', defaultRetryPolicy.maxAttempts + 1],
    ]);
    await transport.close();
  });

  it('dead-letters a message the transport refused to read (tidings-transport-error) with its reason, unrun', async () => {
    const transport = createMemoryTransport();
    const deadLetters = createMemoryDeadLetterSink();
    let runs = 0;
    const consumer = createConsumer({
      transport,
      catalog,
      deadLetters,
      handlers: [durableHandler('guarded', OrderPlaced, () => void runs++)],
    });
    await consumer.start();
    const sent = toTransportMessage(OrderPlaced.create({ orderId: 'o-forged', totalCents: 1 }));
    await transport.publish([
      { ...sent, headers: { ...sent.headers, 'tidings-transport-error': 'its chunk list is forged' } },
    ]);
    await waitUntil(() => deadLetters.records.length === 1, 'the dead letter');
    await consumer.close();
    expect(runs).toBe(0);
    expect(deadLetters.records[0]).toMatchObject({
      handler: 'guarded',
      code: 'TIDINGS_TRANSPORT_REJECTED',
      reason: expect.stringMatching(/memory transport refused the message: its chunk list is forged/),
    });
    await transport.close();
  });
});

describe('ambient causation of a consumer', () => {
  for (const ambientCausation of [true, false]) {
    it(`${ambientCausation ? 'makes' : 'with ambientCausation: false, does not make'} the handled event the cause of events created in the handler`, async () => {
      const transport = createMemoryTransport();
      const created: (string | undefined)[] = [];
      const consumer = createConsumer({
        transport,
        catalog,
        deadLetters: createMemoryDeadLetterSink(),
        ambientCausation,
        handlers: [
          durableHandler('follow-up', OrderPlaced, async () => {
            await Promise.resolve();
            created.push(OrderPlaced.create({ orderId: 'o-2', totalCents: 1 }).causationId);
          }),
        ],
      });
      await consumer.start();
      const event = OrderPlaced.create({ orderId: 'o-1', totalCents: 4200 });
      await transport.publish([toTransportMessage(event)]);
      await waitUntil(() => created.length === 1, 'the handler');
      await consumer.close();
      await transport.close();
      expect(created).toEqual([ambientCausation ? event.id : undefined]);
    });
  }
});
