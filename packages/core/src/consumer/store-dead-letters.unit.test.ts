/**
 * Consumer dead letters in the consuming service's store: poison and exhausted messages
 * kept whole with first and last failure, redriven back to the broker for their group only,
 * and a failed republish retried.
 */
import { waitUntil } from '@tidings/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createCatalog } from '../event/catalog.ts';
import { defineEvent } from '../event/define-event.ts';
import { createMemoryOutboxStore } from '../memory/memory-outbox-store.ts';
import { createMemoryTransport } from '../memory/memory-transport.ts';
import { durableHandler } from '../outbox/durable-handler.ts';
import { receivedDeadLetterIdOf } from '../outbox/received-dead-letters.ts';
import { redriveGroupHeader } from '../transport/dead-letter-format.ts';
import { toTransportMessage } from '../transport/message.ts';
import type { TransportMessage } from '../transport/transport.ts';
import { createConsumer } from './consumer.ts';
import { createFirstFailures } from './first-failures.ts';
import { createDeadLetterRedriver } from './redrive-loop.ts';
import { storeDeadLetterSink } from './store-dead-letter-sink.ts';

const OrderPlaced = defineEvent('OrderPlaced', { schema: z.object({ orderId: z.string() }) });
const catalog = createCatalog([OrderPlaced]);
const subject = { type: 'Order', id: 'o-1' };

/** A clock one second further on each call: first and last failure differ, retries wait 0 ms. */
function steppingClock(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  return () => {
    now += 1_000;
    return now;
  };
}

describe('storeDeadLetterSink', () => {
  it('keeps poison and exhausted messages in the store, redrives one to its group only', async () => {
    const transport = createMemoryTransport();
    const store = createMemoryOutboxStore();
    let broken = true;
    const emails: string[] = [];
    const dashboard: string[] = [];
    const consumer = createConsumer({
      transport,
      catalog,
      groupPrefix: 'shop.',
      clock: steppingClock(),
      deadLetters: storeDeadLetterSink(store, { redrive: { pollMs: 5 } }),
      handlers: [
        durableHandler(
          'email',
          OrderPlaced,
          (e) => {
            if (broken) throw new Error('mail server said no');
            emails.push(e.payload.orderId);
          },
          { retry: { maxAttempts: 3, baseDelayMs: 1, jitter: 'none' } },
        ),
        durableHandler('dashboard', OrderPlaced, (e) => {
          dashboard.push(e.payload.orderId);
        }),
      ],
    });
    await consumer.start();
    const event = OrderPlaced.create({ orderId: 'o-1' }, { subject });
    const good = toTransportMessage(event);
    const bytes = new Uint8Array([0xff, 0xfe, 0x00, 0x7b]);
    const poison = { ...good, id: 'poison', headers: { ...good.headers, 'ce-id': 'poison' }, body: bytes };
    await transport.publish([poison, good]);
    const port = store.receivedDeadLetters;
    await waitUntil(async () => (await port.list({ handler: 'email' })).length === 2, 'two dead letters');

    const [first, second] = await port.list({ handler: 'email' });
    const byId = Object.fromEntries([first, second].map((r) => [r!.messageId, r!]));
    expect(byId.poison).toMatchObject({ group: 'shop.email', code: 'TIDINGS_DECODE', attempts: 1 });
    expect([...byId.poison!.body]).toEqual([...bytes]);
    expect(byId.poison!.firstFailedAt).toBe(byId.poison!.lastFailedAt);
    const exhausted = byId[event.id]!;
    expect(exhausted).toMatchObject({
      handler: 'email',
      group: 'shop.email',
      topic: good.topic,
      key: good.key,
      reason: 'mail server said no',
      attempts: 3,
      headers: good.headers,
      status: 'dead',
    });
    // Remembered by the consumer over the retries: two failures before the last one.
    expect(Date.parse(exhausted.lastFailedAt) - Date.parse(exhausted.firstFailedAt)).toBeGreaterThanOrEqual(
      2_000,
    );
    // The poison one reached the dashboard too and was dead-lettered there: nothing else was.
    expect((await port.list({ handler: 'dashboard' })).map((r) => r.messageId)).toEqual(['poison']);
    expect(dashboard).toEqual(['o-1']);

    broken = false;
    expect(await port.requestRedrive([exhausted.id])).toBe(1);
    await waitUntil(() => emails.length === 1, 'the redriven message handled');
    await waitUntil(async () => (await port.get(exhausted.id))?.status === 'redriven', 'marked redriven');
    // Another group skips the redrive: a later event of the subject is its next one.
    const later = OrderPlaced.create({ orderId: 'o-2' }, { subject });
    await transport.publish([toTransportMessage(later)]);
    await waitUntil(() => dashboard.length === 2, 'the later event');
    expect(dashboard).toEqual(['o-1', 'o-2']);
    expect(emails).toEqual(['o-1', 'o-2'].slice(0, emails.length));
    await consumer.close();
    await transport.close();
  });
});

