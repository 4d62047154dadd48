import { Kysely, PostgresDialect } from 'kysely';
import { runOrmAdapterScenarios } from '../../test/adapter-scenarios.ts';
import { createPgFixture } from '../../test/postgres.ts';
import { createKyselyOutboxStore } from './kysely-outbox-store.ts';

interface Shop {
  orders: { id: string };
}

runOrmAdapterScenarios('Kysely on PostgreSQL', async () => {
  const pgFixture = await createPgFixture();
  // Kysely must not end the fixture's pool: the fixture does.
  const db = new Kysely<Shop>({ dialect: new PostgresDialect({ pool: pgFixture.pool }) }).withSchema(
    pgFixture.schema,
  );
  const store = createKyselyOutboxStore({ db, store: pgFixture.store });
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
    orderIds: pgFixture.orderIds,
    close: pgFixture.close,
  };
});
