/**
 * The Drizzle adapter: the outbox and inbox inside a Drizzle transaction. On PostgreSQL
 * (node-postgres) the store's statements run through the transaction's own session, so
 * they share its connection and show in Drizzle's logger. On SQLite (better-sqlite3) Drizzle
 * transactions are synchronous and the store appends synchronously on the connection it
 * shares with Drizzle; any Drizzle handle is accepted while that connection is inside a
 * transaction, and `transaction` opens the store's own (which may await) with `db` as handle.
 * On MySQL (mysql2) the store gets the mysql2 connection the transaction holds.
 */
import { ConfigurationError } from '@tidings/core';
import { describeValue } from '@tidings/core/spi';
import { DrizzleQueryError, is } from 'drizzle-orm';
import { MySqlDatabase, MySqlTransaction } from 'drizzle-orm/mysql-core';
import { PgDatabase, PgTransaction } from 'drizzle-orm/pg-core';
import { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import type { OrmBridge } from '../shared/orm-bridge.ts';
import { createOrmOutboxStore, type OrmOutboxStore } from '../shared/orm-outbox-store.ts';
import {
  type DriverConnectionStore,
  isSqliteStore,
  type QueryableStore,
  type SqliteConnection,
  type SqliteStore,
} from '../shared/stores.ts';

/** The transaction handle `db.transaction` passes to its callback. */
export type DrizzleTxOf<DB> = DB extends {
  transaction(work: (tx: infer Tx) => infer _R, ...rest: infer _C): unknown;
}
  ? Tx
  : never;

// Any schema: the adapter never looks at the user's tables, and Drizzle's generics are invariant.
// biome-ignore lint/suspicious/noExplicitAny: matches every Drizzle node-postgres database
type AnyPgDatabase = PgDatabase<any, any, any>;
// biome-ignore lint/suspicious/noExplicitAny: matches every Drizzle better-sqlite3 database
type AnySqliteDatabase = BaseSQLiteDatabase<'sync', any, any, any>;
// biome-ignore lint/suspicious/noExplicitAny: matches every Drizzle PostgreSQL transaction
type AnyPgTransaction = PgTransaction<any, any, any>;
// biome-ignore lint/suspicious/noExplicitAny: matches every Drizzle mysql2 database
type AnyMySqlDatabase = MySqlDatabase<any, any, any, any>;
// biome-ignore lint/suspicious/noExplicitAny: matches every Drizzle MySQL transaction
type AnyMySqlTransaction = MySqlTransaction<any, any, any, any>;

interface PreparedSession {
  prepareQuery(
    query: { sql: string; params: unknown[] },
    fields: undefined,
    name: undefined,
    arrayMode: false,
  ): { execute(): Promise<{ readonly rowCount: number | null }> };
}

function pgBridge(db: AnyPgDatabase): OrmBridge<AnyPgTransaction> {
  return {
    orm: 'Drizzle',
    expected: 'the tx of db.transaction(async (tx) => …), or use outbox.transaction',
    transaction: (work) => db.transaction(work),
    inTransaction: (handle): handle is AnyPgTransaction => is(handle, PgTransaction),
    query: (tx, text, values) =>
      (tx._.session as unknown as PreparedSession)
        .prepareQuery({ sql: text, params: values }, undefined, undefined, false)
        .execute()
        .catch((error: unknown) => {
          // Drizzle wraps the driver's error (with the whole statement and its parameters);
          // the store reads the driver's SQLSTATE to say what went wrong, e.g. a duplicate id.
          throw error instanceof DrizzleQueryError && error.cause !== undefined ? error.cause : error;
        }),
  };
}

function mysqlBridge(db: AnyMySqlDatabase): OrmBridge<AnyMySqlTransaction> {
  return {
    orm: 'Drizzle',
    expected: 'the tx of db.transaction(async (tx) => …), or use outbox.transaction',
    transaction: (work) => db.transaction(work),
    inTransaction: (handle): handle is AnyMySqlTransaction => is(handle, MySqlTransaction),
    // The mysql2 connection the transaction holds (Drizzle's session client): the MySQL
    // store checks for itself that it is inside a transaction.
    storeHandle: (tx) => (tx as unknown as { session: { client: unknown } }).session.client,
  };
}

// Drizzle keeps the better-sqlite3 connection on its (internal) session; read to check it is the store's.
const connectionOf = (handle: unknown): SqliteConnection | undefined =>
  (handle as { session?: { client?: SqliteConnection } }).session?.client;

function sqliteBridge<DB extends AnySqliteDatabase>(db: DB, store: SqliteStore): OrmBridge<DB> {
  return {
    orm: 'Drizzle',
    expected: 'db or tx inside db.transaction((tx) => …), or use outbox.transaction',
    transaction: (work) => store.transaction(() => work(db)),
    inTransaction: (handle): handle is DB =>
      is(handle, BaseSQLiteDatabase) && connectionOf(handle)?.inTransaction === true,
    connection: connectionOf,
  };
}

export interface DrizzleOutboxStoreOptions<DB, Store> {
  /** Your Drizzle database (`drizzle(pool)` or `drizzle(sqlite)`). */
  readonly db: DB;
  /** The outbox store to write to: PostgreSQL for node-postgres, SQLite (on the same connection) for better-sqlite3. */
  readonly store: Store;
}

/**
 * The outbox store and inbox inside your Drizzle transactions: give it to `createOutbox`
 * (and to `createConsumer` as `inbox`), then `outbox.append(tx, events)` inside your own
 * `db.transaction`, or `outbox.transaction(async (tx, record) => …)`. A durable handler's
 * `context.tx` is a Drizzle transaction too.
 *
 * @example
 * const store = createDrizzleOutboxStore({ db, store: createPostgresOutboxStore({ pool }) });
 * const outbox = createOutbox({ store, routes: [{ name: 'broker' }] });
 * await db.transaction(async (tx) => {
 *   await tx.insert(orders).values({ id: 'o-1', totalCents: 4200 });
 *   await outbox.append(tx, [OrderPlaced.create({ orderId: 'o-1', totalCents: 4200 })]);
 * });
 */
export function createDrizzleOutboxStore<DB extends AnyPgDatabase>(
  options: DrizzleOutboxStoreOptions<DB, QueryableStore>,
): OrmOutboxStore<DrizzleTxOf<DB>>;
export function createDrizzleOutboxStore<DB extends AnySqliteDatabase>(
  options: DrizzleOutboxStoreOptions<DB, SqliteStore>,
): OrmOutboxStore<DB | DrizzleTxOf<DB>>;
export function createDrizzleOutboxStore<DB extends AnyMySqlDatabase>(
  options: DrizzleOutboxStoreOptions<DB, DriverConnectionStore>,
): OrmOutboxStore<DrizzleTxOf<DB>>;
export function createDrizzleOutboxStore(
  options: DrizzleOutboxStoreOptions<unknown, QueryableStore | SqliteStore | DriverConnectionStore>,
): OrmOutboxStore<unknown> {
  const { db, store } = options;
  if (is(db, MySqlDatabase)) {
    return createOrmOutboxStore(store, mysqlBridge(db as AnyMySqlDatabase)) as OrmOutboxStore<unknown>;
  }
  if (is(db, PgDatabase)) {
    return createOrmOutboxStore(store, pgBridge(db as AnyPgDatabase)) as OrmOutboxStore<unknown>;
  }
  if (is(db, BaseSQLiteDatabase) && isSqliteStore(store)) {
    if (connectionOf(db) !== store.database) {
      throw new ConfigurationError(
        'createDrizzleOutboxStore: Drizzle and the SQLite outbox store are on different connections, so events ' +
          'would not commit with your rows. Give both one better-sqlite3 Database: drizzle(sqlite) and ' +
          'createSqliteOutboxStore({ database: sqlite }).',
      );
    }
    return createOrmOutboxStore(
      store,
      sqliteBridge(db as AnySqliteDatabase, store),
    ) as OrmOutboxStore<unknown>;
  }
  throw new ConfigurationError(
    `createDrizzleOutboxStore needs a Drizzle node-postgres database with a PostgreSQL store, a Drizzle ` +
      `better-sqlite3 database with a SQLite store, or a Drizzle mysql2 database with a MySQL store; got db ${describeValue(db)}.`,
  );
}
