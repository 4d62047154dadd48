/**
 * Causation flows without being passed by hand: `context.publish` and any `Def.create()`
 * in a handler's async call tree inherit the handled event's correlation and take its id
 * as causation; code outside handlers (and after they return) does not.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineEvent } from '../event/define-event.ts';
import type { AnyDomainEvent } from '../event/envelope.ts';
import { createEventBus } from './event-bus.ts';

const OrderPlaced = defineEvent('OrderPlaced', { schema: z.object({ orderId: z.string() }) });
const EmailSent = defineEvent('EmailSent', { schema: z.object({ to: z.string() }) });
const DashboardUpdated = defineEvent('DashboardUpdated', { schema: z.object({ orders: z.number() }) });

const later = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('context.publish', () => {
  it('sets correlation and causation from the handled event and reaches the bus', async () => {
    const bus = createEventBus();
    const sent: AnyDomainEvent[] = [];
    bus.subscribe('send-email', OrderPlaced, async (event, context) => {
      expect(context.handler).toBe('send-email');
      expect(context.attempt).toBe(1);
      expect(context.signal.aborted).toBe(false);
      await context.publish(EmailSent, { to: `${event.payload.orderId}@example.com` });
    });
    bus.subscribe('record-email', EmailSent, (event) => void sent.push(event));

    const root = OrderPlaced.create({ orderId: 'o-1' }, { correlationId: 'story-1' });
    await bus.publish(root);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      type: 'EmailSent',
      correlationId: 'story-1',
      causationId: root.id,
      payload: { to: 'o-1@example.com' },
    });
  });

  it('chains causation over several hops and also publishes ready-made events', async () => {
    const bus = createEventBus();
    const seen: AnyDomainEvent[] = [];
    // Subscribed first: in sequential mode a nested publication completes before later
    // handlers of the outer event run, so only the first handler sees events in causal order.
    bus.subscribe('watch', '*', (e) => void seen.push(e));
    bus.subscribe('email', OrderPlaced, (_e, context) => context.publish(EmailSent, { to: 'a@b.c' }));
    bus.subscribe('dashboard', EmailSent, (_e, context) =>
      context.publish(DashboardUpdated.create({ orders: 1 })),
    );
    const root = OrderPlaced.create({ orderId: 'o-1' });
    await bus.publish(root);
    const [placed, email, dashboard] = seen;
    expect(seen.map((e) => e.type)).toEqual(['OrderPlaced', 'EmailSent', 'DashboardUpdated']);
    expect(placed).toBe(root);
    expect(email).toMatchObject({ correlationId: root.id, causationId: root.id });
    // A ready-made event created inside the handler picked up the ambient cause too.
    expect(dashboard).toMatchObject({ correlationId: root.id, causationId: email?.id });
  });

  it('works from a sync handler under publishSync', async () => {
    const bus = createEventBus();
    const received: AnyDomainEvent[] = [];
    bus.subscribe('email', OrderPlaced, (_e, context) => {
      void context.publish(EmailSent, { to: 'x@y.z' });
    });
    bus.subscribe('sink', EmailSent, (e) => void received.push(e));
    const root = OrderPlaced.create({ orderId: 'o-9' });
    bus.publishSync(root);
    await later();
    expect(received[0]).toMatchObject({ correlationId: root.id, causationId: root.id });
  });
});

describe('ambient causation', () => {
  it('reaches Def.create() after awaits and in nested functions of the handler', async () => {
    const bus = createEventBus();
    const created: AnyDomainEvent[] = [];
    const deepInside = async () => {
      await later();
      return EmailSent.create({ to: 'deep@example.com' });
    };
    bus.subscribe('h', OrderPlaced, async () => {
      created.push(EmailSent.create({ to: 'sync@example.com' }));
      await later();
      created.push(EmailSent.create({ to: 'after-await@example.com' }));
      created.push(await deepInside());
      await Promise.all([1, 2].map(async () => created.push(await deepInside())));
    });
    const root = OrderPlaced.create({ orderId: 'o-1' }, { correlationId: 'story-7' });
    await bus.publish(root);
    expect(created).toHaveLength(5);
    for (const event of created) {
      expect(event.correlationId).toBe('story-7');
      expect(event.causationId).toBe(root.id);
    }
  });

  it('is set per handled event, also in concurrent mode', async () => {
    const bus = createEventBus({ mode: 'concurrent' });
    const byCause = new Map<string, string | undefined>();
    for (const name of ['x', 'y']) {
      bus.subscribe(name, OrderPlaced, async (event) => {
        await later();
        byCause.set(`${name}:${event.id}`, EmailSent.create({ to: 'a@b.c' }).causationId);
      });
    }
    const [first, second] = [OrderPlaced.create({ orderId: '1' }), OrderPlaced.create({ orderId: '2' })];
    await Promise.all([bus.publish(first), bus.publish(second)]);
    expect(byCause).toEqual(
      new Map([
        [`x:${first.id}`, first.id],
        [`y:${first.id}`, first.id],
        [`x:${second.id}`, second.id],
        [`y:${second.id}`, second.id],
      ]),
    );
  });

  it('reaches Def.create() inside a sync handler under publishSync', () => {
    const bus = createEventBus();
    let inner: AnyDomainEvent | undefined;
    bus.subscribe('h', OrderPlaced, () => {
      inner = EmailSent.create({ to: 'a@b.c' });
    });
    const root = OrderPlaced.create({ orderId: 'o-1' });
    bus.publishSync(root);
    expect(inner).toMatchObject({ correlationId: root.id, causationId: root.id });
  });

  it('does not leak outside handlers, before, after or beside a publication', async () => {
    const bus = createEventBus();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    bus.subscribe('h', OrderPlaced, () => gate);
    const outside = (): AnyDomainEvent => EmailSent.create({ to: 'outside@example.com' });

    const before = outside();
    const published = bus.publish(OrderPlaced.create({ orderId: 'o-1' }));
    const during = outside(); // the handler is suspended, we are in the caller's context
    release();
    await published;
    const after = outside();
    const syncBus = createEventBus();
    syncBus.subscribe('h', OrderPlaced, () => void outside());
    syncBus.publishSync(OrderPlaced.create({ orderId: 'o-2' }));
    const afterSync = outside();

    for (const event of [before, during, after, afterSync]) {
      expect(event.correlationId).toBe(event.id);
      expect(event).not.toHaveProperty('causationId');
    }
  });
});
