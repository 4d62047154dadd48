/**
 * The store's hold on mysql2: one promise pool (given or created), an `'error'` listener on
 * every connection it touches so a server restart never becomes an unhandled 'error' event,
 * queries issued with options that a pool's own settings (rowsAsArray, nestTables, named
 * placeholders, custom type casts) cannot change, and the checks that refuse a handle that
 * is not a connection inside a transaction before anything is written through it.
 */
import { ConfigurationError } from '@tidings/core';
import { describeValue } from '@tidings/core/spi';
import mysql, { type Connection, type Pool, type PoolConnection, type QueryOptions } from 'mysql2/promise';
import type { MysqlOutboxStoreOptions, MysqlTx } from './options.ts';

/** Anything that runs a query: a pool or a connection (promise API). */
export type Queryable = Pick<Connection, 'query'>;

interface CoreEmitter {
  on(event: 'error', listener: () => void): unknown;
}

const guarded = new WeakSet<object>();
const ignore = () => undefined;

/**
 * Adds a no-op `'error'` listener to a core connection, once. mysql2 emits 'error' on a
 * pooled connection that loses its socket; its own `once` listener is spent after the first.
 */
export function guard(core: unknown): void {
  if (typeof core !== 'object' || core === null || guarded.has(core)) return;
  guarded.add(core);
  (core as CoreEmitter).on('error', ignore);
}

export interface StorePool {
  readonly pool: Pool;
  /** Checks out a connection that listens for 'error'. */
  connect(): Promise<PoolConnection>;
  /** Stops watching the pool's new connections; ends the pool when the store created it. */
  close(): Promise<void>;
}

export function openPool(options: MysqlOutboxStoreOptions): StorePool {
  const own = options.pool === undefined;
  const given = options.pool as { promise?: () => Pool; getConnection?: unknown } | undefined;
  const pool: Pool =
    given === undefined
      ? mysql.createPool({ uri: options.uri as string, charset: 'utf8mb4', connectionLimit: 10 })
      : 'pool' in given
        ? (given as Pool)
        : typeof given.promise === 'function'
          ? given.promise()
          : (given as Pool);
  if (typeof pool?.getConnection !== 'function' || typeof pool.query !== 'function') {
    throw new ConfigurationError(
      `pool ${describeValue(options.pool)} is not a mysql2 pool; pass mysql.createPool(…) from "mysql2/promise" (or "mysql2").`,
    );
  }
  const onConnection = (connection: PoolConnection) => guard(connection.connection ?? connection);
  pool.on('connection', onConnection);
  return {
    pool,
    async close() {
      pool.off('connection', onConnection);
      if (own) await pool.end();
    },
    async connect() {
      const connection = await pool.getConnection();
      guard(connection.connection);
      return connection;
    },
  };
}

const queryOptions = {
  rowsAsArray: false,
  nestTables: false,
  namedPlaceholders: false,
  typeCast: true,
} as const;

/** Runs one statement with `?` placeholders; returns the rows or the result header. */
export async function run<T>(on: Queryable, sql: string, values: readonly unknown[] = []): Promise<T> {
  const [result] = await on.query({ sql, ...queryOptions } as QueryOptions, values as unknown[]);
  return result as T;
}

const SERVER_STATUS_IN_TRANS = 1;
const SERVER_STATUS_AUTOCOMMIT = 2;

/**
 * Turns what the caller handed `append` or `markProcessed` into a promise connection, after
 * proving it is inside a transaction: a pool, a callback-only object or a connection in
 * autocommit mode would commit each of our statements on its own.
 */
export async function transactionOf(tx: unknown, operation: string): Promise<MysqlTx> {
  const fix =
    'Pass the connection of an open transaction: `const conn = await pool.getConnection(); await conn.beginTransaction();` ' +
    '(or your ORM transaction’s mysql2 connection), or use store.transaction(work).';
  if (typeof tx !== 'object' || tx === null) {
    throw new ConfigurationError(`${operation} got ${describeValue(tx)} as its transaction. ${fix}`);
  }
  const candidate = tx as {
    getConnection?: unknown;
    pool?: unknown;
    promise?: () => MysqlTx;
    query?: unknown;
  };
  if (typeof candidate.getConnection === 'function') {
    throw new ConfigurationError(
      `${operation} got a mysql2 Pool, not a connection: each statement would commit on its own, apart from your writes. ${fix}`,
    );
  }
  const connection =
    'connection' in candidate || typeof candidate.promise !== 'function'
      ? (candidate as MysqlTx)
      : candidate.promise();
  if (typeof connection.query !== 'function') {
    throw new ConfigurationError(`${operation} got an object that is not a mysql2 connection. ${fix}`);
  }
  guard((connection as { connection?: unknown }).connection);
  const header = await run<{ serverStatus?: number }>(connection, 'DO 0');
  const status = header.serverStatus ?? SERVER_STATUS_IN_TRANS;
  if ((status & SERVER_STATUS_IN_TRANS) === 0 && (status & SERVER_STATUS_AUTOCOMMIT) !== 0) {
    throw new ConfigurationError(
      `${operation} got a connection that is not inside a transaction (autocommit is on and no transaction is open). ${fix}`,
    );
  }
  return connection;
}
