/**
 * Lease extension through a real SQLite file shared by two relays: deliveries that wait in
 * their round for a slow handler longer than the lease stay with the relay that claimed
 * them, while a second relay claims the same file all along.
 */
import { createOutbox, createOutboxRelay, defineEvent, durableHandler } from '@tidings/core';
import type { ClaimRequest } from '@tidings/core/spi';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { z } from 'zod';
import { createTempDir, type TempDir } from '../test/temp-store.ts';
import { createSqliteOutboxStore } from './sqlite-store.ts';

const Shipped = defineEvent('test.Shipped', { schema: z.object({ n: z.number() }) });
const LEASE_MS = 300;

let temp: TempDir;
beforeEach(() => {
  temp = createTempDir();
});
afterEach(() => temp.remove());

it('keeps a round whose deliveries wait longer than the lease from a relay claiming meanwhile', async () => {
  const filename = temp.file();
  const store = createSqliteOutboxStore({ filename });
  const peer = createSqliteOutboxStore({ filename });
  const events = [1, 2, 3].map((n) => Shipped.create({ n }, { subject: { type: 'Parcel', id: `p-${n}` } }));
  const ranByFirst: number[] = [];
  const ranBySecond: number[] = [];

  // The second relay's claims, watched: the first handler finishes only once a claim that
  // went out two leases after the first relay's claim has come back.
  let passDeadline = Number.POSITIVE_INFINITY;
  let claimedPastDeadline!: () => void;
  const pastDeadline = new Promise<void>((resolve) => {
    claimedPastDeadline = resolve;
  });
  const watchedPeer = {
    ...peer,
    async claim(request: ClaimRequest) {
      const sentAt = performance.now();
      const claimed = await peer.claim(request);
      if (sentAt > passDeadline) claimedPastDeadline();
      return claimed;
    },
  };

  const first = createOutbox({
    store,
    handlers: [
      durableHandler('ship', Shipped, async (event) => {
        ranByFirst.push(event.payload.n);
        if (event.payload.n === 1) await pastDeadline;
      }),
    ],
  });
  const second = createOutbox({
    store: watchedPeer,
    handlers: [durableHandler('ship', Shipped, (event) => void ranBySecond.push(event.payload.n))],
  });
  await first.publish(events);

  // One handler slot: deliveries 2 and 3 wait in the round behind the slow first one.
  const slow = createOutboxRelay(first, { leaseMs: LEASE_MS, concurrency: 1, claimsInFlight: 1 });
  const rival = createOutboxRelay(second, { leaseMs: LEASE_MS, pollIntervalMs: 20, claimsInFlight: 1 });
  passDeadline = performance.now() + 2 * LEASE_MS;
  const round = slow.runOnce();
  rival.start();
  expect(await round).toBe(3);
  await rival.close();

  // Without extension the rival claims all three after 300 ms and runs them too.
  expect(ranBySecond).toEqual([]);
  expect(ranByFirst).toEqual([1, 2, 3]);
  for (const event of events) {
    expect(await store.deliveries(event.id)).toMatchObject([{ status: 'done', attempts: 0 }]);
  }
  await slow.close();
  await Promise.all([store.close(), peer.close()]);
});
