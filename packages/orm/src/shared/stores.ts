/**
 * The stores an ORM adapter can wrap, described by what the adapter needs of them rather
 * than by package: a store that runs parameterised SQL on a transaction handle (PostgreSQL,
 * and any store whose `append` accepts a `query(text, values)` handle), or a store on a
 * better-sqlite3 connection that the ORM shares (SQLite). Structural, so this package
 * imports neither store package.
 */
import type { Inbox, OutboxStore } from '@tidings/core';

/** Runs one parameterised statement on an open transaction (see `PgQueryable`). */
export interface SqlQueryable {
  query(text: string, values: unknown[]): Promise<{ readonly rowCount: number | null }>;
}

/** A store whose appends and inbox records run as SQL on a {@link SqlQueryable}. */
export type QueryableStore = OutboxStore<SqlQueryable> & Inbox<SqlQueryable>;

/** The least of a better-sqlite3 `Database` the adapters look at. */
export interface SqliteConnection {
  readonly inTransaction: boolean;
  prepare(sql: string): unknown;
}

/** A store on a better-sqlite3 connection: `@tidings/sqlite`'s. */
export interface SqliteStore
  extends OutboxStore<{ readonly db: SqliteConnection }>,
    Inbox<{ readonly db: SqliteConnection }> {
  /** The connection the store writes on: give the same one to your ORM. */
  readonly database: SqliteConnection;
}

/**
 * A store that takes the driver's own connection and checks it itself (`@tidings/mysql`:
 * a mysql2 connection inside a transaction). Typed loosely: the adapter hands it the
 * connection under the ORM transaction.
 */
export type DriverConnectionStore = OutboxStore<object> & Inbox<object>;

/** Any store an ORM adapter wraps. */
export type WrappableStore = QueryableStore | SqliteStore | DriverConnectionStore;

export function isSqliteStore(store: WrappableStore): store is SqliteStore {
  const database = (store as { database?: Partial<SqliteConnection> }).database;
  return typeof database?.inTransaction === 'boolean' && typeof database.prepare === 'function';
}
