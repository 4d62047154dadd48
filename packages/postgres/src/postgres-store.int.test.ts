/**
 * What is PostgreSQL-specific about the store, beyond the shared contract: migrations under
 * concurrency, appends inside the caller's own transaction, many relays in two pools, the
 * inbox under concurrent transactions, and events that read back exactly as written.
 */
import { ClosedError, StoreError } from '@tidings/core';
import type pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createTestPool, databaseUrl, dropSchema, noted, uniqueSchema } from '../test/fresh-schema.ts';
import type { PostgresOutboxStoreOptions } from './options.ts';
import { createPostgresOutboxStore, type PostgresOutboxStore } from './postgres-outbox-store.ts';

/** A fresh schema, and a factory of stores over it, each in its own pool; all cleaned up after the test. */
function freshSchema(extra: Partial<PostgresOutboxStoreOptions> = {}) {
  const schema = uniqueSchema();
  const pools: pg.Pool[] = [];
  const stores: PostgresOutboxStore[] = [];
  onTestFinished(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await Promise.all(pools.map((pool) => pool.end()));
    await dropSchema(schema);
  });
  const open = (more: Partial<PostgresOutboxStoreOptions> = {}) => {
    const pool = createTestPool();
    pools.push(pool);
    const store = createPostgresOutboxStore({ pool, schema, ...extra, ...more });
    stores.push(store);
    return store;
  };
  return { schema, open };
}

describe('migrations', () => {
  it('apply once, even when several stores start at the same moment', async () => {
    const { schema, open } = freshSchema();
    const stores = [open(), open(), open(), open()];
    await Promise.all(stores.map((store) => store.migrate()));
    await open().migrate();
    const { rows } = await stores[0]!.pool.query(
      `SELECT version FROM "${schema}".tidings_migrations ORDER BY version`,
    );
    expect(rows).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }, { version: 5 }]);
    const { rows: tables } = await stores[0]!.pool.query(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
      [schema],
    );
    expect(tables.map((t) => t.table_name)).toEqual([
      'tidings_deliveries',
      'tidings_deliveries_done',
      'tidings_events',
      'tidings_inbox',
      'tidings_migrations',
      'tidings_queues',
      'tidings_received_dead_letters',
    ]);
  });

  it('keep stores with different prefixes in one schema apart', async () => {
    const { open } = freshSchema();
    const [one, two] = [open({ tablePrefix: 'one_' }), open({ tablePrefix: 'two_' })];
    const event = noted('n-1');
    await one.transaction((tx) => one.append(tx, [{ event, consumers: ['c'] }]));
    expect(await two.event(event.id)).toBeUndefined();
    expect(await two.claim({ consumers: ['c'], limit: 10, leaseMs: 1_000, owner: 'r' })).toEqual([]);
    expect(one.channel).not.toBe(two.channel);
  });
});

describe('append inside the caller’s transaction', () => {
  it('commits with the caller’s own writes, and a rollback leaves neither', async () => {
    const { schema, open } = freshSchema();
    const store = open();
    await store.migrate();
    await store.pool.query(`CREATE TABLE "${schema}".orders (id TEXT PRIMARY KEY)`);
    const placeOrder = async (id: string, outcome: 'COMMIT' | 'ROLLBACK') => {
      const client = await store.pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(`INSERT INTO "${schema}".orders (id) VALUES ($1)`, [id]);
        const event = noted(id);
        await store.append(client, [{ event, consumers: ['send-email'] }]);
        await client.query(outcome);
        return event;
      } finally {
        client.release();
      }
    };
    const lost = await placeOrder('o-1', 'ROLLBACK');
    const kept = await placeOrder('o-2', 'COMMIT');
    const { rows } = await store.pool.query(`SELECT id FROM "${schema}".orders`);
    expect(rows).toEqual([{ id: 'o-2' }]);
    expect(await store.event(lost.id)).toBeUndefined();
    expect((await store.events()).map((s) => s.event)).toEqual([kept]);
    const claimed = await store.claim({ consumers: ['send-email'], limit: 10, leaseMs: 1_000, owner: 'r1' });
    expect(claimed.map((d) => d.event.id)).toEqual([kept.id]);
  });

  it('writes a large batch in the order given, one delivery per distinct consumer', async () => {
    const { open } = freshSchema();
    const store = open();
    const events = Array.from({ length: 2_500 }, (_, i) => noted(`n-${i % 7}`, { i }));
    await store.transaction((tx) =>
      store.append(
        tx,
        events.map((event) => ({ event, consumers: ['a', 'b', 'a'] })),
      ),
    );
    const stored = await store.events({ limit: 5_000 });
    expect(stored.map((s) => s.event.id)).toEqual(events.map((e) => e.id));
    expect(await store.deliveries(events[0]!.id)).toMatchObject([{ consumer: 'a' }, { consumer: 'b' }]);
  });

  it('fails with StoreError on a duplicate id, and ClosedError after close', async () => {
    const { open } = freshSchema();
    const store = open();
    const event = noted('n-1');
    await store.transaction((tx) => store.append(tx, [{ event, consumers: [] }]));
    const duplicate = await store
      .transaction((tx) => store.append(tx, [{ event, consumers: [] }]))
      .catch((e) => e);
    expect(StoreError.is(duplicate)).toBe(true);
    expect(String(duplicate.message)).toContain(event.id);
    await store.close();
    await store.close();
    await expect(store.events()).rejects.toSatisfy((error) => ClosedError.is(error));
  });

  it('creates and ends its own pool from a connection string', async () => {
    const schema = uniqueSchema();
    onTestFinished(() => dropSchema(schema));
    const store = createPostgresOutboxStore({ connectionString: databaseUrl, schema });
    await store.transaction((tx) => store.append(tx, [{ event: noted('n-1'), consumers: ['c'] }]));
    expect(await store.stats()).toMatchObject([{ consumer: 'c', pending: 1 }]);
    await store.close();
    expect(store.pool.ended).toBe(true);
  });
});

