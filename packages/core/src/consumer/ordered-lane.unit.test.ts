/**
 * One aggregate, two event types, one lane: definitions that share a `topic` are relayed to
 * that topic keyed by the subject, and the consumer subscribes each handler once per topic,
 * so a subject's events reach a handler of both types in append order.
 */
import { waitUntil } from '@tidings/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigurationError } from '../errors/errors.ts';
import { createCatalog } from '../event/catalog.ts';
import { defineEvent } from '../event/define-event.ts';
import { createMemoryOutboxStore } from '../memory/memory-outbox-store.ts';
import { createMemoryTransport } from '../memory/memory-transport.ts';
import { durableHandler } from '../outbox/durable-handler.ts';
import { createOutbox } from '../outbox/outbox.ts';
import { createOutboxRelay } from '../relay/relay.ts';
import type { SubscribeRequest, Transport } from '../transport/transport.ts';
import { createConsumer } from './consumer.ts';
import { createMemoryDeadLetterSink } from './dead-letter-sink.ts';

const schema = z.object({ orderId: z.string() });
const OrderPlaced = defineEvent('OrderPlaced', { schema, topic: 'Order' });
const OrderShipped = defineEvent('OrderShipped', { schema, topic: 'Order' });
const UserRegistered = defineEvent('UserRegistered', { schema });
const catalog = createCatalog([OrderPlaced, OrderShipped, UserRegistered]);

describe('an ordered lane per aggregate', () => {
  it('relays both types to the shared topic and hands them to one handler in append order', async () => {
    const transport = createMemoryTransport();
    const requests: SubscribeRequest[] = [];
    const watched: Transport = {
      ...transport,
      subscribe: (request, handler, options) => {
        requests.push(request);
        return transport.subscribe(request, handler, options);
      },
    };
    const seen: string[] = [];
    const consumer = createConsumer({
      transport: watched,
      catalog,
      deadLetters: createMemoryDeadLetterSink(),
      handlers: [
        durableHandler('timeline', [OrderPlaced, OrderShipped, UserRegistered], (e) => {
          seen.push(`${e.type}:${e.payload.orderId}`);
        }),
      ],
    });
    await consumer.start();
    expect(requests.map((r) => [...r.topics].sort())).toEqual([['Order', 'UserRegistered']]);

    const store = createMemoryOutboxStore();
    const outbox = createOutbox({ store, routes: [{ name: 'broker' }] });
    const subject = (id: string) => ({ subject: { type: 'Order', id } });
    for (const id of ['a', 'b']) {
      await outbox.publish(OrderPlaced.create({ orderId: id }, subject(id)));
      await outbox.publish(OrderShipped.create({ orderId: id }, subject(id)));
    }
    const relay = createOutboxRelay(outbox, { catalog, transports: { broker: transport } });
    await relay.drain();
    await waitUntil(() => seen.length === 4, 'four events at the handler');
    expect(seen.filter((s) => s.endsWith(':a'))).toEqual(['OrderPlaced:a', 'OrderShipped:a']);
    expect(seen.filter((s) => s.endsWith(':b'))).toEqual(['OrderPlaced:b', 'OrderShipped:b']);
    await consumer.close();
    await transport.close();
  });

  it('refuses a topic that no broker could name, saying which type', () => {
    expect(() => defineEvent('OrderLost', { schema, topic: 'no spaces' })).toThrow(ConfigurationError);
    expect(() => defineEvent('OrderLost', { schema, topic: 'no spaces' })).toThrow(/OrderLost/);
  });
});
