/**
 * What is MySQL-specific about the store, beyond the shared contract: migrations under
 * concurrency and against old or new schemas, appends inside the caller's own transaction
 * (and the refusal of handles that are not one), and events that read back exactly.
 */
import { ClosedError, ConfigurationError, StoreError } from '@tidings/core';
import { createPool as createCallbackPool } from 'mysql2';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { describe, expect, it, onTestFinished } from 'vitest';
import { dropTables, mysqlUrl, noted, uniquePrefix } from '../test/fresh-tables.ts';
import { freshTables } from '../test/open-stores.ts';
import { createMysqlOutboxStore } from './mysql-outbox-store.ts';

const rowsOf = async (store: { pool: mysql.Pool }, sql: string) =>
  (await store.pool.query<RowDataPacket[]>(sql))[0].map((row) => ({ ...row }));

describe('migrations', () => {
  it('apply once, even when several stores start at the same moment', async () => {
    const { tablePrefix, open } = freshTables();
    const stores = [open(), open(), open(), open()];
    await Promise.all(stores.map((store) => store.migrate()));
    await open().migrate();
    expect(await rowsOf(stores[0]!, `SELECT version FROM \`${tablePrefix}migrations\``)).toEqual([
      { version: 1 },
      { version: 2 },
    ]);
    const tables = await rowsOf(
      stores[0]!,
      `SELECT table_name AS name FROM information_schema.tables
        WHERE table_schema = DATABASE() AND table_name LIKE '${tablePrefix}%' ORDER BY table_name`,
    );
    expect(tables.map((t) => t.name)).toEqual(
      ['deliveries', 'events', 'inbox', 'migrations', 'received_dead_letters'].map(
        (name) => tablePrefix + name,
      ),
    );
  });

  it('keep stores with different prefixes in one database apart', async () => {
    const { tablePrefix, open } = freshTables();
    const one = open();
    const two = open({ tablePrefix: `${tablePrefix}two_` });
    const event = noted('n-1');
    await one.transaction((tx) => one.append(tx, [{ event, consumers: ['c'] }]));
    expect(await two.event(event.id)).toBeUndefined();
    expect(await two.claim({ consumers: ['c'], limit: 10, leaseMs: 1_000, owner: 'r' })).toEqual([]);
  });

  it('qualify names with the database option, on a pool that has no default database', async () => {
    const tablePrefix = uniquePrefix();
    onTestFinished(() => dropTables(tablePrefix));
    const url = new URL(mysqlUrl);
    const database = url.pathname.slice(1);
    url.pathname = '/';
    const pool = mysql.createPool({ uri: url.toString(), connectionLimit: 2 });
    onTestFinished(() => pool.end());
    const store = createMysqlOutboxStore({ pool, database, tablePrefix });
    onTestFinished(() => store.close());
    const event = noted('n-1');
    await store.transaction((tx) => store.append(tx, [{ event, consumers: ['c'] }]));
    expect((await store.claim({ consumers: ['c'], limit: 1, leaseMs: 1, owner: 'r' }))[0]?.event).toEqual(
      event,
    );
  });

  it('with autoMigrate false, tables older than the code fail at once, naming store.migrate()', async () => {
    const { tablePrefix, open } = freshTables({ autoMigrate: false });
    const store = open();
    const error = await store.events().catch((e: unknown) => e);
    expect(StoreError.is(error)).toBe(true);
    expect(String((error as Error).message)).toContain('schema version 0, older than');
    expect(String((error as Error).message)).toContain('store.migrate()');
    const tables = await rowsOf(
      store,
      `SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE '${tablePrefix}%'`,
    );
    expect(tables).toEqual([]); // nothing was created behind the operator's back
    await store.migrate();
    await store.transaction((tx) => store.append(tx, [{ event: noted('n-1'), consumers: ['c'] }]));
    expect(await open().stats()).toMatchObject([{ consumer: 'c', pending: 1 }]);
  });

  it('complete a migration that was cut off half-way (DDL commits statement by statement)', async () => {
    const { tablePrefix, open } = freshTables();
    const first = open();
    await first.migrate();
    // As if the process died after creating the first tables but before recording the version.
    await first.pool.query(`DROP TABLE \`${tablePrefix}inbox\``);
    await first.pool.query(`DELETE FROM \`${tablePrefix}migrations\``);
    const second = open();
    await second.migrate();
    expect(await rowsOf(second, `SELECT version FROM \`${tablePrefix}migrations\``)).toEqual([
      { version: 1 },
      { version: 2 },
    ]);
    expect(await second.transaction((tx) => second.markProcessed(tx, 'h', 'e-1'))).toBe(true);
  });

  it('refuse tables newer than the code, naming the versions', async () => {
    const { tablePrefix, open } = freshTables();
    const store = open();
    await store.migrate();
    await store.pool.query(`INSERT INTO \`${tablePrefix}migrations\` VALUES (99, 0)`);
    const error = await open()
      .events()
      .catch((e: unknown) => e);
    expect(StoreError.is(error)).toBe(true);
    expect(String((error as Error).message)).toMatch(/schema version 99, newer than .* knows \(2\)/);
  });
});

