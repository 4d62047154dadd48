/**
 * WAL checkpoints in a worker thread: the store's connection never checkpoints in a commit,
 * the worker moves committed pages into the database file, one thread serves every store of
 * the process, the last connection to close removes the WAL, and a file the worker cannot
 * checkpoint hands its checkpoints back to the store's connection.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, unlinkSync } from 'node:fs';
import { waitUntil } from '@tidings/testing';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTempDir, type TempDir, testEvent } from '../test/temp-store.ts';
import { startBackgroundCheckpoint } from './checkpoint.ts';
import { createSqliteOutboxStore } from './sqlite-store.ts';

let temp: TempDir;
beforeEach(() => {
  temp = createTempDir();
});
afterEach(() => temp.remove());

const autocheckpoint = (db: Database.Database) => db.pragma('wal_autocheckpoint', { simple: true });

/**
 * Events found in the database file alone, without its WAL: what a checkpoint has moved there.
 * A copy taken while the worker writes pages into the file can be torn; that reads as -1 (not
 * yet), and the poll looks again.
 */
function eventsInMainFile(filename: string): number {
  const copy = `${filename}.copy`;
  copyFileSync(filename, copy);
  const db = new Database(copy, { readonly: true });
  try {
    const table = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'tidings_events'")
      .get();
    return table ? (db.prepare('SELECT count(*) AS n FROM tidings_events').get() as { n: number }).n : 0;
  } catch (error) {
    const code = String((error as { code?: unknown }).code);
    if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return -1;
    throw error;
  } finally {
    db.close();
    unlinkSync(copy);
  }
}

// The worker's own 100 ms tick decides when a checkpoint runs and it tells no one, so the
// tests look at the file itself, with bounded polling.

describe('background checkpoint (the default)', () => {
  it('the store connection never checkpoints, and the worker moves commits into the database file', async () => {
    const filename = temp.file();
    const store = createSqliteOutboxStore({ filename });
    expect(autocheckpoint(store.database)).toBe(0);
    const events = Array.from({ length: 50 }, (_, i) => testEvent(`t-${i}`));
    await store.transaction((tx) =>
      store.append(
        tx,
        events.map((event) => ({ event, consumers: ['c'] })),
      ),
    );
    await waitUntil(() => eventsInMainFile(filename) === events.length, 'the file holds the 50 events');
    await store.close();
  });

  it('close stops the worker, and the last connection removes the WAL', async () => {
    const filename = temp.file();
    const store = createSqliteOutboxStore({ filename });
    await store.transaction((tx) => store.append(tx, [{ event: testEvent('a'), consumers: ['c'] }]));
    expect(existsSync(`${filename}-wal`)).toBe(true);
    await store.close();
    expect(existsSync(`${filename}-wal`)).toBe(false);
    expect(eventsInMainFile(filename)).toBe(1);
  });

  it('gives a connection it was handed its own checkpoint setting back at close', async () => {
    const db = new Database(temp.file());
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 500');
    const store = createSqliteOutboxStore({ database: db });
    expect(autocheckpoint(db)).toBe(0);
    await store.close();
    expect(db.open).toBe(true);
    expect(autocheckpoint(db)).toBe(500);
    db.close();
  });

  it.each([
    ['never closed', ''],
    ['closed at the end of a top-level await', 'await store.close();'],
  ])('lets the process exit when the store is %s', (_case, close) => {
    const script = `
      import { createSqliteOutboxStore } from ${JSON.stringify(new URL('./sqlite-store.ts', import.meta.url).href)};
      const store = createSqliteOutboxStore({ filename: ${JSON.stringify(temp.file())} });
      await store.transaction(() => undefined);
      ${close}
      console.log('done');
    `;
    const child = spawnSync(
      process.execPath,
      ['--conditions=@tidings/source', '--import', 'tsx', '--input-type=module', '-e', script],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe('done');
    expect(child.status).toBe(0);
  });

  it('runs the checkpoints of every store in a process on one thread', async () => {
    const threads = () => readdirSync('/proc/self/task').length;
    const first = createSqliteOutboxStore({ filename: temp.file('first.db') });
    await first.transaction((tx) => first.append(tx, [{ event: testEvent('a'), consumers: ['c'] }]));
    await waitUntil(() => eventsInMainFile(temp.file('first.db')) === 1, 'the first store is checkpointed');
    const before = threads();
    const more = Array.from({ length: 8 }, (_, i) =>
      createSqliteOutboxStore({ filename: temp.file(`more-${i}.db`) }),
    );
    for (const [i, store] of more.entries()) {
      await store.transaction((tx) => store.append(tx, [{ event: testEvent(`m-${i}`), consumers: ['c'] }]));
    }
    await waitUntil(
      () => more.every((_, i) => eventsInMainFile(temp.file(`more-${i}.db`)) === 1),
      'the eight stores are checkpointed',
    );
    // A worker per store would add at least one thread each; libuv's pool, if it starts now, adds 4.
    expect(threads() - before).toBeLessThan(more.length);
    for (const store of [first, ...more]) await store.close();
    expect(more.some((_, i) => existsSync(temp.file(`more-${i}.db-wal`)))).toBe(false);
  });

  it('has nothing to do for an in-memory database, and leaves its checkpoint setting alone', async () => {
    const store = createSqliteOutboxStore({ filename: ':memory:' });
    expect(autocheckpoint(store.database)).toBe(1000);
    await store.transaction((tx) => store.append(tx, [{ event: testEvent('a'), consumers: ['c'] }]));
    await store.close();
  });

  it('reports a worker that cannot run and turns the connection’s own checkpoint back on', async () => {
    const filename = temp.file();
    const db = new Database(filename);
    db.pragma('journal_mode = WAL');
    // The worker opens the file by name with fileMustExist; gone, it fails at start.
    unlinkSync(filename);
    const errors: unknown[] = [];
    const reported = new Promise<void>((resolve) => {
      const checkpoint = startBackgroundCheckpoint(db, (error) => {
        errors.push(error);
        resolve();
      });
      expect(checkpoint).toBeDefined();
    });
    await reported;
    expect(autocheckpoint(db)).toBe(1000);
    expect(String(errors[0])).toMatch(/background WAL checkpoint .* stopped/);
    db.close();
  });
});

describe("checkpoint: 'inline'", () => {
  it('leaves SQLite’s automatic checkpoint on the store connection', async () => {
    const store = createSqliteOutboxStore({ filename: temp.file(), checkpoint: 'inline' });
    expect(autocheckpoint(store.database)).toBe(1000);
    await store.close();
  });

  it('rejects an unknown mode, naming it', () => {
    expect(() =>
      createSqliteOutboxStore({ filename: temp.file(), checkpoint: 'sometimes' as 'inline' }),
    ).toThrow(/checkpoint must be 'background' or 'inline'; got "sometimes"/);
  });
});
