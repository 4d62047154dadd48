import { createOutbox, type StoredEvent } from '@tidings/core';
import type { Delivery } from '@tidings/core/spi';
import { Kysely, SqliteDialect } from 'kysely';
import { expect, it, onTestFinished } from 'vitest';
import { OrderPlaced, runOrmAdapterScenarios } from '../../test/adapter-scenarios.ts';
import { createSqliteFixture } from '../../test/sqlite.ts';
import { createKyselyOutboxStore } from './kysely-outbox-store.ts';

interface Shop {
  orders: { id: string };
}

runOrmAdapterScenarios('Kysely on SQLite (better-sqlite3)', async () => {
  const fixture = await createSqliteFixture();
  const db = new Kysely<Shop>({ dialect: new SqliteDialect({ database: fixture.sqlite }) });
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
    close: fixture.close,
  };
});

it('a relay claim on the shared connection waits for the open Kysely transaction instead of failing', async () => {
  const fixture = await createSqliteFixture();
  onTestFinished(fixture.close);
  const db = new Kysely<Shop>({ dialect: new SqliteDialect({ database: fixture.sqlite }) });
  const outbox = createOutbox({
    store: createKyselyOutboxStore({ db, store: fixture.store }),
    routes: [{ name: 'broker' }],
  });
  const event = OrderPlaced.create({ orderId: 'o-1' });
  let claim: Promise<readonly Delivery[]> | undefined;
  await db.transaction().execute(async (trx) => {
    await outbox.append(trx, [event]);
    claim = fixture.store.claim({ consumers: ['broker'], limit: 10, leaseMs: 30_000, owner: 'relay-1' });
    // Kysely awaits between statements: the claim's turn comes while this transaction is open.
    await new Promise((resolve) => setImmediate(resolve));
    await trx.insertInto('orders').values({ id: 'o-1' }).execute();
  });
  expect((await claim)?.map((d) => d.event.id)).toEqual([event.id]);
  expect(await fixture.orderIds()).toEqual(['o-1']);
});

it('an audit read on the shared connection waits for the open Kysely transaction and never sees its rows', async () => {
  const fixture = await createSqliteFixture();
  onTestFinished(fixture.close);
  const db = new Kysely<Shop>({ dialect: new SqliteDialect({ database: fixture.sqlite }) });
  const outbox = createOutbox({
    store: createKyselyOutboxStore({ db, store: fixture.store }),
    routes: [{ name: 'broker' }],
  });
  let read: Promise<readonly StoredEvent[]> | undefined;
  await expect(
    db.transaction().execute(async (trx) => {
      await outbox.append(trx, [OrderPlaced.create({ orderId: 'o-2' })]);
      read = fixture.store.events();
      await new Promise((resolve) => setImmediate(resolve));
      throw new Error('payment declined');
    }),
  ).rejects.toThrow('payment declined');
  expect(await read).toEqual([]);
});
