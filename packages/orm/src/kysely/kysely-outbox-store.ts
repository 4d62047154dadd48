/**
 * The Kysely adapter: the outbox and inbox inside a Kysely transaction. On PostgreSQL the
 * store's statements run as compiled raw queries on the transaction's connection; on SQLite
 * (SqliteDialect over better-sqlite3) the store appends on the connection it shares with
 * Kysely, which Kysely holds inside the transaction for as long as it is open. On MySQL
 * (MysqlDialect) the store's statements run as raw queries on the transaction, too.
 */
import { CompiledQuery, type Kysely, MysqlAdapter, type Transaction } from 'kysely';
import { mysqlConnectionShim } from '../shared/mysql-shim.ts';
import type { OrmBridge } from '../shared/orm-bridge.ts';
import { createOrmOutboxStore, type OrmOutboxStore } from '../shared/orm-outbox-store.ts';
import {
  type DriverConnectionStore,
  isSqliteStore,
  type QueryableStore,
  type SqliteStore,
} from '../shared/stores.ts';

export interface KyselyOutboxStoreOptions<DB> {
  /** Your Kysely instance (PostgresDialect, or SqliteDialect on the store's connection). */
  readonly db: Kysely<DB>;
  /** The outbox store: PostgreSQL, or SQLite created with `database` = the Database given to SqliteDialect. */
  readonly store: QueryableStore | SqliteStore | DriverConnectionStore;
}

const isKysely = (handle: unknown): handle is { readonly isTransaction: boolean } =>
  typeof (handle as { isTransaction?: unknown } | null)?.isTransaction === 'boolean' &&
  typeof (handle as { executeQuery?: unknown }).executeQuery === 'function';

/**
 * The outbox store and inbox inside your Kysely transactions: give it to `createOutbox`
 * (and to `createConsumer` as `inbox`), then `outbox.append(trx, events)` inside your own
 * `db.transaction().execute(…)`, or `outbox.transaction(async (trx, record) => …)`. A
 * durable handler's `context.tx` is a Kysely `Transaction` too.
 *
 * @example
 * const store = createKyselyOutboxStore({ db, store: createPostgresOutboxStore({ pool }) });
 * const outbox = createOutbox({ store, routes: [{ name: 'broker' }] });
 * await db.transaction().execute(async (trx) => {
 *   await trx.insertInto('orders').values({ id: 'o-1' }).execute();
 *   await outbox.append(trx, [OrderPlaced.create({ orderId: 'o-1' })]);
 * });
 */
export function createKyselyOutboxStore<DB>(
  options: KyselyOutboxStoreOptions<DB>,
): OrmOutboxStore<Transaction<DB>> {
  const { db, store } = options;
  const bridge: OrmBridge<Transaction<DB>> = {
    orm: 'Kysely',
    expected: 'the trx of db.transaction().execute(async (trx) => …), or use outbox.transaction',
    transaction: (work) => db.transaction().execute(work),
    inTransaction: (handle): handle is Transaction<DB> => isKysely(handle) && handle.isTransaction,
  };
  const query = async (trx: Transaction<DB>, text: string, values: unknown[]) => {
    const result = await trx.executeQuery(CompiledQuery.raw(text, values));
    // Kysely reports affected rows for writes and rows for RETURNING / SELECT.
    return {
      rowCount: result.numAffectedRows === undefined ? result.rows.length : Number(result.numAffectedRows),
    };
  };
  // Kysely keeps its mysql2 connection private: the MySQL store gets a shim on the transaction.
  if (db.getExecutor().adapter instanceof MysqlAdapter) {
    bridge.storeHandle = (trx) => mysqlConnectionShim((sql, values) => query(trx, sql, values));
  } else if (!isSqliteStore(store)) {
    bridge.query = query;
  }
  return createOrmOutboxStore(store, bridge);
}
