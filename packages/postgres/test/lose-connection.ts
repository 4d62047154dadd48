/**
 * Child process of connection-loss.int.test.ts: opens a transaction, has another connection
 * terminate its backend while the transaction sits between two queries (what a server
 * restart does), then runs a second transaction. Prints what happened as one JSON line; a
 * crash on the lost connection shows as a non-zero exit instead.
 */
import { createPostgresOutboxStore } from '@tidings/postgres';
import pg from 'pg';

const [databaseUrl, schema] = process.argv.slice(2) as [string, string];
const store = createPostgresOutboxStore({ connectionString: databaseUrl, schema, notify: false });
await store.migrate();
const killer = new pg.Client({ connectionString: databaseUrl });
await killer.connect();

const first = await store
  .transaction(async (client) => {
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    await killer.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
    // Hold the transaction open without a query in flight, as a slow handler would.
    await new Promise(() => undefined);
  })
  .then(
    () => 'committed',
    (error: { code?: string; message: string }) => error.code ?? error.message,
  );
const second = await store.transaction(async (client) => {
  const { rows } = await client.query<{ one: number }>('SELECT 1 AS one');
  return rows[0]?.one;
});
console.log(JSON.stringify({ first, second }));
await killer.end();
await store.close();
