import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { defineEvent } from '../event/define-event.ts';
import { createMemoryOutboxStore } from '../memory/memory-outbox-store.ts';
import { durableHandler } from '../outbox/durable-handler.ts';
import { createOutbox } from '../outbox/outbox.ts';
import type { DeliveryRef } from '../outbox/outbox-store.ts';
import { createOutboxRelay } from './relay.ts';

const Parcel = defineEvent('Parcel', { schema: z.object({ n: z.number() }) });
const parcels = (count: number) =>
  Array.from({ length: count }, (_, n) =>
    Parcel.create({ n }, { subject: { type: 'Parcel', id: `p-${n}` } }),
  );

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** A memory store whose `extend` calls are recorded, with a wait for the nth one to settle. */
function watchedStore(clock: () => number = Date.now) {
  const store = createMemoryOutboxStore({ clock });
  const calls: { refs: readonly DeliveryRef[]; kept: readonly DeliveryRef[] }[] = [];
  const waiting: { count: number; resolve: () => void }[] = [];
  const watched: typeof store = {
    ...store,
    async extend(refs, leaseMs) {
      const kept = await store.extend(refs, leaseMs);
      calls.push({ refs, kept });
      for (const w of waiting.filter((w) => calls.length >= w.count)) w.resolve();
      return kept;
    },
  };
  const extended = (count: number) =>
    new Promise<void>((resolve) => {
      if (calls.length >= count) resolve();
      else waiting.push({ count, resolve });
    });
  return { store, watched, calls, extended };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('lease extension', () => {
  it('extends all 200 held leases in one call per tick, with one timer however many are held', async () => {
    const { watched, calls, extended } = watchedStore();
    const release = gate();
    const outbox = createOutbox({
      store: watched,
      handlers: [durableHandler('slow', Parcel, () => release.opened, { timeoutMs: 60_000 })],
    });
    await outbox.publish(parcels(200));
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    const setIntervalSpy = vi.spyOn(globalThis, 'setInterval');
    const relay = createOutboxRelay(outbox, { leaseMs: 90, batchSize: 200, concurrency: 16 });
    const round = relay.runOnce();
    await extended(3);
    // Each tick carries every held delivery (16 running, 184 waiting for a slot) in one call.
    expect(calls.map((c) => [c.refs.length, c.kept.length])).toEqual([
      [200, 200],
      [200, 200],
      [200, 200],
    ]);
    // The wheel re-arms its one timer about twice a tick (16 handler timeouts share it);
    // a timer per delivery or per handler would be hundreds.
    expect(setTimeoutSpy.mock.calls.length).toBeLessThanOrEqual(2 * calls.length + 2);
    expect(setIntervalSpy).not.toHaveBeenCalled();
    release.open();
    expect(await round).toBe(200);
    const settledAt = calls.length;
    await relay.close();
    // Settled: nothing held, nothing extended any more.
    expect(calls.length).toBe(settledAt);
  });

  it('reports a failed extension and tries again soon, keeping the round', async () => {
    const store = createMemoryOutboxStore();
    let failures = 1;
    let extended!: () => void;
    const extendedAfterFailure = new Promise<void>((resolve) => {
      extended = resolve;
    });
    const flaky: typeof store = {
      ...store,
      async extend(refs, leaseMs) {
        if (failures-- > 0) throw new Error('database unreachable');
        const kept = await store.extend(refs, leaseMs);
        extended();
        return kept;
      },
    };
    const ran: number[] = [];
    const outbox = createOutbox({
      store: flaky,
      handlers: [
        durableHandler('slow', Parcel, async (event) => {
          ran.push(event.payload.n);
          if (event.payload.n === 0) await extendedAfterFailure;
        }),
      ],
    });
    await outbox.publish(parcels(2));
    const errors: unknown[] = [];
    const relay = createOutboxRelay(outbox, { leaseMs: 600, concurrency: 1, onError: (e) => errors.push(e) });
    expect(await relay.runOnce()).toBe(2);
    // The retry came before the lease ran out, so the waiting delivery still started.
    expect(ran).toEqual([0, 1]);
    expect(errors.map((e) => (e as Error).message)).toEqual(['database unreachable']);
    await relay.close();
  });

  it('does not start a delivery whose extension was refused: another relay claimed it', async () => {
    let now = Date.UTC(2026, 0, 1);
    const { store, watched, calls, extended } = watchedStore(() => now);
    const running = gate();
    const release = gate();
    const ran: number[] = [];
    const outbox = createOutbox({
      store: watched,
      handlers: [
        durableHandler('slow', Parcel, async (event) => {
          ran.push(event.payload.n);
          running.open();
          await release.opened;
        }),
      ],
    });
    await outbox.publish(parcels(3));
    const relay = createOutboxRelay(outbox, { leaseMs: 90, concurrency: 1, owner: 'first' });
    const round = relay.runOnce();
    await running.opened;
    // The store's lease runs out (its clock jumps) and another relay claims all three.
    now += 90;
    const taken = await store.claim({ consumers: ['slow'], limit: 10, leaseMs: 60_000, owner: 'second' });
    expect(taken).toHaveLength(3);
    await extended(1);
    expect(calls[0]?.kept).toEqual([]);
    release.open();
    expect(await round).toBe(3);
    // The running one finished (its `done` counts: the work happened); the other two were
    // left to their new owner, not run a second time.
    expect(ran).toEqual([0]);
    const ids = taken.map((d) => d.event.id);
    expect((await store.deliveries(ids[1] as string))[0]).toMatchObject({ status: 'pending', attempts: 0 });
    expect(
      (await store.claim({ consumers: ['slow'], limit: 10, leaseMs: 60_000, owner: 'third' })).length,
    ).toBe(0);
    await relay.close();
  });
});
