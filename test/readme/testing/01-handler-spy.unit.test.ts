import { createEventBus, defineEvent } from '@tidings/core';
import { createHandlerSpy } from '@tidings/testing';
import { expect, it } from 'vitest';
import { z } from 'zod';

const OrderPlaced = defineEvent('OrderPlaced', { schema: z.object({ orderId: z.string() }) });

it('waits for the event instead of sleeping', async () => {
  const spy = createHandlerSpy({ timeoutMs: 2000 });
  const bus = createEventBus();
  bus.subscribe('send-email', OrderPlaced, spy.handler('send-email'));

  void bus.publish(OrderPlaced.create({ orderId: 'o-1' }));

  const event = await spy.waitFor(OrderPlaced, { handler: 'send-email' });
  expect(event.payload.orderId).toBe('o-1');
  expect(spy.count('send-email')).toBe(1);
});
