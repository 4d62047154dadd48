import { Kysely, MysqlDialect } from 'kysely';
import { createPool } from 'mysql2';
import { runOrmAdapterScenarios } from '../../test/adapter-scenarios.ts';
import { createMysqlFixture } from '../../test/mysql.ts';
import { createKyselyOutboxStore } from './kysely-outbox-store.ts';

runOrmAdapterScenarios('Kysely on MySQL (MariaDB)', async () => {
  const fixture = await createMysqlFixture();
  const db = new Kysely<{ orders: { id: string } }>({
    dialect: new MysqlDialect({ pool: createPool({ uri: fixture.url, connectionLimit: 2 }) }),
  });
  const store = createKyselyOutboxStore({ db, store: fixture.store });
  return {
    store,
    outsideTransaction: db,
    async placeOrder(outbox, id, events, fault) {
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('orders').values({ id }).execute();
        await outbox.append(trx, events);
        if (fault === 'throw') throw new Error('payment declined');
        if (fault === 'duplicate-row') await trx.insertInto('orders').values({ id }).execute();
      });
    },
    insertOrder: async (trx, id) => {
      await trx.insertInto('orders').values({ id }).execute();
    },
    orderIds: fixture.orderIds,
    async close() {
      await db.destroy();
      await fixture.close();
    },
  };
});
