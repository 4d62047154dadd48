/** The README's Drizzle example, type-checked and run by readme.int.test.ts (which checks the READMEs quote it). */

// #region example
import { createOutbox } from '@tidings/core';
import { createDrizzleOutboxStore } from '@tidings/orm/drizzle';
import { createPostgresOutboxStore } from '@tidings/postgres';
import { drizzle } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import { OrderPlaced, orders } from './order-placed.ts';

export async function placeOrderWithDrizzle(pool: pg.Pool, schema: string, orderId: string) {
  const db = drizzle(pool);
  const store = createDrizzleOutboxStore({ db, store: createPostgresOutboxStore({ pool, schema }) });
  const outbox = createOutbox({ store, routes: [{ name: 'broker' }] });
  // Your own Drizzle transaction: the row and the event commit together, or neither does.
  await db.transaction(async (tx) => {
    await tx.insert(orders).values({ id: orderId });
    await outbox.append(tx, [OrderPlaced.create({ orderId })]);
  });
  await store.close();
}
// #endregion example
