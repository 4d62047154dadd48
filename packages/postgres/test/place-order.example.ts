/** The README's example, type-checked and run by readme.int.test.ts (which also checks the README quotes it). */
// #region example
import { defineEvent } from '@tidings/core';
import { createPostgresOutboxStore } from '@tidings/postgres';
import pg from 'pg';
import { z } from 'zod';

const OrderPlaced = defineEvent('OrderPlaced', { schema: z.object({ orderId: z.string() }) });

export async function placeOrder(connectionString: string, schema: string, orderId: string) {
  const pool = new pg.Pool({ connectionString });
  pool.on('error', () => {}); // an idle client lost its server (a restart): the pool replaces it
  const store = createPostgresOutboxStore({ pool, schema });
  await store.migrate(); // at start-up; otherwise the first call migrates

  // Your transaction: the order row and its event commit together, or neither does.
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`INSERT INTO "${schema}".orders (id) VALUES ($1)`, [orderId]);
    const event = OrderPlaced.create({ orderId }, { subject: { type: 'Order', id: orderId } });
    await store.append(client, [{ event, consumers: ['send-email'] }]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }

  // A relay (any process) claims under a lease, delivers, and marks the delivery done.
  const [delivery] = await store.claim({
    consumers: ['send-email'],
    limit: 10,
    leaseMs: 30_000,
    owner: 'relay-1',
  });
  await store.settle([
    { eventId: delivery!.event.id, consumer: delivery!.consumer, owner: delivery!.owner, outcome: 'done' },
  ]);

  await store.close();
  await pool.end();
  return delivery!.event;
}
// #endregion example
