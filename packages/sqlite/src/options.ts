/**
 * Options of the SQLite outbox store, and their validation: a bad option fails at once,
 * naming the value, rather than as an SQL error on the first append.
 */
import { ConfigurationError } from '@tidings/core';
import { describeValue } from '@tidings/core/spi';
import type Database from 'better-sqlite3';

/** The transaction handle the store passes to `transaction` work: the connection inside it. */
export interface SqliteTx {
  /** The store's connection, inside an open transaction: run your own writes on it. */
  readonly db: Database.Database;
}

export interface SqliteOutboxStoreOptions {
  /** Database file to open (created when missing). Give this or `database`, not both. */
  readonly filename?: string;
  /**
   * An open better-sqlite3 connection to use instead of opening `filename`; the store
   * applies its pragmas and migrations to it and does not close it on `close()`.
   */
  readonly database?: Database.Database;
  /** Prefix of every table name, an SQL identifier. Default `'tidings_'`. */
  readonly tablePrefix?: string;
  /** Milliseconds since epoch; every lease, retry and age computation uses it. Default `Date.now`. */
  readonly clock?: () => number;
  /**
   * How long a write waits for another connection's write transaction to end before failing
   * with `StoreError`. The wait yields to the event loop. Default 5000.
   */
  readonly busyTimeoutMs?: number;
}

export interface ResolvedOptions {
  readonly tablePrefix: string;
  readonly clock: () => number;
  readonly busyTimeoutMs: number;
}

// Letters, digits and underscores, not starting with a digit: safe to splice into SQL unquoted.
const identifier = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export function resolveOptions(options: SqliteOutboxStoreOptions): ResolvedOptions {
  const { filename, database, tablePrefix = 'tidings_', clock = Date.now, busyTimeoutMs = 5000 } = options;
  if ((filename === undefined) === (database === undefined)) {
    throw new ConfigurationError(
      'createSqliteOutboxStore needs exactly one of `filename` or `database`; ' +
        `got ${filename === undefined ? 'neither' : 'both'}. Pass a file path, ':memory:', or an open better-sqlite3 Database.`,
    );
  }
  if (tablePrefix !== '' && !identifier.test(tablePrefix)) {
    throw new ConfigurationError(
      `tablePrefix ${describeValue(tablePrefix)} is not a valid SQL identifier prefix. ` +
        'Use letters, digits and underscores only, not starting with a digit (e.g. "tidings_"), at most 63 characters.',
      { details: { tablePrefix } },
    );
  }
  if (typeof clock !== 'function') {
    throw new ConfigurationError(
      `clock must be a function returning milliseconds since epoch; got ${describeValue(clock)}.`,
    );
  }
  if (!Number.isFinite(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new ConfigurationError(
      `busyTimeoutMs must be a non-negative number of milliseconds; got ${describeValue(busyTimeoutMs)}.`,
    );
  }
  return { tablePrefix, clock, busyTimeoutMs };
}
