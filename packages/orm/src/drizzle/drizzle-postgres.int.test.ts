import { drizzle } from 'drizzle-orm/node-postgres';
import { pgSchema, text } from 'drizzle-orm/pg-core';
import { runOrmAdapterScenarios } from '../../test/adapter-scenarios.ts';
import { createPgFixture } from '../../test/postgres.ts';
import { createDrizzleOutboxStore } from './drizzle-outbox-store.ts';

runOrmAdapterScenarios('Drizzle on node-postgres', async () => {
  const pgFixture = await createPgFixture();
  const orders = pgSchema(pgFixture.schema).table('orders', { id: text('id').primaryKey() });
  const db = drizzle(pgFixture.pool);
  const store = createDrizzleOutboxStore({ db, store: pgFixture.store });
  return {
    store,
    outsideTransaction: db,
    async placeOrder(outbox, id, events, fault) {
      await db.transaction(async (tx) => {
        await tx.insert(orders).values({ id });
        await outbox.append(tx, events);
        if (fault === 'throw') throw new Error('payment declined');
        if (fault === 'duplicate-row') await tx.insert(orders).values({ id });
      });
    },
    insertOrder: async (tx, id) => {
      await tx.insert(orders).values({ id });
    },
    orderIds: pgFixture.orderIds,
    close: pgFixture.close,
  };
});
