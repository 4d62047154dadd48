import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineEvent } from '../event/define-event.ts';
import type { AnyDomainEvent } from '../event/envelope.ts';
import { createEventBus } from './event-bus.ts';

const OrderPlaced = defineEvent('OrderPlaced', { schema: z.object({ orderId: z.string() }) });
const EmailSent = defineEvent('EmailSent', { schema: z.object({ orderId: z.string() }) });

describe('ambient causation per bus', () => {
  for (const mode of ['sequential', 'concurrent'] as const) {
    it(`off (${mode}): created events inherit nothing, context.publish still keeps causation`, async () => {
      const bus = createEventBus({ ambientCausation: false, mode });
      const created: AnyDomainEvent[] = [];
      const published: AnyDomainEvent[] = [];
      bus.subscribe('email', OrderPlaced, async (e, context) => {
        await Promise.resolve();
        created.push(EmailSent.create({ orderId: e.payload.orderId }));
        await context.publish(EmailSent, { orderId: e.payload.orderId });
      });
      bus.subscribe('audit', EmailSent, (e) => {
        published.push(e);
      });
      const origin = OrderPlaced.create({ orderId: 'o-1' });
      await bus.publish(origin);
      expect(created[0]!.causationId).toBeUndefined();
      expect(created[0]!.correlationId).not.toBe(origin.correlationId);
      expect(published[0]).toMatchObject({ causationId: origin.id, correlationId: origin.correlationId });
    });
  }

  it('off: publishSync sets no ambient cause either', () => {
    const bus = createEventBus({ ambientCausation: false });
    let created: AnyDomainEvent | undefined;
    bus.subscribe('email', OrderPlaced, (e) => {
      created = EmailSent.create({ orderId: e.payload.orderId });
    });
    bus.publishSync(OrderPlaced.create({ orderId: 'o-1' }));
    expect(created!.causationId).toBeUndefined();
  });

  it('on by default: events created after an await in a handler are caused by the handled event', async () => {
    const bus = createEventBus();
    let created: AnyDomainEvent | undefined;
    bus.subscribe('email', OrderPlaced, async (e) => {
      await Promise.resolve();
      created = EmailSent.create({ orderId: e.payload.orderId });
    });
    const origin = OrderPlaced.create({ orderId: 'o-1' });
    await bus.publish(origin);
    expect(created).toMatchObject({ causationId: origin.id, correlationId: origin.correlationId });
  });
});

describe('routing with types taken in turn', () => {
  it('routes each of three alternating types to its own handlers, also after unsubscribing', () => {
    const Shipped = defineEvent('OrderShipped', { schema: z.object({ orderId: z.string() }) });
    const bus = createEventBus();
    const seen: string[] = [];
    bus.subscribe('placed', OrderPlaced, (e) => void seen.push(`placed:${e.payload.orderId}`));
    const stop = bus.subscribe('sent', EmailSent, (e) => void seen.push(`sent:${e.payload.orderId}`));
    bus.subscribe('shipped', Shipped, (e) => void seen.push(`shipped:${e.payload.orderId}`));
    const events = [OrderPlaced, EmailSent, Shipped, EmailSent, OrderPlaced].map((d, i) =>
      d.create({ orderId: `${i}` }),
    );
    for (const event of events) bus.publishSync(event);
    stop();
    for (const event of events) bus.publishSync(event);
    expect(seen).toEqual([
      'placed:0',
      'sent:1',
      'shipped:2',
      'sent:3',
      'placed:4',
      'placed:0',
      'shipped:2',
      'placed:4',
    ]);
  });
});
