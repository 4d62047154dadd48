/** The README's Prisma example, type-checked and run by readme.int.test.ts (which checks the READMEs quote it). */

// #region example
import { createOutbox } from '@tidings/core';
import { createPrismaOutboxStore } from '@tidings/orm/prisma';
import { createPostgresOutboxStore } from '@tidings/postgres';
import type pg from 'pg';
import type { ShopClient as PrismaClient } from '../prisma-client.ts';
import { OrderPlaced } from './order-placed.ts';

// prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString }) }), Prisma 7
export async function placeOrderWithPrisma(
  prisma: PrismaClient,
  pool: pg.Pool,
  schema: string,
  orderId: string,
) {
  const store = createPrismaOutboxStore({ prisma, store: createPostgresOutboxStore({ pool, schema }) });
  const outbox = createOutbox({ store, routes: [{ name: 'broker' }] });
  // Your own interactive transaction: the row and the event commit together, or neither does.
  await prisma.$transaction(async (tx) => {
    await tx.order.create({ data: { id: orderId } });
    await outbox.append(tx, [OrderPlaced.create({ orderId })]);
  });
  await store.close();
}
// #endregion example
