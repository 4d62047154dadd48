/** SQLite support for the adapters' tests: a temp file per test, shared by the ORM and the store. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteOutboxStore, type SqliteOutboxStore } from '@tidings/sqlite';
import Database from 'better-sqlite3';

export interface SqliteFixture {
  readonly file: string;
  /** The one connection the ORM and the store share. */
  readonly sqlite: Database.Database;
  readonly store: SqliteOutboxStore;
  orderIds(): Promise<string[]>;
  close(): Promise<void>;
}

export interface SqliteFixtureOptions {
  /** Opens the shared connection (an ORM may open it itself). Default: a new better-sqlite3 Database. */
  readonly open?: (file: string) => Database.Database | Promise<Database.Database>;
  /** Closes it. Default: `sqlite.close()`. */
  readonly closeDatabase?: (sqlite: Database.Database) => void | Promise<void>;
}

export async function createSqliteFixture(options: SqliteFixtureOptions = {}): Promise<SqliteFixture> {
  const { open = (file) => new Database(file), closeDatabase = (sqlite) => sqlite.close() } = options;
  const dir = mkdtempSync(join(tmpdir(), 'tidings-orm-'));
  const file = join(dir, 'app.db');
  const sqlite = await open(file);
  const store = createSqliteOutboxStore({ database: sqlite });
  sqlite.exec('CREATE TABLE orders (id TEXT PRIMARY KEY)');
  return {
    file,
    sqlite,
    store,
    orderIds: async () =>
      (sqlite.prepare('SELECT id FROM orders ORDER BY id').all() as { id: string }[]).map((row) => row.id),
    async close() {
      await store.close();
      await closeDatabase(sqlite);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