describe('append inside the caller’s transaction', () => {
  it('commits with the caller’s own writes, and a rollback leaves neither', async () => {
    const { tablePrefix, open } = freshTables();
    const store = open();
    await store.migrate();
    await store.pool.query(`CREATE TABLE \`${tablePrefix}orders\` (id VARCHAR(20) PRIMARY KEY)`);
    const placeOrder = async (id: string, outcome: 'commit' | 'rollback') => {
      const connection = await store.pool.getConnection();
      try {
        await connection.beginTransaction();
        await connection.query(`INSERT INTO \`${tablePrefix}orders\` (id) VALUES (?)`, [id]);
        const event = noted(id);
        await store.append(connection, [{ event, consumers: ['send-email'] }]);
        await connection[outcome]();
        return event;
      } finally {
        connection.release();
      }
    };
    const lost = await placeOrder('o-1', 'rollback');
    const kept = await placeOrder('o-2', 'commit');
    expect(await rowsOf(store, `SELECT id FROM \`${tablePrefix}orders\``)).toEqual([{ id: 'o-2' }]);
    expect(await store.event(lost.id)).toBeUndefined();
    expect((await store.events()).map((s) => s.event)).toEqual([kept]);
    const claimed = await store.claim({ consumers: ['send-email'], limit: 10, leaseMs: 1_000, owner: 'r1' });
    expect(claimed.map((d) => d.event.id)).toEqual([kept.id]);
  });

  it('refuses a pool, a connection outside a transaction and a non-connection, writing nothing', async () => {
    const { open } = freshTables();
    const store = open();
    await store.migrate();
    const entries = [{ event: noted('n-1'), consumers: ['c'] }];
    const refused = async (tx: unknown) => {
      const error = await Promise.resolve(store.append(tx as mysql.Connection, entries)).catch(
        (e: unknown) => e,
      );
      expect(ConfigurationError.is(error)).toBe(true);
      return String((error as Error).message);
    };
    expect(await refused(store.pool)).toContain('got a mysql2 Pool');
    const connection = await store.pool.getConnection();
    onTestFinished(() => connection.release());
    expect(await refused(connection)).toContain('not inside a transaction');
    expect(await refused('BEGIN')).toContain('beginTransaction()');
    expect(await store.events()).toEqual([]);
    await expect(store.markProcessed(store.pool, 'h', 'e-1')).rejects.toThrow('got a mysql2 Pool');
  });

  it('accepts a connection in autocommit=0 mode and a callback-API connection', async () => {
    const { open } = freshTables();
    const store = open();
    await store.migrate();
    const connection = await store.pool.getConnection();
    onTestFinished(async () => {
      await connection.query('SET autocommit = 1');
      connection.release();
    });
    await connection.query('SET autocommit = 0');
    const first = noted('n-1');
    await store.append(connection, [{ event: first, consumers: ['c'] }]);
    await connection.rollback();
    expect(await store.event(first.id)).toBeUndefined();
    await connection.query('SET autocommit = 1');
    await connection.beginTransaction();
    const second = noted('n-1');
    // The callback API's connection, as TypeORM's query runner holds it.
    await store.append(connection.connection, [{ event: second, consumers: ['c'] }]);
    await connection.commit();
    expect((await store.events()).map((s) => s.event.id)).toEqual([second.id]);
  });

  it('writes a large batch in the order given, one delivery per distinct consumer', async () => {
    const { open } = freshTables();
    const store = open();
    const events = Array.from({ length: 1_234 }, (_, i) => noted(`n-${i % 7}`, { i }));
    await store.transaction((tx) =>
      store.append(
        tx,
        events.map((event) => ({ event, consumers: ['a', 'b', 'a'] })),
      ),
    );
    const stored = await store.events({ limit: 5_000 });
    expect(stored.map((s) => s.event.id)).toEqual(events.map((e) => e.id));
    expect(await store.deliveries(events[0]!.id)).toMatchObject([{ consumer: 'a' }, { consumer: 'b' }]);
    const claimed = await store.claim({ consumers: ['a'], limit: 10, leaseMs: 1_000, owner: 'r' });
    expect(claimed.map((d) => d.event.id)).toEqual(events.slice(0, 7).map((e) => e.id));
  });

  it('refuses values the columns cannot hold, naming the field, and writes nothing', async () => {
    const { open } = freshTables();
    const store = open();
    const fine = noted('n-1');
    const long = noted('x'.repeat(300));
    const error = await store
      .transaction((tx) =>
        store.append(tx, [
          { event: fine, consumers: ['c'] },
          { event: long, consumers: ['c'] },
        ]),
      )
      .catch((e: unknown) => e);
    expect(StoreError.is(error)).toBe(true);
    expect(String((error as Error).message)).toContain('subject.id is 300 characters long');
    expect(await store.events()).toEqual([]);
  });

  it('fails with StoreError on a duplicate id, and ClosedError after close', async () => {
    const { open } = freshTables();
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

  it('takes a callback-API pool too, and leaves a given pool open on close', async () => {
    const tablePrefix = uniquePrefix();
    onTestFinished(() => dropTables(tablePrefix));
    const callbackPool = createCallbackPool({ uri: mysqlUrl, connectionLimit: 2 });
    onTestFinished(() => new Promise<void>((resolve) => callbackPool.end(() => resolve())));
    const store = createMysqlOutboxStore({ pool: callbackPool, tablePrefix });
    await store.transaction((tx) => store.append(tx, [{ event: noted('n-1'), consumers: ['c'] }]));
    expect(await store.stats()).toMatchObject([{ consumer: 'c', pending: 1 }]);
    await store.close();
    const [rows] = await callbackPool.promise().query<RowDataPacket[]>('SELECT 1 AS one');
    expect(rows[0]).toMatchObject({ one: 1 });
  });

  it('creates and ends its own pool from a URL', async () => {
    const tablePrefix = uniquePrefix();
    onTestFinished(() => dropTables(tablePrefix));
    const store = createMysqlOutboxStore({ uri: mysqlUrl, tablePrefix });
    await store.transaction((tx) => store.append(tx, [{ event: noted('n-1'), consumers: ['c'] }]));
    expect(await store.stats()).toMatchObject([{ consumer: 'c', pending: 1 }]);
    await store.close();
    await expect(store.pool.query('SELECT 1')).rejects.toThrow();
  });
});

describe('events read back exactly as written', () => {
  it('keeps key order, NUL and lone surrogates in payloads, case in ids, and the occurredAt text', async () => {
    const { open } = freshTables();
    const store = open();
    const payload = {
      z: 1,
      a: 'nul\u0000here',
      surrogate: '\ud800',
      nested: { b: [1.5, -0, 1e21], a: null },
    };
    const base = noted('Case', payload, 3);
    const event = { ...base, occurredAt: '2026-01-01T10:00:00+02:00', metadata: { traceparent: 't' } };
    const twin = noted('case');
    await store.transaction((tx) =>
      store.append(tx, [
        { event, consumers: ['c'] },
        { event: twin, consumers: ['c'] },
      ]),
    );
    const [stored] = await store.events();
    expect(JSON.stringify(stored!.event)).toBe(JSON.stringify(event));
    expect(Object.isFrozen(stored!.event.subject)).toBe(true);
    expect(
      await store.events({ from: '2026-01-01T08:00:00.000Z', to: '2026-01-01T08:00:00.001Z' }),
    ).toHaveLength(1);
    expect(await store.events({ to: '2026-01-01T08:00:00.000Z' })).toHaveLength(0);
    // Subjects "Case" and "case" are two queues under the binary collation.
    const claimed = await store.claim({ consumers: ['c'], limit: 10, leaseMs: 1_000, owner: 'r' });
    expect(claimed).toHaveLength(2);
    const ref = { eventId: event.id, consumer: 'c', owner: 'r' };
    await store.settle([{ ...ref, outcome: 'dead', error: 'it said "no" \u0000 \\ 💥' }]);
    expect((await store.deadLetters())[0]!.history).toEqual([
      { attempt: 1, at: expect.any(String), error: 'it said "no" \u0000 \\ 💥' },
    ]);
  });
});
