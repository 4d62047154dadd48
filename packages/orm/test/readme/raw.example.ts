/** The README's raw pg example, type-checked and run by readme.int.test.ts (which checks the READMEs quote it). */

// #region example
import { createOutbox } from '@tidings/core';
import { createPostgresOutboxStore } from '@tidings/postgres';
import type pg from 'pg';
import { OrderPlaced } from './order-placed.ts';

export async function placeOrderWithPg(pool: pg.Pool, schema: string, orderId: string) {
  const store = createPostgresOutboxStore({ pool, schema });
  const outbox = createOutbox({ store, routes: [{ name: 'broker' }] });
  // The store's own transaction: `client` is a pg client after BEGIN.
  await outbox.transaction(async (client, record) => {
    await client.query('INSERT INTO orders (id) VALUES ($1)', [orderId]);
    record(OrderPlaced.create({ orderId }));
  });
  await store.close();
}
// #endregion example
