import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createEventBus } from '../bus/event-bus.ts';
import { DoNotRetry } from '../errors/errors.ts';
import { defineEvent } from '../event/define-event.ts';
import type { AnyDomainEvent } from '../event/envelope.ts';
import { createMemoryOutboxStore, type MemoryTx } from '../memory/memory-outbox-store.ts';
import { durableHandler } from '../outbox/durable-handler.ts';
import { createOutbox } from '../outbox/outbox.ts';
import { createOutboxRelay } from './relay.ts';

const OrderPlaced = defineEvent('OrderPlaced', { schema: z.object({ orderId: z.string(), n: z.number() }) });
const EmailSent = defineEvent('EmailSent', { schema: z.object({ orderId: z.string() }) });

function placed(orderId: string, n: number): AnyDomainEvent {
  return OrderPlaced.create({ orderId, n }, { subject: { type: 'Order', id: orderId, sequence: n } });
}

function setup() {
  let now = Date.UTC(2026, 0, 1);
  const clock = { now: () => now, advance: (ms: number) => (now += ms) };
  const store = createMemoryOutboxStore({ clock: clock.now });
  return { clock, store };
}

describe('outbox transaction', () => {
  it('appends recorded events with a delivery per matching handler and runs inline handlers after commit', async () => {
    const { store } = setup();
    const bus = createEventBus();
    const inline: string[] = [];
    bus.subscribe('inline', OrderPlaced, (e) => {
      inline.push(e.payload.orderId);
    });
    const outbox = createOutbox({
      store,
      bus,
      handlers: [
        durableHandler('email', OrderPlaced, () => {}),
        durableHandler('other', EmailSent, () => {}),
      ],
      routes: [{ name: 'broker' }],
    });
    const event = placed('o-1', 1);
    const result = await outbox.transaction(async (_tx, record) => {
      record(event);
      expect(inline).toEqual([]);
      return 'saved';
    });
    expect(result).toBe('saved');
    expect(inline).toEqual(['o-1']);
    expect((await store.deliveries(event.id)).map((d) => d.consumer).sort()).toEqual(['broker', 'email']);
  });

  it('appends nothing and runs nothing inline when the work throws', async () => {
    const { store } = setup();
    const bus = createEventBus();
    const inline: AnyDomainEvent[] = [];
    bus.subscribe('inline', '*', (e) => {
      inline.push(e);
    });
    const outbox = createOutbox({ store, bus });
    await expect(
      outbox.transaction((_tx, record) => {
        record(placed('o-1', 1));
        throw new Error('out of stock');
      }),
    ).rejects.toThrow('out of stock');
    expect(inline).toEqual([]);
    expect(await store.events()).toEqual([]);
  });

  it('rejects two consumers with one name', () => {
    const { store } = setup();
    expect(() =>
      createOutbox({
        store,
        handlers: [durableHandler('x', OrderPlaced, () => {})],
        routes: [{ name: 'x' }],
      }),
    ).toThrow(/named "x"/);
  });
});

