import { DataSource, EntitySchema } from 'typeorm';
import { runOrmAdapterScenarios } from '../../test/adapter-scenarios.ts';
import { createMysqlFixture } from '../../test/mysql.ts';
import { createTypeormOutboxStore } from './typeorm-outbox-store.ts';

runOrmAdapterScenarios('TypeORM on MySQL (MariaDB, mysql2)', async () => {
  const fixture = await createMysqlFixture();
  const Order = new EntitySchema<{ id: string }>({
    name: 'Order',
    tableName: 'orders',
    columns: { id: { type: 'varchar', length: 64, primary: true } },
  });
  const dataSource = await new DataSource({
    type: 'mysql',
    url: fixture.url,
    entities: [Order],
    extra: { connectionLimit: 2 },
  }).initialize();
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
    async close() {
      await dataSource.destroy();
      await fixture.close();
    },
  };
});
