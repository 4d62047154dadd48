import { waitUntil } from '@tidings/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineEvent } from '../event/define-event.ts';
import type { AnyDomainEvent } from '../event/envelope.ts';
import { createMemoryOutboxStore } from '../memory/memory-outbox-store.ts';
import { createMemoryTransport } from '../memory/memory-transport.ts';
import { durableHandler } from '../outbox/durable-handler.ts';
import { createOutbox } from '../outbox/outbox.ts';
import type { TransportMessage } from '../transport/transport.ts';
import { RepeatedFailureError } from './error-throttle.ts';
import { createOutboxRelay } from './relay.ts';

const OrderPlaced = defineEvent('OrderPlaced', { schema: z.object({ orderId: z.string(), n: z.number() }) });

function placed(orderId: string, n: number): AnyDomainEvent {
  return OrderPlaced.create({ orderId, n }, { subject: { type: 'Order', id: orderId, sequence: n } });
}

function setup() {
  let now = Date.UTC(2026, 0, 1);
  const clock = { now: () => now, advance: (ms: number) => (now += ms) };
  return { clock, store: createMemoryOutboxStore({ clock: clock.now }) };
}

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe('relay rounds', () => {
  it('publishes a run of one subject in order in one round, not one event per round', async () => {
    const { store } = setup();
    const transport = createMemoryTransport();
    const published: TransportMessage[][] = [];
    const watched = {
      ...transport,
      publish: (m: readonly TransportMessage[]) => {
        published.push([...m]);
        return transport.publish(m);
      },
    };
    const outbox = createOutbox({ store, routes: [{ name: 'broker' }] });
    const events = Array.from({ length: 5 }, (_, i) => placed('hot', i + 1));
    await outbox.publish(events);
    const relay = createOutboxRelay(outbox, { transports: { broker: watched } });
    expect(await relay.runOnce()).toBe(5);
    expect(published.map((batch) => batch.map((m) => m.id))).toEqual([events.map((e) => e.id)]);
    expect((await store.stats())[0]).toMatchObject({ pending: 0, done: 5 });
  });

  it('claims the next batch while an earlier round still waits for its broker acks', async () => {
    const { store } = setup();
    const transport = createMemoryTransport();
    const acks = gate();
    const inFlight: string[] = [];
    const slow = {
      ...transport,
      publish: async (m: readonly TransportMessage[]) => {
        inFlight.push(...m.map((x) => x.id));
        await acks.opened;
        return transport.publish(m);
      },
    };
    const outbox = createOutbox({ store, routes: [{ name: 'broker' }] });
    await outbox.publish([placed('o-1', 1), placed('o-2', 1), placed('o-3', 1)]);
    const relay = createOutboxRelay(outbox, {
      transports: { broker: slow },
      batchSize: 1,
      claimsInFlight: 2,
    });
    relay.start();
    await waitUntil(() => inFlight.length === 2, 'two rounds publishing at once', 5_000);
    acks.open();
    await waitUntil(async () => (await store.stats())[0]?.done === 3, 'all three published', 5_000);
    await relay.close();
  });

  it('reports a broker outage through onError at once, then rate-limited with a count', async () => {
    const { store, clock } = setup();
    const transport = createMemoryTransport();
    const down = { ...transport, publish: () => Promise.reject(new Error('connection refused')) };
    const errors: unknown[] = [];
    const outbox = createOutbox({ store, routes: [{ name: 'broker' }] });
    await outbox.publish([placed('o-1', 1)]);
    const relay = createOutboxRelay(outbox, {
      transports: { broker: down },
      clock: clock.now,
      errorIntervalMs: 100_000,
      onError: (error) => errors.push(error),
    });
    for (let round = 0; round < 4; round++) {
      expect(await relay.runOnce()).toBe(1);
      clock.advance(31_000);
    }
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('connection refused');
    expect(await relay.runOnce()).toBe(1);
    expect(errors).toHaveLength(2);
    expect(errors[1]).toBeInstanceOf(RepeatedFailureError);
    expect(errors[1]).toMatchObject({
      suppressed: 4,
      message: expect.stringContaining('connection refused'),
    });
    expect((await store.deliveries((await store.events())[0]!.event.id))[0]).toMatchObject({
      status: 'pending',
      attempts: 5,
    });
  });
});

