/**
 * The TypeORM adapter: the outbox and inbox inside the `EntityManager` of
 * `dataSource.transaction(…)`. On PostgreSQL the store's statements run on that manager's
 * query runner, which holds the transaction's connection; on SQLite (the better-sqlite3
 * driver) the store appends on the driver's one connection, which it must share; on MySQL
 * the store gets the mysql2 connection of the transaction's query runner.
 */
import type { DataSource, EntityManager } from 'typeorm';
import type { OrmBridge } from '../shared/orm-bridge.ts';
import { createOrmOutboxStore, type OrmOutboxStore } from '../shared/orm-outbox-store.ts';
import {
  type DriverConnectionStore,
  isSqliteStore,
  type QueryableStore,
  type SqliteConnection,
  type SqliteStore,
} from '../shared/stores.ts';

export interface TypeormOutboxStoreOptions {
  /** Your initialized DataSource (postgres; mysql / mariadb on mysql2; or better-sqlite3 sharing its connection with the store). */
  readonly dataSource: DataSource;
  /**
   * The outbox store: PostgreSQL, or SQLite created with
   * `database: dataSource.driver.databaseConnection` (TypeORM's better-sqlite3 connection).
   */
  readonly store: QueryableStore | SqliteStore | DriverConnectionStore;
}

const isManager = (handle: unknown): handle is EntityManager =>
  typeof (handle as { transaction?: unknown } | null)?.transaction === 'function' &&
  typeof (handle as { query?: unknown }).query === 'function' &&
  'connection' in (handle as object);

const driverError = (error: unknown): unknown =>
  (error as { driverError?: unknown } | null)?.driverError ?? error;

/**
 * The outbox store and inbox inside your TypeORM transactions: give it to `createOutbox`
 * (and to `createConsumer` as `inbox`), then `outbox.append(manager, events)` inside your own
 * `dataSource.transaction(async (manager) => …)`, or `outbox.transaction(async (manager,
 * record) => …)`. A durable handler's `context.tx` is that `EntityManager` too.
 *
 * @example
 * const store = createTypeormOutboxStore({ dataSource, store: createPostgresOutboxStore({ pool }) });
 * const outbox = createOutbox({ store, routes: [{ name: 'broker' }] });
 * await dataSource.transaction(async (manager) => {
 *   await manager.insert(Order, { id: 'o-1' });
 *   await outbox.append(manager, [OrderPlaced.create({ orderId: 'o-1' })]);
 * });
 */
export function createTypeormOutboxStore(options: TypeormOutboxStoreOptions): OrmOutboxStore<EntityManager> {
  const { dataSource, store } = options;
  const bridge: OrmBridge<EntityManager> = {
    orm: 'TypeORM',
    expected: 'the manager of dataSource.transaction(async (manager) => …), or use outbox.transaction',
    transaction: (work) => dataSource.transaction(work),
    // The root dataSource.manager has no query runner: each of its queries would autocommit.
    inTransaction: (handle): handle is EntityManager =>
      isManager(handle) && handle.queryRunner?.isTransactionActive === true,
    connection: (manager) =>
      (manager.connection.driver as { databaseConnection?: SqliteConnection }).databaseConnection,
  };
  if (dataSource.options.type === 'mysql' || dataSource.options.type === 'mariadb') {
    // The mysql2 connection the transaction's query runner holds: the MySQL store checks for
    // itself that it is inside a transaction.
    bridge.storeHandle = (manager) =>
      (manager.queryRunner as unknown as { databaseConnection: unknown }).databaseConnection;
  } else if (!isSqliteStore(store)) {
    bridge.query = async (manager, text, values) => {
      const runner = manager.queryRunner as NonNullable<EntityManager['queryRunner']>;
      const result = await runner.query(text, values, true).catch((error: unknown) => {
        // TypeORM wraps the driver's error; the store reads the driver's SQLSTATE (e.g. a duplicate id).
        throw driverError(error);
      });
      return { rowCount: result.affected ?? result.records.length };
    };
  }
  return createOrmOutboxStore(store, bridge);
}
