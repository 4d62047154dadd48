/**
 * What is SQLite-specific about the store (the shared contract covers the port): the
 * file's pragmas, migrations, options, transactions on one connection, and two
 * connections sharing one file.
 */
import { ClosedError, ConfigurationError, StoreError } from '@tidings/core';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTempDir, type TempDir, testEvent } from '../test/temp-store.ts';
import { createSqliteOutboxStore, type SqliteOutboxStore } from './sqlite-store.ts';

let temp: TempDir;
const open: SqliteOutboxStore[] = [];
const openStore = (options: Parameters<typeof createSqliteOutboxStore>[0] = { filename: temp.file() }) => {
  const store = createSqliteOutboxStore(options);
  open.push(store);
  return store;
};

beforeEach(() => {
  temp = createTempDir();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((store) => store.close()));
  temp.remove();
});

describe('opening a file', () => {
  it('sets WAL, synchronous NORMAL, foreign keys and a busy timeout', async () => {
    const store = openStore();
    const pragmas = await store.transaction(({ db }) => ({
      journal: db.pragma('journal_mode', { simple: true }),
      synchronous: db.pragma('synchronous', { simple: true }),
      foreignKeys: db.pragma('foreign_keys', { simple: true }),
      busyTimeout: db.pragma('busy_timeout', { simple: true }),
    }));
    expect(pragmas).toEqual({
      journal: 'wal',
      synchronous: 1,
      foreignKeys: 1,
      busyTimeout: expect.any(Number),
    });
    expect(pragmas.busyTimeout).toBeGreaterThan(0);
  });

  it('migrates once: reopening keeps the data and records each version once', async () => {
    const filename = temp.file();
    const event = testEvent('t-1');
    const first = openStore({ filename });
    await first.transaction((tx) => first.append(tx, [{ event, consumers: ['c'] }]));
    await first.close();
    const second = openStore({ filename });
    openStore({ filename });
    expect((await second.event(event.id))?.event).toEqual(event);
    const db = new Database(filename, { readonly: true });
    expect(db.prepare('SELECT version FROM tidings_migrations').all()).toEqual([
      { version: 1 },
      { version: 2 },
      { version: 3 },
    ]);
    db.close();
  });

  it('refuses tables migrated by a newer version of the library', () => {
    const filename = temp.file();
    openStore({ filename });
    const db = new Database(filename);
    db.prepare("INSERT INTO tidings_migrations VALUES (99, 'from the future', 0)").run();
    db.close();
    expect(() => createSqliteOutboxStore({ filename })).toThrow(/schema version 99/);
  });

  it('keeps stores with different table prefixes apart in one file', async () => {
    const filename = temp.file();
    const a = openStore({ filename, tablePrefix: 'app_a_' });
    const b = openStore({ filename, tablePrefix: 'app_b_' });
    await a.transaction((tx) => a.append(tx, [{ event: testEvent('t-1'), consumers: ['c'] }]));
    expect(await a.events()).toHaveLength(1);
    expect(await b.events()).toEqual([]);
  });
});

describe('options', () => {
  it.each(['bad-prefix', '1abc', 'x; DROP TABLE y', 'a'.repeat(64)])(
    'rejects table prefix %j with a ConfigurationError naming it',
    (tablePrefix) => {
      const attempt = () => createSqliteOutboxStore({ filename: temp.file(), tablePrefix });
      expect(attempt).toThrow(ConfigurationError);
      try {
        attempt();
      } catch (error) {
        expect(ConfigurationError.is(error)).toBe(true);
        expect((error as Error).message).toContain(JSON.stringify(tablePrefix).slice(0, 40));
      }
    },
  );

  it('needs exactly one of filename and database', () => {
    expect(() => createSqliteOutboxStore({})).toThrow(/exactly one of `filename` or `database`; got neither/);
    const db = new Database(':memory:');
    expect(() => createSqliteOutboxStore({ filename: temp.file(), database: db })).toThrow(/got both/);
    db.close();
  });

  it('uses a given connection and leaves it open on close', async () => {
    const db = new Database(temp.file());
    const store = createSqliteOutboxStore({ database: db });
    await store.transaction((tx) => store.append(tx, [{ event: testEvent('t-1'), consumers: ['c'] }]));
    await store.close();
    expect(db.open).toBe(true);
    expect(db.prepare('SELECT count(*) AS n FROM tidings_events').get()).toEqual({ n: 1 });
    db.close();
  });
});

