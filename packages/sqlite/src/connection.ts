/**
 * Opening the connection and taking the write lock. Several processes may share one file
 * (a relay in a child process), so writes start with `BEGIN IMMEDIATE` and, when another
 * connection holds the lock, retry on timers instead of blocking the event loop: a second
 * connection in the same process could otherwise never get to commit.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { StoreError } from '@tidings/core';
import Database from 'better-sqlite3';

// SQLite's own busy wait blocks the thread; keep it short and wait longer on timers.
const syncBusyMs = 10;

export interface OpenedConnection {
  readonly db: Database.Database;
  /** True when the store opened it, so `close()` must close it. */
  readonly owned: boolean;
}

export function openConnection(
  source: { readonly filename?: string; readonly database?: Database.Database },
  busyTimeoutMs: number,
): OpenedConnection {
  const owned = source.database === undefined;
  const db = source.database ?? new Database(source.filename as string);
  try {
    // Waiting here is synchronous, but only at open and only while another process migrates.
    db.pragma(`busy_timeout = ${Math.round(busyTimeoutMs)}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
  } catch (error) {
    if (owned) db.close();
    throw new StoreError(`Could not open SQLite database ${JSON.stringify(db.name)}: ${String(error)}`, {
      cause: error,
    });
  }
  return { db, owned };
}

/** After migrations: from now on, waits for the write lock happen in `beginWrite`. */
export function useShortBusyWait(db: Database.Database): void {
  db.pragma(`busy_timeout = ${syncBusyMs}`);
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

const sharedBusy = () =>
  Object.assign(new Error('a transaction is open on the shared connection'), { code: 'SQLITE_BUSY_SHARED' });

/**
 * Runs `attempt` until it does not fail with a busy error, with growing pauses, until
 * `busyTimeoutMs` has passed. A transaction already open on the connection is someone
 * else's (an ORM sharing it holds one across awaits): it counts as busy too, so the store
 * never reads or writes inside it.
 */
async function whenFree(db: Database.Database, busyTimeoutMs: number, attempt: () => void): Promise<void> {
  const deadline = performance.now() + busyTimeoutMs;
  let pause = 1;
  for (;;) {
    try {
      if (db.inTransaction) throw sharedBusy();
      attempt();
      return;
    } catch (error) {
      if (!isBusy(error)) throw error;
      if (performance.now() >= deadline) {
        throw new StoreError(
          `SQLite database ${JSON.stringify(db.name)} stayed locked by another connection (or by a transaction an ORM holds open on this one) for more than ` +
            `${busyTimeoutMs} ms. Keep write transactions short, or raise busyTimeoutMs.`,
          { cause: error, details: { busyTimeoutMs } },
        );
      }
      await delay(pause + Math.random() * pause);
      pause = Math.min(pause * 2, 25);
    }
  }
}

/** `BEGIN IMMEDIATE`, once the connection is free (see `whenFree`). */
export function beginWrite(db: Database.Database, busyTimeoutMs: number): Promise<void> {
  return whenFree(db, busyTimeoutMs, () => db.exec('BEGIN IMMEDIATE'));
}

/** Resolves once no transaction is open on the connection: a read then sees only committed rows. */
export function awaitNoTransaction(db: Database.Database, busyTimeoutMs: number): Promise<void> {
  return whenFree(db, busyTimeoutMs, () => undefined);
}