describe('claims by relays in two pools', () => {
  it('never overlap, lose nothing, and keep each subject in order', async () => {
    const { open } = freshSchema();
    const [a, b] = [open(), open()];
    const events = Array.from({ length: 300 }, (_, i) => noted(`n-${i % 25}`, { i }, i));
    await a.transaction((tx) =>
      a.append(
        tx,
        events.map((event) => ({ event, consumers: ['c'] })),
      ),
    );
    const seen: string[] = [];
    const relay = async (owner: string, store: PostgresOutboxStore) => {
      for (;;) {
        const batch = await store.claim({ consumers: ['c'], limit: 5, leaseMs: 60_000, owner });
        if (batch.length === 0) return;
        seen.push(...batch.map((d) => d.event.id));
        await store.settle(
          batch.map((d) => ({ eventId: d.event.id, consumer: d.consumer, owner, outcome: 'done' })),
        );
      }
    };
    // A relay may see an empty claim while others hold the heads of every queue, so loop until done.
    while ((await a.stats())[0]?.pending !== 0) {
      await Promise.all([relay('r1', a), relay('r2', b), relay('r3', a), relay('r4', b)]);
    }
    expect(seen).toHaveLength(events.length);
    expect(new Set(seen).size).toBe(events.length);
    const order = new Map(events.map((e, i) => [e.id, i]));
    const bySubject = new Map<string, number[]>();
    for (const id of seen) {
      const event = events[order.get(id)!]!;
      const list = bySubject.get(event.subject!.id) ?? [];
      list.push(order.get(id)!);
      bySubject.set(event.subject!.id, list);
    }
    for (const list of bySubject.values()) expect(list).toEqual([...list].sort((x, y) => x - y));
  });
});

describe('inbox', () => {
  it('a second transaction marking the same event waits for the first and then sees it', async () => {
    const { open } = freshSchema();
    const store = open();
    await store.migrate();
    const first = await store.pool.connect();
    const second = await store.pool.connect();
    onTestFinished(() => {
      first.release();
      second.release();
    });
    await first.query('BEGIN');
    await second.query('BEGIN');
    expect(await store.markProcessed(first, 'send-email', 'e-1')).toBe(true);
    const racing = store.markProcessed(second, 'send-email', 'e-1');
    await first.query('COMMIT');
    expect(await racing).toBe(false);
    await second.query('COMMIT');
  });
});

describe('events read back exactly as written', () => {
  it('keeps key order, NUL and lone surrogates in payloads, and the occurredAt text', async () => {
    const { open } = freshSchema();
    const store = open();
    const payload = {
      z: 1,
      a: 'nul\u0000here',
      surrogate: '\ud800',
      nested: { b: [1.5, -0, 1e21], a: null },
    };
    const base = noted('n-1', payload, 3);
    const event = { ...base, occurredAt: '2026-01-01T10:00:00+02:00', metadata: { traceparent: 't' } };
    await store.transaction((tx) => store.append(tx, [{ event, consumers: [] }]));
    const [stored] = await store.events();
    expect(JSON.stringify(stored!.event)).toBe(JSON.stringify(event));
    expect(Object.isFrozen(stored!.event.subject)).toBe(true);
    expect(
      await store.events({ from: '2026-01-01T08:00:00.000Z', to: '2026-01-01T08:00:00.001Z' }),
    ).toHaveLength(1);
    expect(await store.events({ to: '2026-01-01T08:00:00.000Z' })).toHaveLength(0);
  });
});
