/**
 * The core relay on this store, across two pools as across two processes: events appended
 * through one store reach a durable handler whose relay polls only once a minute, so only
 * LISTEN/NOTIFY can have woken it; the handler's own write and its inbox record commit together.
 */
import { createOutbox, createOutboxRelay, durableHandler } from '@tidings/core';
import { expect, it, onTestFinished } from 'vitest';
import { createTestPool, dropSchema, Noted, noted, uniqueSchema, waitFor } from '../test/fresh-schema.ts';
import type { PgTx } from './options.ts';
import { createPostgresOutboxStore } from './postgres-outbox-store.ts';

it('wakes a relay in another pool on commit, and runs an inbox handler once per event', async () => {
  const schema = uniqueSchema();
  const [writerPool, relayPool] = [createTestPool(), createTestPool()];
  const writer = createPostgresOutboxStore({ pool: writerPool, schema });
  const reader = createPostgresOutboxStore({ pool: relayPool, schema });
  await writer.migrate();
  await writerPool.query(`CREATE TABLE "${schema}".effects (event_id TEXT PRIMARY KEY)`);

  const total = 30;
  let handled = 0;
  let allHandled!: () => void;
  const done = new Promise<void>((resolve) => {
    allHandled = resolve;
  });
  const record = durableHandler<typeof Noted, PgTx>(
    'record-effect',
    Noted,
    async (event, { tx }) => {
      await tx!.query(`INSERT INTO "${schema}".effects (event_id) VALUES ($1)`, [event.id]);
      handled += 1;
      if (handled === total) allHandled();
    },
    { inbox: true },
  );
  const relay = createOutboxRelay(createOutbox({ store: reader, handlers: [record] }), {
    pollIntervalMs: 60_000,
  });
  onTestFinished(async () => {
    await relay.close();
    await Promise.all([writer.close(), reader.close()]);
    await Promise.all([writerPool.end(), relayPool.end()]);
    await dropSchema(schema);
  });
  relay.start();
  await reader.listening();

  const outbox = createOutbox({ store: writer, handlers: [record] });
  const events = Array.from({ length: total }, (_, i) => noted(`n-${i % 3}`, { i }));
  for (let i = 0; i < total; i += 10) await outbox.publish(events.slice(i, i + 10));
  await done;
  // The handler counted inside its transaction; the last commits may still be under way.
  const effects = async () =>
    (await writerPool.query(`SELECT count(*)::int AS n FROM "${schema}".effects`)).rows[0].n as number;
  await waitFor(async () => (await effects()) === total);
  const { rows: inbox } = await writerPool.query(`SELECT count(*)::int AS n FROM "${schema}".tidings_inbox`);
  expect(inbox).toEqual([{ n: total }]);
});
