/**
 * Options of the SQLite outbox store, and their validation: a bad option fails at once,
 * naming the value, rather than as an SQL error on the first append.
 */
import { ConfigurationError } from '@tidings/core';
import { createErrorReporter, describeValue } from '@tidings/core/spi';
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
  /**
   * Where WAL checkpoints run. `'background'` (the default): one worker thread per process,
   * with its own connection to each store's file, checkpoints every 100 ms a file something
   * was committed to, and the store's connection never does, so no commit stops the event
   * loop for a checkpoint's fsyncs. `'inline'`: SQLite's automatic checkpoint in the committing call, as a plain
   * better-sqlite3 connection does. Ignored for `':memory:'`.
   */
  readonly checkpoint?: 'background' | 'inline';
  /**
   * Hears failures that no call returns, such as a background checkpoint that stopped
   * (the store then checkpoints inline). Default: `console.error`, at most once a second.
   */
  readonly onError?: (error: unknown) => void;
}

export interface ResolvedOptions {
  readonly tablePrefix: string;
  readonly clock: () => number;
  readonly busyTimeoutMs: number;
  readonly checkpoint: 'background' | 'inline';
  readonly onError: (error: unknown) => void;
}

// Letters, digits and underscores, not starting with a digit: safe to splice into SQL unquoted.
const identifier = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export function resolveOptions(options: SqliteOutboxStoreOptions): ResolvedOptions {
  const {
    filename,
    database,
    tablePrefix = 'tidings_',
    clock = Date.now,
    busyTimeoutMs = 5000,
    checkpoint = 'background',
    onError = createErrorReporter('tidings sqlite store:'),
  } = options;
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
  if (checkpoint !== 'background' && checkpoint !== 'inline') {
    throw new ConfigurationError(
      `checkpoint must be 'background' or 'inline'; got ${describeValue(checkpoint)}.`,
    );
  }
  if (typeof onError !== 'function') {
    throw new ConfigurationError(`onError must be a function; got ${describeValue(onError)}.`);
  }
  return { tablePrefix, clock, busyTimeoutMs, checkpoint, onError };
}
