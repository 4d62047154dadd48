/** `settle`: a relay round's outcomes applied in one transaction, owner-checked and idempotent. */
import { expect, it } from 'vitest';
import { noted } from '../test/fresh-tables.ts';
import { freshTables } from '../test/open-stores.ts';
import type { MysqlDeliveryOutcome } from './settle.ts';

it('applies done, retry, dead and released together, ignores stale owners, and repeats harmlessly', async () => {
  const { open } = freshTables();
  const store = open({ clock: () => 1_000 });
  const [a, b, c, d] = [noted('a'), noted('b'), noted('c'), noted('d')];
  await store.transaction((tx) =>
    store.append(
      tx,
      [a, b, c, d].map((event) => ({ event, consumers: ['x'] })),
    ),
  );
  const claimed = await store.claim({ consumers: ['x'], limit: 10, leaseMs: 5_000, owner: 'r1' });
  expect(claimed).toHaveLength(4);
  const ref = (id: string, owner = 'r1') => ({ eventId: id, consumer: 'x', owner });
  const outcomes: MysqlDeliveryOutcome[] = [
    { ...ref(a.id), outcome: 'done' },
    { ...ref(b.id), outcome: 'retry', error: 'busy', retryAt: 2_000 },
    { ...ref(c.id), outcome: 'dead', error: 'poison' },
    { ...ref(d.id, 'someone-else'), outcome: 'released' },
  ];
  await store.settle(outcomes);
  await store.settle(outcomes);
  const info = async (id: string) => (await store.deliveries(id))[0]!;
  expect(await info(a.id)).toMatchObject({ status: 'done', attempts: 0 });
  expect(await info(b.id)).toMatchObject({
    status: 'pending',
    attempts: 1,
    lastError: 'busy',
    nextAttemptAt: 2_000,
  });
  expect(await info(c.id)).toMatchObject({ status: 'dead', attempts: 1, lastError: 'poison' });
  // Released by someone who does not hold the lease: still r1's.
  expect(await store.claim({ consumers: ['x'], limit: 10, leaseMs: 5_000, owner: 'r2' })).toEqual([]);
  await store.settle([{ ...ref(d.id), outcome: 'released' }]);
  expect(
    (await store.claim({ consumers: ['x'], limit: 10, leaseMs: 5_000, owner: 'r2' })).map((x) => x.event.id),
  ).toEqual([d.id]);
});
