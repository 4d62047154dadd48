/** The README's example, run as written (only the file name differs). */
import { defineEvent } from '@tidings/core';
import { expect, it } from 'vitest';
import { z } from 'zod';
import { createTempDir } from '../test/temp-store.ts';
import { createSqliteOutboxStore } from './index.ts';

it('runs the README example', async () => {
  const temp = createTempDir();
  const filename = temp.file('shop.db');
  const sent: string[] = [];
  const sendConfirmation = async (orderId: string) => {
    sent.push(orderId);
  };

  // --- README example start
  const OrderPlaced = defineEvent('shop.OrderPlaced', {
    schema: z.object({ orderId: z.string(), total: z.number() }),
  });

  const store = createSqliteOutboxStore({ filename });
  await store.transaction(({ db }) =>
    db.exec('CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, total REAL)'),
  );

  // The order row and its event commit together, or neither does.
  await store.transaction((tx) => {
    tx.db.prepare('INSERT INTO orders (id, total) VALUES (?, ?)').run('o-1', 42);
    const placed = OrderPlaced.create(
      { orderId: 'o-1', total: 42 },
      { subject: { type: 'Order', id: 'o-1' } },
    );
    store.append(tx, [{ event: placed, consumers: ['send-confirmation'] }]);
  });

  // What a relay does: claim under a lease, deliver, then complete (or fail with a retry time).
  const batch = await store.claim({
    consumers: ['send-confirmation'],
    limit: 10,
    leaseMs: 30_000,
    owner: 'relay-1',
  });
  for (const delivery of batch) {
    if (OrderPlaced.is(delivery.event)) await sendConfirmation(delivery.event.payload.orderId);
  }
  await store.settle(
    batch.map((d) => ({ eventId: d.event.id, consumer: d.consumer, owner: d.owner, outcome: 'done' })),
  );

  console.log(await store.stats()); // [{ consumer: 'send-confirmation', pending: 0, done: 1, dead: 0, … }]
  await store.close();
  // --- README example end

  expect(sent).toEqual(['o-1']);
  temp.remove();
});