describe('transactions', () => {
  it('rolls back the caller’s own writes and the appended events together', async () => {
    const store = openStore();
    await store.transaction(({ db }) => db.exec('CREATE TABLE orders (id TEXT PRIMARY KEY)'));
    await expect(
      store.transaction(async (tx) => {
        tx.db.prepare('INSERT INTO orders VALUES (?)').run('o-1');
        store.append(tx, [{ event: testEvent('o-1'), consumers: ['c'] }]);
        await Promise.resolve();
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    expect(await store.events()).toEqual([]);
    expect(await store.transaction(({ db }) => db.prepare('SELECT * FROM orders').all())).toEqual([]);
  });

  it('makes one append all-or-nothing even when the caller catches its failure', async () => {
    const store = openStore();
    const existing = testEvent('t-1');
    await store.transaction((tx) => store.append(tx, [{ event: existing, consumers: ['c'] }]));
    const fresh = testEvent('t-2');
    await store.transaction((tx) => {
      expect(() =>
        store.append(tx, [
          { event: fresh, consumers: ['c'] },
          { event: existing, consumers: ['c'] },
        ]),
      ).toThrow(StoreError);
    });
    expect((await store.events()).map((s) => s.event.id)).toEqual([existing.id]);
  });

  it('runs concurrent transactions one after another, even when their work awaits', async () => {
    const store = openStore();
    const trace: string[] = [];
    const work = (name: string) =>
      store.transaction(async (tx) => {
        trace.push(`${name} start`);
        await new Promise((resolve) => setImmediate(resolve));
        store.append(tx, [{ event: testEvent(name), consumers: ['c'] }]);
        trace.push(`${name} end`);
      });
    await Promise.all([work('a'), work('b'), work('c')]);
    expect(trace).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
  });

  it('keeps a relay’s claim out of an open transaction until it commits', async () => {
    const store = openStore();
    let appended!: () => void;
    const inside = new Promise<void>((resolve) => {
      appended = resolve;
    });
    let commit!: () => void;
    const committed = store.transaction(async (tx) => {
      store.append(tx, [{ event: testEvent('t-1'), consumers: ['c'] }]);
      appended();
      await new Promise<void>((resolve) => {
        commit = resolve;
      });
    });
    await inside;
    const claim = store.claim({ consumers: ['c'], limit: 10, leaseMs: 1000, owner: 'r1' });
    commit();
    await committed;
    expect(await claim).toHaveLength(1);
  });

  it('fails fast instead of deadlocking when a store method is awaited inside its own transaction', async () => {
    const store = openStore();
    await expect(store.transaction(() => store.transaction(() => 1))).rejects.toThrow(ConfigurationError);
    await expect(store.transaction(() => store.events())).rejects.toThrow(/inside transaction\(\)/);
  });

  it('rejects append outside a transaction or on another connection', async () => {
    const store = openStore();
    const other = new Database(':memory:');
    const entries = [{ event: testEvent('t-1'), consumers: ['c'] }];
    expect(() => store.append({ db: other }, entries)).toThrow(ConfigurationError);
    await store.transaction(() => {
      expect(() => store.append({ db: other }, entries)).toThrow(/not on this store/);
    });
    const db = await store.transaction((tx) => tx.db);
    expect(() => store.append({ db }, entries)).toThrow(/outside a transaction/);
    const stale = await store.transaction((tx) => tx);
    await store.transaction(() => {
      expect(() => store.append(stale, entries)).toThrow(/already ended/);
    });
    expect(await store.events()).toEqual([]);
    other.close();
  });

  it('accepts a synchronous better-sqlite3 transaction on the same connection and wakes listeners', async () => {
    const db = new Database(temp.file());
    const store = openStore({ database: db });
    const woke = new Promise<void>((resolve) => store.onAppend(resolve));
    const event = testEvent('t-1');
    db.transaction(() => store.append({ db }, [{ event, consumers: ['c'] }]))();
    await woke;
    expect((await store.claim({ consumers: ['c'], limit: 1, leaseMs: 1000, owner: 'r1' }))[0]?.event).toEqual(
      event,
    );
    await store.close();
    db.close();
  });
});

describe('inbox', () => {
  it('markProcessed is true once, then false, also after reopening', async () => {
    const filename = temp.file();
    const store = openStore({ filename });
    const eventId = testEvent().id;
    expect(await store.transaction((tx) => store.markProcessed(tx, 'send-email', eventId))).toBe(true);
    expect(await store.transaction((tx) => store.markProcessed(tx, 'send-email', eventId))).toBe(false);
    const reopened = openStore({ filename });
    expect(await reopened.transaction((tx) => reopened.markProcessed(tx, 'send-email', eventId))).toBe(false);
    expect(await reopened.transaction((tx) => reopened.markProcessed(tx, 'update-dashboard', eventId))).toBe(
      true,
    );
  });
});

describe('closing', () => {
  it('lets queued operations finish, then rejects new ones with ClosedError', async () => {
    const store = createSqliteOutboxStore({ filename: temp.file() });
    const pending = store.transaction((tx) =>
      store.append(tx, [{ event: testEvent('t'), consumers: ['c'] }]),
    );
    const closing = store.close();
    await pending;
    await closing;
    await expect(store.events()).rejects.toSatisfy((error) => ClosedError.is(error));
    await store.close();
  });
});

describe('argument checks', () => {
  it('refuses a lease or retry time that SQLite would store as NULL', async () => {
    const store = openStore();
    await store.transaction((tx) => store.append(tx, [{ event: testEvent('t-1'), consumers: ['c'] }]));
    await expect(
      store.claim({ consumers: ['c'], limit: 1, leaseMs: Number.NaN, owner: 'r1' }),
    ).rejects.toThrow(ConfigurationError);
    const [delivery] = await store.claim({ consumers: ['c'], limit: 1, leaseMs: 1000, owner: 'r1' });
    const ref = { eventId: delivery!.event.id, consumer: 'c', owner: 'r1' };
    await expect(
      store.settle([{ ...ref, outcome: 'retry', error: 'x', retryAt: Number.NaN }]),
    ).rejects.toThrow(/retryAt/);
    expect(await store.deadLetters()).toEqual([]);
  });
});
