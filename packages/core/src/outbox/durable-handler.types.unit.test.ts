/**
 * Pins the inferred type of `context.tx`: taken from the store a handler is declared for, with
 * no type parameter; the transaction itself with the inbox, `undefined` without it.
 */
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { defineEvent } from '../event/define-event.ts';
import { createMemoryOutboxStore, type MemoryTx } from '../memory/memory-outbox-store.ts';
import { type DurableHandler, durableHandler, durableHandlerFor } from './durable-handler.ts';
import { createOutbox } from './outbox.ts';
import type { OutboxStore } from './outbox-store.ts';

const OrderPlaced = defineEvent('OrderPlaced', { schema: z.object({ orderId: z.string() }) });
const UserRegistered = defineEvent('UserRegistered', { schema: z.object({ userId: z.string() }) });

describe('context.tx', () => {
  it('is undefined without the inbox, and such a handler fits any store', () => {
    const handler = durableHandler('send-email', OrderPlaced, (_event, context) => {
      expectTypeOf(context.tx).toEqualTypeOf<undefined>();
    });
    createOutbox({ store: createMemoryOutboxStore(), handlers: [handler] });
  });

  it('is the store transaction for a handler declared apart with durableHandlerFor', () => {
    const store = createMemoryOutboxStore();
    const handler = durableHandlerFor(store);
    const both = handler(
      'dashboard',
      [OrderPlaced, UserRegistered],
      (event, { tx }) => {
        expectTypeOf(tx).toEqualTypeOf<MemoryTx>();
        expectTypeOf(event.type).toEqualTypeOf<'OrderPlaced' | 'UserRegistered'>();
      },
      { inbox: true },
    );
    expectTypeOf(both).toEqualTypeOf<DurableHandler<MemoryTx>>();
    createOutbox({ store, handlers: [both] });
  });

  it('keeps a handler for one store out of an outbox on another', () => {
    const elsewhere = durableHandlerFor({} as OutboxStore<{ readonly other: true }>);
    const handler = elsewhere(
      'other',
      OrderPlaced,
      (_event, { tx }) => {
        expectTypeOf(tx.other).toEqualTypeOf<true>();
      },
      { inbox: true },
    );
    // @ts-expect-error the handler needs `{ other: true }` transactions, the memory store gives MemoryTx
    createOutbox({ store: createMemoryOutboxStore(), handlers: [handler] });
  });
});
