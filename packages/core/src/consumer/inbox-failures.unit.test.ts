/**
 * Issue 14: a connection failure of the inbox transaction (connect, BEGIN, markProcessed,
 * COMMIT) is retried like a handler failure: redelivered after the handler's backoff, never
 * dead-lettered early, and the effect commits once.
 */
import { waitUntil } from '@tidings/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { StoreError } from '../errors/errors.ts';
import { createCatalog } from '../event/catalog.ts';
import { defineEvent } from '../event/define-event.ts';
import { createMemoryOutboxStore, type MemoryTx } from '../memory/memory-outbox-store.ts';
import { createMemoryTransport } from '../memory/memory-transport.ts';
import { durableHandler } from '../outbox/durable-handler.ts';
import { type Inbox, inboxMarker } from '../outbox/inbox.ts';
import { createOutbox } from '../outbox/outbox.ts';
import { createOutboxRelay } from '../relay/relay.ts';
import { toTransportMessage } from '../transport/message.ts';
import { createConsumer } from './consumer.ts';
import { createMemoryDeadLetterSink } from './dead-letter-sink.ts';

const OrderPlaced = defineEvent('OrderPlaced', { schema: z.object({ orderId: z.string() }) });

/** An inbox whose database fails at each step in turn before it works. */
function flakyInbox(store: ReturnType<typeof createMemoryOutboxStore>) {
  const failures = ['connect', 'markProcessed', 'commit'];
  let calls = 0;
  const inbox: Inbox<MemoryTx> = {
    async transaction(work) {
      const step = failures[calls++];
      if (step === 'connect') throw new StoreError('connect ECONNREFUSED 127.0.0.1:5432');
      return store.transaction(async (tx) => {
        const result = await work(tx);
        if (step === 'commit') throw new StoreError('Connection terminated during COMMIT');
        return result;
      });
    },
    markProcessed: inboxMarker((tx: MemoryTx, handler, ids) => {
      if (failures[calls - 1] === 'markProcessed') throw new StoreError('Connection terminated unexpectedly');
      return store.markProcessed(tx, handler, ids);
    }),
  };
  return { inbox, attempts: () => calls };
}

const handler = (effects: string[]) =>
  durableHandler<typeof OrderPlaced, MemoryTx>(
    'analytics',
    OrderPlaced,
    (e, context) => {
      // The effect is written in the inbox transaction: it commits with the inbox record or not at all.
      context.tx!.inbox.push(`effect:${e.payload.orderId}`);
      effects.push(e.payload.orderId);
    },
    { inbox: true, retry: { maxAttempts: 5, baseDelayMs: 1, jitter: 'none' } },
  );

describe('inbox transaction failures', () => {
  it('the consumer redelivers after each failed step and commits the effect once', async () => {
    const transport = createMemoryTransport();
    const store = createMemoryOutboxStore();
    const { inbox, attempts } = flakyInbox(store);
    const deadLetters = createMemoryDeadLetterSink();
    const effects: string[] = [];
    const consumer = createConsumer<MemoryTx>({
      transport,
      catalog: createCatalog([OrderPlaced]),
      inbox,
      deadLetters,
      handlers: [handler(effects)],
    });
    await consumer.start();
    const event = OrderPlaced.create({ orderId: 'o-1' });
    await transport.publish([toTransportMessage(event)]);
    await waitUntil(() => attempts() === 4, 'the fourth try');
    await consumer.close();
    await transport.close();
    expect(deadLetters.records).toEqual([]);
    // Tries 3 (COMMIT failed) and 4 ran the handler; only the 4th committed its record.
    expect(effects).toEqual(['o-1', 'o-1']);
    // The 4th try's record committed: a further redelivery would be skipped.
    expect(await store.transaction((tx) => store.markProcessed(tx, 'analytics', event.id))).toBe(false);
  });

  it('the relay schedules a retry after each failed step, then settles done', async () => {
    let now = Date.UTC(2026, 0, 1);
    const clock = () => now;
    const store = createMemoryOutboxStore({ clock });
    const effects: string[] = [];
    const event = OrderPlaced.create({ orderId: 'o-1' });
    await createOutbox({ store, handlers: [handler(effects)] }).publish(event);
    const { inbox, attempts } = flakyInbox(store);
    const outbox = createOutbox({ store: { ...store, ...inbox }, handlers: [handler(effects)] });
    const relay = createOutboxRelay(outbox, { clock });
    for (let round = 0; round < 4; round++) {
      expect(await relay.runOnce()).toBe(1);
      now += 10; // past the 1 ms backoff
    }
    expect(attempts()).toBe(4);
    expect(effects).toEqual(['o-1', 'o-1']);
    const [delivery] = await store.deliveries(event.id);
    expect(delivery).toMatchObject({ status: 'done', attempts: 3 });
    expect(delivery!.history.map((h) => h.error)).toEqual([
      expect.stringContaining('ECONNREFUSED'),
      expect.stringContaining('terminated unexpectedly'),
      expect.stringContaining('during COMMIT'),
    ]);
  });
});
