/**
 * LISTEN/NOTIFY wake-ups across stores (as across processes): delivered after a commit,
 * never for a rollback, resumed after the listening connection is killed, and stopped on
 * unsubscribe. Notifications arrive in commit order, so "exactly n calls once the n-th
 * expected one arrived" proves that no unexpected one came before it, without sleeping.
 */
import type pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createTestPool, dropSchema, noted, uniqueSchema, waitFor } from '../test/fresh-schema.ts';
import type { PostgresOutboxStoreOptions } from './options.ts';
import { createPostgresOutboxStore, type PostgresOutboxStore } from './postgres-outbox-store.ts';

function freshSchema() {
  const schema = uniqueSchema();
  const pools: pg.Pool[] = [];
  const stores: PostgresOutboxStore[] = [];
  onTestFinished(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await Promise.all(pools.map((pool) => pool.end()));
    await dropSchema(schema);
  });
  return (options: Partial<PostgresOutboxStoreOptions> = {}) => {
    const pool = createTestPool(2);
    pools.push(pool);
    const store = createPostgresOutboxStore({ pool, schema, ...options });
    stores.push(store);
    return store;
  };
}

/** A listener that counts its calls and lets a test await the n-th. */
function countingListener() {
  let calls = 0;
  const waiters: { n: number; resolve: () => void }[] = [];
  return {
    listener: () => {
      calls += 1;
      for (const waiter of waiters.filter((w) => calls >= w.n)) waiter.resolve();
    },
    calls: () => calls,
    called: (n: number) =>
      new Promise<void>((resolve) => (calls >= n ? resolve() : waiters.push({ n, resolve }))),
  };
}

const appendOne = (store: PostgresOutboxStore) =>
  store.transaction((tx) => store.append(tx, [{ event: noted('n-1'), consumers: ['c'] }]));

describe('onAppend across stores', () => {
  it('wakes a listener on another store after a commit, never after a rollback', async () => {
    const open = freshSchema();
    const [writer, reader] = [open(), open()];
    await writer.migrate();
    const counter = countingListener();
    reader.onAppend!(counter.listener);
    await reader.listening();

    await writer
      .transaction(async (tx) => {
        await writer.append(tx, [{ event: noted('n-1'), consumers: ['c'] }]);
        throw new Error('rolled back');
      })
      .catch(() => undefined);
    await appendOne(writer);
    await counter.called(1);
    await appendOne(writer);
    await counter.called(2);
    expect(counter.calls()).toBe(2);
  });

  it('wakes after a commit of the caller’s own client, but not for audit-only events', async () => {
    const open = freshSchema();
    const [writer, reader] = [open(), open()];
    await writer.migrate();
    const counter = countingListener();
    reader.onAppend!(counter.listener);
    await reader.listening();
    const client = await writer.pool.connect();
    try {
      await client.query('BEGIN');
      await writer.append(client, [{ event: noted('n-1'), consumers: [] }]);
      await client.query('COMMIT');
      await client.query('BEGIN');
      await writer.append(client, [{ event: noted('n-2'), consumers: ['c'] }]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    await counter.called(1);
    await appendOne(writer);
    await counter.called(2);
    expect(counter.calls()).toBe(2);
  });

  it('with notify: false sends nothing and offers no onAppend', async () => {
    const open = freshSchema();
    const [quiet, writer, reader] = [open({ notify: false }), open(), open()];
    expect(quiet.onAppend).toBeUndefined();
    const counter = countingListener();
    reader.onAppend!(counter.listener);
    await reader.listening();
    await appendOne(quiet);
    await appendOne(writer);
    await counter.called(1);
    await appendOne(writer);
    await counter.called(2);
    expect(counter.calls()).toBe(2);
  });

  it('reconnects after the listening connection is killed, and wakes once for what it may have missed', async () => {
    const open = freshSchema();
    const [writer, reader] = [open(), open()];
    const counter = countingListener();
    reader.onAppend!(counter.listener);
    await reader.listening();
    const listen = `LISTEN "${reader.channel}"`;
    const { rows } = await writer.pool.query(
      'SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE query = $1',
      [listen],
    );
    expect(rows).toEqual([{ killed: true }]);
    await counter.called(1);
    await reader.listening();
    await appendOne(writer);
    await counter.called(2);
  });

  it('stops listening when the last listener unsubscribes', async () => {
    const open = freshSchema();
    const [writer, reader] = [open(), open()];
    const counter = countingListener();
    const stop = reader.onAppend!(counter.listener);
    const other = reader.onAppend!(() => undefined);
    await reader.listening();
    const listeners = async () =>
      (
        await writer.pool.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE query = $1', [
          `LISTEN "${reader.channel}"`,
        ])
      ).rows[0].n as number;
    expect(await listeners()).toBe(1);
    stop();
    stop();
    expect(await listeners()).toBe(1);
    other();
    await waitFor(async () => (await listeners()) === 0);
    await appendOne(writer);
    expect(counter.calls()).toBe(0);
  });
});