describe('relay with durable handlers', () => {
  it('runs each durable handler once per event and marks the deliveries done', async () => {
    const { store } = setup();
    const seen: string[] = [];
    const outbox = createOutbox({
      store,
      handlers: [
        durableHandler('email', OrderPlaced, (e) => {
          seen.push(`email:${e.payload.orderId}`);
        }),
        durableHandler('dashboard', '*', (e) => {
          seen.push(`dashboard:${e.type}`);
        }),
      ],
    });
    await outbox.publish([placed('o-1', 1), placed('o-2', 1)]);
    const relay = createOutboxRelay(outbox);
    await relay.drain();
    expect(seen.sort()).toEqual(['dashboard:OrderPlaced', 'dashboard:OrderPlaced', 'email:o-1', 'email:o-2']);
    expect((await store.stats()).map((s) => [s.consumer, s.pending, s.done])).toEqual([
      ['dashboard', 0, 2],
      ['email', 0, 2],
    ]);
  });

  it('retries with backoff, parks later events of the same subject only, then dead-letters with history', async () => {
    const { store, clock } = setup();
    const handled: string[] = [];
    let failures = 0;
    const outbox = createOutbox({
      store,
      handlers: [
        durableHandler(
          'email',
          OrderPlaced,
          (e) => {
            if (e.payload.orderId === 'o-bad' && e.payload.n === 1) {
              failures += 1;
              throw new Error(`smtp refused #${failures}`);
            }
            handled.push(`${e.payload.orderId}#${e.payload.n}`);
          },
          { retry: { maxAttempts: 3, baseDelayMs: 1000, jitter: 'none' } },
        ),
      ],
    });
    await outbox.publish([placed('o-bad', 1), placed('o-bad', 2), placed('o-good', 1), placed('o-good', 2)]);
    const relay = createOutboxRelay(outbox, { clock: clock.now });
    await relay.drain();
    expect(handled).toEqual(['o-good#1', 'o-good#2']);
    expect(failures).toBe(1);
    clock.advance(999);
    await relay.drain();
    expect(failures).toBe(1);
    clock.advance(1);
    await relay.drain();
    expect(failures).toBe(2);
    clock.advance(2000);
    await relay.drain();
    expect(failures).toBe(3);
    const [dead] = await store.deadLetters();
    expect(dead).toMatchObject({ consumer: 'email', attempts: 3, lastError: 'smtp refused #3' });
    expect(dead!.history.map((h) => h.error)).toEqual([
      'smtp refused #1',
      'smtp refused #2',
      'smtp refused #3',
    ]);
    expect(handled).toEqual(['o-good#1', 'o-good#2', 'o-bad#2']);
  });

  it('dead-letters at once on DoNotRetry', async () => {
    const { store } = setup();
    const outbox = createOutbox({
      store,
      handlers: [
        durableHandler('email', OrderPlaced, () => {
          throw new DoNotRetry('address is invalid');
        }),
      ],
    });
    await outbox.publish(placed('o-1', 1));
    await createOutboxRelay(outbox).drain();
    expect((await store.deadLetters())[0]).toMatchObject({
      attempts: 1,
      lastError: expect.stringContaining('address is invalid'),
    });
  });

  it('with the inbox, a redelivered event has no second effect', async () => {
    const { store, clock } = setup();
    const effects: string[] = [];
    const outbox = createOutbox<MemoryTx>({
      store,
      handlers: [
        durableHandler<typeof OrderPlaced, MemoryTx>(
          'dashboard',
          OrderPlaced,
          (e, context) => {
            expect(context.tx).toBeDefined();
            effects.push(e.payload.orderId);
          },
          { inbox: true },
        ),
      ],
    });
    await outbox.publish(placed('o-1', 1));
    // The first relay runs the handler, then dies before marking the delivery done.
    const crashing = { ...store, settle: () => Promise.reject(new Error('killed before settle')) };
    const first = createOutboxRelay({ ...outbox, store: crashing }, { clock: clock.now, onError: () => {} });
    await expect(first.runOnce()).rejects.toThrow('killed before settle');
    expect(effects).toEqual(['o-1']);
    clock.advance(60_000);
    const second = createOutboxRelay(outbox, { clock: clock.now });
    expect(await second.runOnce()).toBe(1);
    expect(effects).toEqual(['o-1']);
    expect((await store.stats())[0]).toMatchObject({ pending: 0, done: 1 });
  });

  it('publishes follow-up events from a handler with correlation and causation kept', async () => {
    const { store } = setup();
    const outbox = createOutbox({
      store,
      handlers: [
        durableHandler('email', OrderPlaced, async (e, context) => {
          await context.publish(EmailSent, { orderId: e.payload.orderId });
        }),
        durableHandler('audit', EmailSent, () => {}),
      ],
    });
    const origin = placed('o-1', 1);
    await outbox.publish(origin);
    await createOutboxRelay(outbox).drain();
    const [followUp] = await store.events({ types: ['EmailSent'] });
    expect(followUp!.event).toMatchObject({ correlationId: origin.correlationId, causationId: origin.id });
    expect((await store.deliveries(followUp!.event.id))[0]).toMatchObject({
      consumer: 'audit',
      status: 'done',
    });
  });

  it('close() lets the batch in hand finish and stops the loop', async () => {
    const { store } = setup();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started!: () => void;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const finished: string[] = [];
    const outbox = createOutbox({
      store,
      handlers: [
        durableHandler('slow', OrderPlaced, async (e) => {
          started();
          await gate;
          finished.push(e.payload.orderId);
        }),
      ],
    });
    const relay = createOutboxRelay(outbox, { pollIntervalMs: 10 });
    relay.start();
    await outbox.publish(placed('o-1', 1));
    await running;
    const closing = relay.close();
    release();
    await closing;
    expect(finished).toEqual(['o-1']);
    expect((await store.stats())[0]).toMatchObject({ done: 1 });
    await outbox.publish(placed('o-2', 1));
    expect((await store.stats())[0]).toMatchObject({ pending: 1 });
  });

  it('prunes published events older than the retention while running', async () => {
    const { store, clock } = setup();
    const outbox = createOutbox({ store, handlers: [durableHandler('email', OrderPlaced, () => {})] });
    await outbox.publish(placed('o-old', 1));
    await createOutboxRelay(outbox, { clock: clock.now }).drain();
    clock.advance(10_000);
    await outbox.publish(placed('o-new', 1));
    let pruned!: () => void;
    const prunedOnce = new Promise<void>((resolve) => {
      pruned = resolve;
    });
    const watched = { ...store, prune: (before: number) => store.prune(before).finally(pruned) };
    const relay = createOutboxRelay(
      { ...outbox, store: watched },
      { clock: clock.now, retention: { keepMs: 5_000 } },
    );
    relay.start();
    await prunedOnce;
    await relay.close();
    expect((await store.events()).map((e) => (e.event.payload as { orderId: string }).orderId)).toEqual([
      'o-new',
    ]);
  });

  it('prunes inbox records older than the inbox retention while running', async () => {
    const { store, clock } = setup();
    const outbox = createOutbox({
      store,
      handlers: [durableHandler('email', OrderPlaced, () => {}, { inbox: true })],
    });
    const old = placed('o-old', 1);
    await outbox.publish(old);
    await createOutboxRelay(outbox, { clock: clock.now }).drain();
    clock.advance(10_000);
    const young = placed('o-new', 1);
    await outbox.publish(young);
    await createOutboxRelay(outbox, { clock: clock.now }).drain();
    let pruned!: (count: number) => void;
    const prunedOnce = new Promise<number>((resolve) => {
      pruned = resolve;
    });
    const watched = {
      ...store,
      pruneInbox: (olderThan: number) =>
        store.pruneInbox(olderThan).then((count) => {
          pruned(count);
          return count;
        }),
    };
    const relay = createOutboxRelay(
      { ...outbox, store: watched },
      { clock: clock.now, retention: { keepMs: 60_000, inboxKeepMs: 5_000 } },
    );
    relay.start();
    expect(await prunedOnce).toBe(1);
    await relay.close();
    const mark = (id: string) => store.transaction((tx) => store.markProcessed(tx, 'email', id));
    expect(await mark(old.id)).toBe(true);
    expect(await mark(young.id)).toBe(false);
  });
});
