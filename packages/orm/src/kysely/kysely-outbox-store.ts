/**
 * The Kysely adapter: the outbox and inbox inside a Kysely transaction. On PostgreSQL the
 * store's statements run as compiled raw queries on the transaction's connection; on SQLite
 * (SqliteDialect over better-sqlite3) the store appends on the connection it shares with
 * Kysely, which Kysely holds inside the transaction for as long as it is open. On MySQL
 * (MysqlDialect) the store's statements run as raw queries on the transaction, too.
 */
import { CompiledQuery, type Kysely, MysqlAdapter, type Transaction } from 'kysely';
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
 * Kysely keeps its mysql2 connection private, so the MySQL store gets the part of a mysql2
 * connection it uses, `query({ sql }, values)` resolving to `[rows or result header]`, run on
 * the transaction. No `serverStatus` comes back, so the store relies on the check here that
 * `trx` is a Kysely transaction.
 */
function mysqlShim<DB>(trx: Transaction<DB>) {
  return {
    async query(options: { readonly sql: string }, values: unknown[]) {
      const result = await trx.executeQuery(CompiledQuery.raw(options.sql, values));
      return [
        result.numAffectedRows === undefined ? result.rows : { affectedRows: Number(result.numAffectedRows) },
      ];
    },
  };
}

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
  if (db.getExecutor().adapter instanceof MysqlAdapter) {
    bridge.storeHandle = mysqlShim;
  } else if (!isSqliteStore(store)) {
    bridge.query = async (trx, text, values) => {
      const result = await trx.executeQuery(CompiledQuery.raw(text, values));
      // Kysely reports affected rows for writes and rows for RETURNING / SELECT.
      return {
        rowCount: result.numAffectedRows === undefined ? result.rows.length : Number(result.numAffectedRows),
      };
    };
  }
  return createOrmOutboxStore(store, bridge);
}
