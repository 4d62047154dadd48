import { DataSource, EntitySchema } from 'typeorm';
import { runOrmAdapterScenarios } from '../../test/adapter-scenarios.ts';
import { createPgFixture, databaseUrl } from '../../test/postgres.ts';
import { createTypeormOutboxStore } from './typeorm-outbox-store.ts';

runOrmAdapterScenarios('TypeORM on PostgreSQL', async () => {
  const pgFixture = await createPgFixture();
  const Order = new EntitySchema<{ id: string }>({
    name: 'Order',
    tableName: 'orders',
    schema: pgFixture.schema,
    columns: { id: { type: 'text', primary: true } },
  });
  const dataSource = await new DataSource({
    type: 'postgres',
    url: databaseUrl,
    entities: [Order],
    extra: { max: 2 },
  }).initialize();
  const store = createTypeormOutboxStore({ dataSource, store: pgFixture.store });
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
    orderIds: pgFixture.orderIds,
    async close() {
      await dataSource.destroy();
      await pgFixture.close();
    },
  };
});