describe('relay claims', () => {
  it('asks the store once, not once per loop, for what one append made claimable', async () => {
    const { store } = setup();
    const outbox = createOutbox({ store, routes: [{ name: 'broker' }] });
    const relay = createOutboxRelay(outbox, {
      transports: { broker: createMemoryTransport() },
      claimsInFlight: 4,
      pollIntervalMs: 60_000,
    });
    let calls = 0;
    let running = 0;
    let mostAtOnce = 0;
    let callsBeforeSettle: number | undefined;
    const claim = store.claim.bind(store);
    store.claim = async (request) => {
      calls += 1;
      running += 1;
      mostAtOnce = Math.max(mostAtOnce, running);
      try {
        return await claim(request);
      } finally {
        running -= 1;
      }
    };
    const settle = store.settle.bind(store);
    store.settle = (outcomes) => {
      callsBeforeSettle ??= calls;
      return settle(outcomes);
    };
    relay.start();
    // Every loop finds the empty store once, then sleeps.
    await waitUntil(() => calls >= 4, 'every loop asked the empty store');
    calls = 0;
    await outbox.publish([placed('o-1', 1)]);
    await waitUntil(async () => (await store.stats())[0]?.done === 1, 'the event published');
    await relay.close();
    expect(mostAtOnce).toBe(1);
    // The first claim took the event and came back short; the three other woken loops had
    // nothing left to find and did not ask.
    expect(callsBeforeSettle).toBe(1);
  });

  it("still finds a subject's next event after settling its head, with every loop asleep", async () => {
    const { store } = setup();
    const seen: number[] = [];
    const handler = durableHandler('record', OrderPlaced, (event) => {
      seen.push(event.payload.n);
    });
    const outbox = createOutbox({ store, handlers: [handler] });
    const relay = createOutboxRelay(outbox, { claimsInFlight: 4, pollIntervalMs: 60_000 });
    relay.start();
    await outbox.publish([placed('o-1', 1), placed('o-1', 2), placed('o-1', 3)]);
    // A handler gets one event of a subject per claim; only settles make the next one claimable.
    await waitUntil(() => seen.length === 3, 'three events handled');
    await relay.close();
    expect(seen).toEqual([1, 2, 3]);
  });
});

describe('relay shutdown', () => {
  it('releases what it did not start, aborts a stubborn handler after the grace, and never settles it late', async () => {
    const { store, clock } = setup();
    const release = gate();
    const running = gate();
    const finished = gate();
    let signal: AbortSignal | undefined;
    const outbox = createOutbox({
      store,
      handlers: [
        durableHandler('stubborn', OrderPlaced, async (e, context) => {
          if (e.payload.orderId !== 'o-1') return;
          signal = context.signal;
          running.open();
          await release.opened; // ignores the signal
          finished.open();
        }),
      ],
    });
    const [first, second] = [placed('o-1', 1), placed('o-2', 1)];
    await outbox.publish([first, second]);
    const relay = createOutboxRelay(outbox, { clock: clock.now, concurrency: 1, closeGraceMs: 20 });
    relay.start();
    await running.opened;
    await relay.close();
    expect(signal?.aborted).toBe(true);
    const claim = (owner: string) =>
      store.claim({ consumers: ['stubborn'], limit: 10, leaseMs: 60_000, owner });
    // Claimed but never started: released at once, and its attempt was not counted.
    expect((await claim('next')).map((d) => [d.event.id, d.attempt])).toEqual([[second.id, 1]]);
    release.open();
    await finished.opened;
    await new Promise((resolve) => setImmediate(resolve));
    // The late success of the stubborn handler is not settled: its lease just runs out.
    expect((await store.deliveries(first.id))[0]).toMatchObject({ status: 'pending', attempts: 0 });
    clock.advance(60_000);
    expect((await claim('after-lease')).map((d) => d.event.id)).toContain(first.id);
  });
});
