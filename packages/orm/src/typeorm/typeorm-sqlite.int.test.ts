import type Database from 'better-sqlite3';
import { DataSource, EntitySchema } from 'typeorm';
import { runOrmAdapterScenarios } from '../../test/adapter-scenarios.ts';
import { createSqliteFixture } from '../../test/sqlite.ts';
import { createTypeormOutboxStore } from './typeorm-outbox-store.ts';

const Order = new EntitySchema<{ id: string }>({
  name: 'Order',
  tableName: 'orders',
  columns: { id: { type: 'text', primary: true } },
});

runOrmAdapterScenarios('TypeORM on SQLite (better-sqlite3 driver)', async () => {
  let dataSource!: DataSource;
  // TypeORM opens the connection; the outbox store shares it.
  const fixture = await createSqliteFixture({
    open: async (file) => {
      dataSource = await new DataSource({
        type: 'better-sqlite3',
        database: file,
        entities: [Order],
      }).initialize();
      return (dataSource.driver as unknown as { databaseConnection: Database.Database }).databaseConnection;
    },
    closeDatabase: () => dataSource.destroy(),
  });
  const store = createTypeormOutboxStore({ dataSource, store: fixture.store });
  return {
    store,
    outsideTransaction: dataSource.manager,
    async placeOrder(outbox, id, events, fault) {
      await dataSource.transaction(async (manager) => {
        await manager.insert(Order, { id });
        await outbox.append(manager, events);
        if (fault === 'throw') throw new Error('payment declined');
        if (fault === 'duplicate-row') await manager.insert(Order, { id });
      });
    },
    insertOrder: async (manager, id) => {
      await manager.insert(Order, { id });
    },
    orderIds: fixture.orderIds,
    close: fixture.close,
  };
});
