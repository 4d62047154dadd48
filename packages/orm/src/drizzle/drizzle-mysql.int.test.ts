import { mysqlTable, varchar } from 'drizzle-orm/mysql-core';
import { drizzle } from 'drizzle-orm/mysql2';
import { runOrmAdapterScenarios } from '../../test/adapter-scenarios.ts';
import { createMysqlFixture } from '../../test/mysql.ts';
import { createDrizzleOutboxStore } from './drizzle-outbox-store.ts';

runOrmAdapterScenarios('Drizzle on mysql2 (MariaDB)', async () => {
  const fixture = await createMysqlFixture();
  const orders = mysqlTable('orders', { id: varchar('id', { length: 64 }).primaryKey() });
  const db = drizzle({ client: fixture.pool });
  const store = createDrizzleOutboxStore({ db, store: fixture.store });
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
    orderIds: fixture.orderIds,
    close: fixture.close,
  };
});
