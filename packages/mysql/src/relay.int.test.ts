/**
 * The core relay on this store: across two pools as across two processes, events appended
 * through one store reach a durable handler relayed from the other (which polls: MySQL has
 * no cross-process wake-up), and the handler's own write and its inbox record commit
 * together; in one process, `onAppend` wakes an idle relay on commit.
 */
import { createOutbox, createOutboxRelay, durableHandler } from '@tidings/core';
import { waitUntil } from '@tidings/testing';
import type { RowDataPacket } from 'mysql2/promise';
import { expect, it, onTestFinished } from 'vitest';
import { createTestPool, dropTables, Noted, noted, uniquePrefix } from '../test/fresh-tables.ts';
import { createMysqlOutboxStore } from './mysql-outbox-store.ts';
import type { MysqlTx } from './options.ts';

it('delivers to a relay in another pool, and runs an inbox handler once per event', async () => {
  const tablePrefix = uniquePrefix();
  const [writerPool, relayPool] = [createTestPool(), createTestPool()];
  const writer = createMysqlOutboxStore({ pool: writerPool, tablePrefix });
  const reader = createMysqlOutboxStore({ pool: relayPool, tablePrefix });
  await writer.migrate();
  const effects = `\`${tablePrefix}effects\``;
  await writerPool.query(`CREATE TABLE ${effects} (event_id VARCHAR(64) PRIMARY KEY)`);
  const count = async (table: string) =>
    Number((await writerPool.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${table}`))[0][0]!.n);

  const record = durableHandler<typeof Noted, MysqlTx>(
    'record-effect',
    Noted,
    async (event, { tx }) => {
      await tx!.query(`INSERT INTO ${effects} (event_id) VALUES (?)`, [event.id]);
    },
    { inbox: true },
  );
  const relay = createOutboxRelay(createOutbox({ store: reader, handlers: [record] }), {
    pollIntervalMs: 10,
  });
  onTestFinished(async () => {
    await relay.close();
    await Promise.all([writer.close(), reader.close()]);
    await Promise.all([writerPool.end(), relayPool.end()]);
    await dropTables(tablePrefix);
  });
  relay.start();

  const outbox = createOutbox({ store: writer, handlers: [record] });
  const total = 30;
  const events = Array.from({ length: total }, (_, i) => noted(`n-${i % 3}`, { i }));
  for (let i = 0; i < total; i += 10) await outbox.publish(events.slice(i, i + 10));
  await waitUntil(async () => (await writer.stats())[0]?.done === total, 'every delivery to be done');
  expect(await count(effects)).toBe(total);
  expect(await count(`\`${tablePrefix}inbox\``)).toBe(total);
});

it('wakes an idle relay of the same store object when store.transaction commits an append', async () => {
  const tablePrefix = uniquePrefix();
  const pool = createTestPool();
  const store = createMysqlOutboxStore({ pool, tablePrefix });
  let handled!: (id: string) => void;
  const first = new Promise<string>((resolve) => {
    handled = resolve;
  });
  const handler = durableHandler('note', Noted, async (event) => handled(event.id));
  const outbox = createOutbox({ store, handlers: [handler] });
  // Polling once a minute: only the wake-up can deliver within the test's time.
  const relay = createOutboxRelay(outbox, { pollIntervalMs: 60_000 });
  onTestFinished(async () => {
    await relay.close();
    await store.close();
    await pool.end();
    await dropTables(tablePrefix);
  });
  await store.migrate();
  relay.start();
  const event = noted('n-1');
  await outbox.publish([event]);
  expect(await first).toBe(event.id);
});
