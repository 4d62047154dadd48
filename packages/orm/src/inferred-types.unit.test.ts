/**
 * Pins what `context.tx` and the adapters' handles are inferred as, with no type parameter:
 * the user's own ORM transaction type, schema included.
 */
import { createOutbox, defineEvent, durableHandlerFor } from '@tidings/core';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { MySqlTransaction } from 'drizzle-orm/mysql-core';
import type { MySql2Database, MySql2PreparedQueryHKT, MySql2QueryResultHKT } from 'drizzle-orm/mysql2';
import type { NodePgDatabase, NodePgTransaction } from 'drizzle-orm/node-postgres';
import { pgTable, text } from 'drizzle-orm/pg-core';
import type { Kysely, Transaction } from 'kysely';
import type { DataSource, EntityManager } from 'typeorm';
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { createDrizzleOutboxStore } from './drizzle/drizzle-outbox-store.ts';
import { createKyselyOutboxStore } from './kysely/kysely-outbox-store.ts';
import { createPrismaOutboxStore, type PrismaTransactionClient } from './prisma/prisma-outbox-store.ts';
import type { DriverConnectionStore, QueryableStore, SqliteStore } from './shared/stores.ts';
import { createTypeormOutboxStore } from './typeorm/typeorm-outbox-store.ts';

const OrderPlaced = defineEvent('OrderPlaced', { schema: z.object({ orderId: z.string() }) });
const orders = pgTable('orders', { id: text('id').primaryKey() });
const schema = { orders };
const pgStore = {} as QueryableStore;
const sqliteStore = {} as SqliteStore;
const mysqlStore = {} as DriverConnectionStore;

// Builds each adapter store only in the type system: nothing here runs against a database.
const typeOnly = <T>(build: () => T): T => build as unknown as T;

describe('inferred transaction types', () => {
  it('Drizzle on node-postgres: the transaction of your schema', () => {
    const store = typeOnly(() =>
      createDrizzleOutboxStore({ db: {} as NodePgDatabase<typeof schema>, store: pgStore }),
    );
    type Tx = NodePgTransaction<typeof schema, ExtractTablesWithRelations<typeof schema>>;
    durableHandlerFor(store)(
      'count',
      OrderPlaced,
      (_event, { tx }) => {
        expectTypeOf(tx).toEqualTypeOf<Tx>();
      },
      { inbox: true },
    );
    expectTypeOf(createOutbox({ store }).append).parameter(0).toEqualTypeOf<Tx>();
  });

  it('Drizzle on better-sqlite3: the database or a transaction, both on the shared connection', () => {
    const store = typeOnly(() =>
      createDrizzleOutboxStore({ db: {} as BetterSQLite3Database, store: sqliteStore }),
    );
    durableHandlerFor(store)(
      'count',
      OrderPlaced,
      (_event, { tx }) => {
        expectTypeOf(tx.insert).toBeFunction();
      },
      { inbox: true },
    );
  });

  it('Drizzle on mysql2: the transaction of your schema', () => {
    const store = typeOnly(() =>
      createDrizzleOutboxStore({ db: {} as MySql2Database<typeof schema>, store: mysqlStore }),
    );
    durableHandlerFor(store)(
      'count',
      OrderPlaced,
      (_event, { tx }) => {
        expectTypeOf(tx).toEqualTypeOf<
          MySqlTransaction<
            MySql2QueryResultHKT,
            MySql2PreparedQueryHKT,
            typeof schema,
            ExtractTablesWithRelations<typeof schema>
          >
        >();
      },
      { inbox: true },
    );
  });

  it('Kysely: Transaction<DB>', () => {
    interface DB {
      orders: { id: string };
    }
    const store = typeOnly(() => createKyselyOutboxStore({ db: {} as Kysely<DB>, store: pgStore }));
    durableHandlerFor(store)(
      'count',
      OrderPlaced,
      (_event, { tx }) => {
        expectTypeOf(tx).toEqualTypeOf<Transaction<DB>>();
      },
      { inbox: true },
    );
  });

  it("TypeORM: the transaction's EntityManager", () => {
    const store = typeOnly(() => createTypeormOutboxStore({ dataSource: {} as DataSource, store: pgStore }));
    durableHandlerFor(store)(
      'count',
      OrderPlaced,
      (_event, { tx }) => {
        expectTypeOf(tx).toEqualTypeOf<EntityManager>();
      },
      { inbox: true },
    );
  });

  it("Prisma: your generated client's transaction client", () => {
    interface ShopTx extends PrismaTransactionClient {
      order: { create(args: { data: { id: string } }): Promise<unknown> };
    }
    const prisma = {} as { $transaction<R>(work: (tx: ShopTx) => Promise<R>): Promise<R> };
    const store = typeOnly(() => createPrismaOutboxStore({ prisma, store: pgStore }));
    durableHandlerFor(store)(
      'count',
      OrderPlaced,
      (_event, { tx }) => {
        expectTypeOf(tx).toEqualTypeOf<ShopTx>();
      },
      { inbox: true },
    );
  });

  it('a handler without the inbox has no transaction, and fits every adapter', () => {
    const store = typeOnly(() =>
      createKyselyOutboxStore({ db: {} as Kysely<{ a: { id: string } }>, store: pgStore }),
    );
    durableHandlerFor(store)('mail', OrderPlaced, (_event, { tx }) => {
      expectTypeOf(tx).toEqualTypeOf<undefined>();
    });
  });
});
