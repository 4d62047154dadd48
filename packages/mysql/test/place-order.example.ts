/** The README's example, type-checked and run by readme.int.test.ts (which also checks the README quotes it). */
// #region example
import { defineEvent } from '@tidings/core';
import { createMysqlOutboxStore } from '@tidings/mysql';
import mysql from 'mysql2/promise';
import { z } from 'zod';

const OrderPlaced = defineEvent('OrderPlaced', { schema: z.object({ orderId: z.string() }) });

export async function placeOrder(uri: string, tablePrefix: string, orderId: string) {
  const pool = mysql.createPool({ uri });
  const store = createMysqlOutboxStore({ pool, tablePrefix });
  await store.migrate(); // at start-up; otherwise the first call migrates

  // Your transaction: the order row and its event commit together, or neither does.
  const connection = await pool.getConnection();
  try {
    await connection.beginTransaction();
    await connection.query(`INSERT INTO ${tablePrefix}orders (id) VALUES (?)`, [orderId]);
    const event = OrderPlaced.create({ orderId }, { subject: { type: 'Order', id: orderId } });
    await store.append(connection, [{ event, consumers: ['send-email'] }]);
    await connection.commit();
  } catch (error) {
    await connection.rollback();
    throw error;
  } finally {
    connection.release();
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
