/**
 * Looks, before a store is opened, whether the store a `--db` names is already there. The
 * stores create their schema and tables on first use; the CLI and the inspector only read
 * (and redrive), so a mistyped `--schema`, `--table-prefix` or file must fail with a clear
 * message and leave the database exactly as it was, instead of creating an empty store.
 */
import { ConfigurationError } from '@tidings/core';
import { describeValue } from '@tidings/core/spi';
import type { OpenStoreOptions, StoreLocation } from './open-store.ts';

// The stores' defaults, as the CLI's --help states them.
const defaultSchema = 'public';
const defaultTablePrefix = 'tidings_';

/** Throws ConfigurationError when the store's tables are not in the database; reads only. */
export async function assertStoreExists(location: StoreLocation, options: OpenStoreOptions): Promise<void> {
  const prefix = options.tablePrefix ?? defaultTablePrefix;
  const table = `${prefix}migrations`;
  if (location.kind === 'sqlite') {
    if (!(await sqliteHasTable(location.target, table))) {
      throw new ConfigurationError(
        `${location.display} has no Tidings store with table prefix ${describeValue(prefix)} (no table ${table}). ` +
          'Check --db and --table-prefix, or run your app once so it creates the store.',
        { details: { db: location.display, tablePrefix: prefix } },
      );
    }
    return;
  }
  if (location.kind === 'mysql') {
    if (!(await mysqlHasTable(location.target, table))) {
      throw new ConfigurationError(
        `${location.display} has no Tidings store with table prefix ${describeValue(prefix)} (no table ${table}). ` +
          'Check --db and --table-prefix; nothing was created.',
        { details: { db: location.display, tablePrefix: prefix } },
      );
    }
    return;
  }
  const schema = options.schema ?? defaultSchema;
  const found = await postgresLookup(location.target, schema, table);
  if (!found.schema) {
    throw new ConfigurationError(
      `The schema ${describeValue(schema)} does not exist in ${location.display}. ` +
        `Check --schema (default ${defaultSchema}); nothing was created.`,
      { details: { db: location.display, schema } },
    );
  }
  if (!found.table) {
    throw new ConfigurationError(
      `The schema ${describeValue(schema)} has no Tidings store with table prefix ${describeValue(prefix)} ` +
        `(no table ${table}). Check --schema and --table-prefix; nothing was created.`,
      { details: { db: location.display, schema, tablePrefix: prefix } },
    );
  }
}

async function sqliteHasTable(path: string, table: string): Promise<boolean> {
  const { default: Database } = await import('better-sqlite3');
  // fileMustExist: opening never creates the file; a SELECT on sqlite_master writes nothing.
  const db = new Database(path, { fileMustExist: true });
  try {
    return (
      db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined
    );
  } finally {
    db.close();
  }
}

async function postgresLookup(url: string, schema: string, table: string) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  // A connection dropped by the server must not become an unhandled 'error' event.
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rows } = await client.query<{ schema: boolean; table: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS schema,
              EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = $2) AS table`,
      [schema, table],
    );
    return rows[0] ?? { schema: false, table: false };
  } finally {
    await client.end();
  }
}

async function mysqlHasTable(url: string, table: string): Promise<boolean> {
  const { default: mysql } = await import('mysql2/promise');
  const connection = await mysql.createConnection({ uri: url });
  // A connection dropped by the server must not become an unhandled 'error' event.
  connection.on('error', () => undefined);
  try {
    const [rows] = await connection.query<import('mysql2/promise').RowDataPacket[]>(
      'SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?',
      [table],
    );
    return rows.length > 0;
  } finally {
    await connection.end();
  }
}
