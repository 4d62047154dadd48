/**
 * The other process of the latency benchmarks. `listener.ts <kind> <where>` subscribes, tells
 * its parent `ready`, and for every event that reaches it sends `{ id, at }` where `at` is
 * `process.hrtime.bigint()`: CLOCK_MONOTONIC, the same clock in every process on the machine,
 * so the parent can subtract its own commit time without clock skew.
 *   - `tidings <sqlite file | postgres schema> <pollMs>`: an outbox relay with a durable handler.
 *   - `notify <channel>`: a bare `LISTEN`, the PostgreSQL floor.
 */
import { createOutbox, createOutboxRelay, durableHandler } from '@tidings/core';
import { createPostgresOutboxStore } from '@tidings/postgres';
import { createSqliteOutboxStore } from '@tidings/sqlite';
import pg from 'pg';
import { databaseUrl } from '../stores/fixture.ts';
import { Ping } from './ping.ts';

const [kind, where, pollArg] = process.argv.slice(2);
const report = (id: string) => process.send?.({ id, at: String(process.hrtime.bigint()) });
const closers: (() => Promise<unknown>)[] = [];

if (kind === 'notify') {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  client.on('notification', (message) => report(message.payload ?? ''));
  await client.query(`LISTEN "${where}"`);
  closers.push(() => client.end());
} else {
  const store = (where ?? '').endsWith('.db')
    ? createSqliteOutboxStore({ filename: where as string })
    : createPostgresOutboxStore({ connectionString: databaseUrl, schema: where as string });
  const outbox = createOutbox({
    store,
    handlers: [durableHandler('latency-probe', Ping, async (event) => void report(event.id))],
  });
  const relay = createOutboxRelay(outbox, { pollIntervalMs: Number(pollArg ?? 500), onError: console.error });
  relay.start();
  closers.push(
    () => relay.close(),
    () => store.close(),
  );
}

process.on('message', async (message) => {
  if (message !== 'close') return;
  for (const close of closers) await close();
  process.disconnect();
});
process.send?.('ready');
