import { drizzle } from 'drizzle-orm/better-sqlite3';
import { sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { expect, it } from 'vitest';
import { runOrmAdapterScenarios } from '../../test/adapter-scenarios.ts';
import { createSqliteFixture } from '../../test/sqlite.ts';
import { createDrizzleOutboxStore } from './drizzle-outbox-store.ts';

const orders = sqliteTable('orders', { id: text('id').primaryKey() });

runOrmAdapterScenarios('Drizzle on better-sqlite3', async () => {
  const fixture = await createSqliteFixture();
  const db = drizzle(fixture.sqlite);
  const store = createDrizzleOutboxStore({ db, store: fixture.store });
  return {
    store,
    outsideTransaction: db,
    async placeOrder(outbox, id, events, fault) {
      // Drizzle's better-sqlite3 transactions are synchronous: append throws synchronously on failure.
      db.transaction((tx) => {
        tx.insert(orders).values({ id }).run();
        outbox.append(tx, events);
        if (fault === 'throw') throw new Error('payment declined');
        if (fault === 'duplicate-row') tx.insert(orders).values({ id }).run();
      });
    },
    insertOrder: (tx, id) => {
      tx.insert(orders).values({ id }).run();
    },
    orderIds: fixture.orderIds,
    close: fixture.close,
  };
});

it('refuses a Drizzle database on another connection than the store', async () => {
  const [fixture, other] = await Promise.all([createSqliteFixture(), createSqliteFixture()]);
  try {
    expect(() => createDrizzleOutboxStore({ db: drizzle(other.sqlite), store: fixture.store })).toThrow(
      /different connections.*createSqliteOutboxStore\(\{ database: sqlite \}\)/,
    );
  } finally {
    await Promise.all([fixture.close(), other.close()]);
  }
});
