/** PostgreSQL support for the adapters' tests: a fresh schema with an orders table per test. */
import { randomUUID } from 'node:crypto';
import { createPostgresOutboxStore, type PostgresOutboxStore } from '@tidings/postgres';
import pg from 'pg';

export const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface PgFixture {
  readonly schema: string;
  readonly pool: pg.Pool;
  readonly store: PostgresOutboxStore;
  orderIds(): Promise<string[]>;
  close(): Promise<void>;
}

export async function createPgFixture(): Promise<PgFixture> {
  const schema = `orm_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 3 });
  pool.on('error', () => undefined);
  const store = createPostgresOutboxStore({ pool, schema });
  await store.migrate();
  await pool.query(`CREATE TABLE "${schema}".orders (id TEXT PRIMARY KEY)`);
  return {
    schema,
    pool,
    store,
    async orderIds() {
      const { rows } = await pool.query<{ id: string }>(`SELECT id FROM "${schema}".orders ORDER BY id`);
      return rows.map((row) => row.id);
    },
    async close() {
      await store.close();
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    },
  };
}