describe('storeDeadLetterSink without a port', () => {
  it('says the store keeps no received dead letters and what to use instead', () => {
    expect(() => storeDeadLetterSink({})).toThrow(/store\.receivedDeadLetters.*transportDeadLetterSink/);
  });
});

describe('createDeadLetterRedriver', () => {
  it('keeps a record requested when the republish fails, and redrives it on the next round', async () => {
    const store = createMemoryOutboxStore();
    const port = store.receivedDeadLetters;
    const message = toTransportMessage(OrderPlaced.create({ orderId: 'o-9' }, { subject }));
    await port.put({
      handler: 'email',
      group: 'shop.email',
      messageId: message.id,
      topic: message.topic,
      key: message.key,
      reason: 'no',
      attempts: 1,
      firstFailedAt: '2026-01-01T00:00:00.000Z',
      lastFailedAt: '2026-01-01T00:00:00.000Z',
      headers: message.headers,
      body: message.body,
    });
    const id = receivedDeadLetterIdOf('email', message.id);
    await port.requestRedrive([id]);
    const published: TransportMessage[] = [];
    let down = true;
    const transport = {
      async publish(messages: readonly TransportMessage[]) {
        if (down) throw new Error('broker down');
        published.push(...messages);
      },
    };
    const redriver = createDeadLetterRedriver({ store, transport, clock: () => Date.UTC(2026, 0, 2) });
    await expect(redriver.runOnce()).rejects.toThrow('broker down');
    expect((await port.get(id))?.status).toBe('redrive-requested');
    down = false;
    expect(await redriver.runOnce()).toBe(1);
    expect((await port.get(id))?.status).toBe('redriven');
    expect(published).toEqual([
      {
        id: `${message.id}:redrive:2026-01-02T00:00:00.000Z`,
        topic: message.topic,
        key: message.key,
        headers: { ...message.headers, [redriveGroupHeader]: 'shop.email' },
        body: message.body,
      },
    ]);
    expect(await redriver.runOnce()).toBe(0);
  });
});

describe('first failures', () => {
  it('keeps the earliest failure per message, falls back to the last, and stays bounded', () => {
    const first = createFirstFailures(2);
    first.failed('h', 'a', Date.UTC(2026, 0, 1));
    first.failed('h', 'a', Date.UTC(2026, 0, 2));
    first.failed('h', 'b', 0);
    first.failed('h', 'c', 0);
    // 'a' was the oldest entry: evicted past the bound of two.
    expect(first.take('h', 'a', 'last')).toBe('last');
    expect(first.take('h', 'b', 'last')).toBe('1970-01-01T00:00:00.000Z');
    first.failed('h', 'd', Date.UTC(2026, 0, 1));
    first.forget('h', 'd');
    expect(first.take('h', 'd', 'last')).toBe('last');
    expect(first.take('other', 'c', 'last')).toBe('last');
  });
});
