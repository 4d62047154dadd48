/**
 * Turns a `--db` value into an open OutboxStore: a `postgres://` URL opens the PostgreSQL
 * store, a `mysql://` (or `mariadb://`) URL the MySQL one, anything else names a SQLite file. A missing file or a URL of another database is
 * refused with a ConfigurationError before anything is opened, so a typo never creates an
 * empty database for the user to stare at.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigurationError, type OutboxStore } from '@tidings/core';
import { describeValue, redactUrl } from '@tidings/core/spi';
import { assertStoreExists } from './store-exists.ts';

export type StoreKind = 'sqlite' | 'postgres' | 'mysql';

/** Where the store lives, as parsed from `--db` (no connection made). */
export interface StoreLocation {
  readonly kind: StoreKind;
  /** Absolute file path, or the URL with any password hidden: safe to print. */
  readonly display: string;
  /** What to open: the absolute file path or the full URL. */
  readonly target: string;
}

export interface OpenStoreOptions {
  /** PostgreSQL schema of the tables. */
  readonly schema?: string;
  /** Table name prefix (both stores). */
  readonly tablePrefix?: string;
}

export interface OpenedStore {
  readonly store: OutboxStore;
  readonly location: StoreLocation;
}

const protocols = new Map<string, StoreKind>([
  ['postgres:', 'postgres'],
  ['postgresql:', 'postgres'],
  ['mysql:', 'mysql'],
  ['mariadb:', 'mysql'],
]);

/**
 * Parses a `--db` value. Throws ConfigurationError saying what is wrong and how to fix it.
 *
 * @example
 * parseStoreLocation('postgres://postgres@127.0.0.1:5432/test').kind; // 'postgres'
 * parseStoreLocation('.data/shop.db', { cwd: '/srv/shop' }).target; // '/srv/shop/.data/shop.db'
 */
export function parseStoreLocation(db: string | undefined, options: { cwd?: string } = {}): StoreLocation {
  if (db === undefined || db.trim() === '') {
    throw new ConfigurationError(
      'No database given. Pass --db <sqlite file | postgres://url | mysql://url>, or set TIDINGS_DB or DATABASE_URL.',
    );
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(db);
  if (scheme) {
    let url: URL;
    try {
      url = new URL(db);
    } catch {
      throw new ConfigurationError(
        `The database URL ${describeValue(redact(db))} is not a valid URL. Use postgres://user:password@host:5432/database.`,
      );
    }
    const kind = protocols.get(url.protocol);
    if (kind === undefined) {
      throw new ConfigurationError(
        `The database URL scheme "${url.protocol}" is not supported. Use postgres://… for PostgreSQL, mysql://… for MySQL / MariaDB or a file path for SQLite.`,
      );
    }
    if (url.hostname === '') {
      throw new ConfigurationError(
        `The database URL ${describeValue(redact(db))} names no host. Use postgres://user@host:5432/database.`,
      );
    }
    return { kind, display: redact(db), target: db };
  }
  const path = resolve(options.cwd ?? process.cwd(), db);
  if (!existsSync(path)) {
    throw new ConfigurationError(
      `No SQLite database at ${path}. Check --db (a file path or postgres://url), or run your app once so it creates the store.`,
    );
  }
  if (!statSync(path).isFile()) {
    throw new ConfigurationError(
      `${path} is a directory, not a SQLite database file. Point --db at the file.`,
    );
  }
  return { kind: 'sqlite', display: path, target: path };
}

/** A URL safe to print: scheme, user, host, port and database, never a password or the query. */
export const redact = redactUrl;

/**
 * Opens the store a location names and checks it answers, so a server that is down or a
 * file that is not a database fails here with one clear line instead of later. A store
 * that is not there (a mistyped schema or prefix) is refused before the store is created,
 * so opening never migrates anything into existence.
 *
 * @example
 * const { store } = await openStore(parseStoreLocation(process.env.TIDINGS_DB));
 * console.log(await store.stats());
 * await store.close();
 */
export async function openStore(
  location: StoreLocation,
  options: OpenStoreOptions = {},
): Promise<OpenedStore> {
  let store: OutboxStore;
  try {
    await assertStoreExists(location, options);
    store = await createStore(location, options);
  } catch (error) {
    throw unreachable(location, error);
  }
  try {
    await store.stats();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw unreachable(location, error);
  }
  return { store, location };
}

async function createStore(location: StoreLocation, options: OpenStoreOptions): Promise<OutboxStore> {
  const prefix = options.tablePrefix === undefined ? {} : { tablePrefix: options.tablePrefix };
  if (location.kind === 'sqlite') {
    const { createSqliteOutboxStore } = await import('@tidings/sqlite');
    return createSqliteOutboxStore({ filename: location.target, ...prefix });
  }
  if (location.kind === 'mysql') {
    const { createMysqlOutboxStore } = await import('@tidings/mysql');
    // The inspector reads and redrives; it never creates or changes tables.
    return createMysqlOutboxStore({ uri: location.target, ...prefix, autoMigrate: false });
  }
  const { createPostgresOutboxStore } = await import('@tidings/postgres');
  return createPostgresOutboxStore({
    connectionString: location.target,
    ...prefix,
    ...(options.schema === undefined ? {} : { schema: options.schema }),
    // The inspector only reads and redrives; it needs no wake-ups.
    notify: false,
  });
}

function unreachable(location: StoreLocation, error: unknown): ConfigurationError {
  if (ConfigurationError.is(error)) return error;
  const reason = (error instanceof Error ? error.message : String(error)).replace(/\.+$/, '');
  const fix =
    location.kind === 'sqlite'
      ? 'Is it a SQLite database written by Tidings?'
      : `Is ${location.kind === 'postgres' ? 'PostgreSQL' : 'MySQL / MariaDB'} running and the URL right (user, host, port, database)?`;
  return new ConfigurationError(`Cannot open the store at ${location.display}: ${reason}. ${fix}`, {
    cause: error,
  });
}
