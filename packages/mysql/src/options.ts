/**
 * Options of the MySQL / MariaDB outbox store and their validation: a bad option fails at
 * once, naming the value, rather than as an SQL error on the first append. Also derives the
 * quoted table names every other module splices into SQL, and the migration lock's name.
 */
import { createHash } from 'node:crypto';
import { ConfigurationError } from '@tidings/core';
import { describeValue, redactUrl } from '@tidings/core/spi';
import type { Connection, Pool } from 'mysql2/promise';

/**
 * The transaction handle: a mysql2 promise `Connection` (e.g. a `PoolConnection`) on which
 * `beginTransaction()` has run — yours, your ORM's, or the one `store.transaction` checked
 * out. Run your own writes on it; the store's rows commit or roll back with them.
 */
export type MysqlTx = Connection;

export interface MysqlOutboxStoreOptions {
  /** A mysql2 pool (promise API, or a callback pool) to use; the store never ends it. Give this or `uri`. */
  readonly pool?: Pool | { promise(): Pool };
  /** Where to connect when no `pool` is given (`mysql://user:password@host:3306/db`); the store creates and ends its own pool. */
  readonly uri?: string;
  /** Database (schema) of the tables, an SQL identifier. Default: the connection's current database. */
  readonly database?: string;
  /** Prefix of every table name, an SQL identifier prefix. Default `'tidings_'`. */
  readonly tablePrefix?: string;
  /**
   * Milliseconds since epoch. Every lease, retry, age and retention comparison uses this
   * value (sent as a parameter, never SQL `NOW()`), so tests can drive time. Default `Date.now`.
   */
  readonly clock?: () => number;
  /**
   * Apply missing migrations on first use (default `true`). With `false` the store never
   * changes the schema: the first call fails with a StoreError when the tables are older
   * than this code, naming `store.migrate()` as what to run (for deployments where DDL is
   * an operator's step, and for read-only tools).
   */
  readonly autoMigrate?: boolean;
}

/** Backquoted, optionally database-qualified names of the store's tables. */
export interface TableNames {
  /** The database as given, unquoted; undefined means the connection's current one. */
  readonly databaseName: string | undefined;
  readonly prefix: string;
  readonly events: string;
  readonly deliveries: string;
  readonly inbox: string;
  readonly migrations: string;
  /** Name of the GET_LOCK lock that serialises migrations of these tables (at most 64 characters). */
  lockName(currentDatabase: string): string;
}

export interface ResolvedOptions {
  readonly names: TableNames;
  readonly clock: () => number;
  readonly autoMigrate: boolean;
}

const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;
// MySQL names are limited to 64 characters; the longest table name is `<prefix>deliveries`.
const maxPrefixLength = 32;

const quote = (name: string): string => `\`${name}\``;

function checkIdentifier(option: string, value: unknown, max: number, allowEmpty: boolean): string {
  if (
    typeof value === 'string' &&
    ((allowEmpty && value === '') || (identifier.test(value) && value.length <= max))
  ) {
    return value;
  }
  throw new ConfigurationError(
    `${option} ${describeValue(value)} is not a valid SQL identifier${allowEmpty ? ' prefix' : ''}. ` +
      `Use letters, digits and underscores only, not starting with a digit, at most ${max} characters ` +
      `(e.g. ${option === 'database' ? '"app"' : '"tidings_"'}).`,
    { details: { [option]: value } },
  );
}

export function resolveOptions(options: MysqlOutboxStoreOptions): ResolvedOptions {
  const { pool, uri, clock = Date.now, autoMigrate = true } = options;
  if ((pool === undefined) === (uri === undefined)) {
    throw new ConfigurationError(
      'createMysqlOutboxStore needs exactly one of `pool` or `uri`; ' +
        `got ${pool === undefined ? 'neither' : 'both'}. Pass a mysql2 pool, or a URL like "mysql://user@host:3306/db".`,
    );
  }
  if (uri !== undefined && (typeof uri !== 'string' || !/^(mysql|mariadb):\/\//.test(uri))) {
    throw new ConfigurationError(
      `uri ${describeValue(typeof uri === 'string' ? redactUrl(uri) : uri)} is not a MySQL URL; use "mysql://user:password@host:3306/database".`,
    );
  }
  if (typeof clock !== 'function') {
    throw new ConfigurationError(
      `clock must be a function returning milliseconds since epoch; got ${describeValue(clock)}.`,
    );
  }
  if (typeof autoMigrate !== 'boolean') {
    throw new ConfigurationError(`autoMigrate must be true or false; got ${describeValue(autoMigrate)}.`);
  }
  const database =
    options.database === undefined ? undefined : checkIdentifier('database', options.database, 64, false);
  const prefix = checkIdentifier('tablePrefix', options.tablePrefix ?? 'tidings_', maxPrefixLength, true);
  return { names: tableNames(database, prefix), clock, autoMigrate };
}

function tableNames(database: string | undefined, prefix: string): TableNames {
  const table = (name: string) =>
    database === undefined ? quote(prefix + name) : `${quote(database)}.${quote(prefix + name)}`;
  return {
    databaseName: database,
    prefix,
    events: table('events'),
    deliveries: table('deliveries'),
    inbox: table('inbox'),
    migrations: table('migrations'),
    lockName: (current) =>
      `tidings_migrate_${createHash('sha256')
        .update(`${database ?? current}.${prefix}`)
        .digest('hex')
        .slice(0, 40)}`,
  };
}
