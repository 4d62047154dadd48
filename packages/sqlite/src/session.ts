/**
 * The store's hold on its connection: every operation queues on one async mutex, writes run
 * in `BEGIN IMMEDIATE` transactions, statements are prepared once, and append listeners are
 * told after commit. The operation modules (append, claim, settle, audit) build on this.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { ClosedError, ConfigurationError, StoreError, TidingsError } from '@tidings/core';
import { describeValue } from '@tidings/core/spi';
import type Database from 'better-sqlite3';
import { awaitNoTransaction, beginWrite } from './connection.ts';
import type { SqliteTx } from './options.ts';
import type { Tables } from './schema.ts';
import { createSerial } from './serial.ts';

export interface Session {
  readonly db: Database.Database;
  readonly tables: Tables;
  readonly clock: () => number;
  /** A statement prepared once per SQL text. */
  statement(sql: string): Database.Statement;
  /** Runs `read` alone on the connection (never inside someone's open transaction). */
  read<T>(method: string, read: () => T): Promise<T>;
  /** Runs `write` alone on the connection, in a write transaction it commits. */
  write<T>(method: string, write: () => T): Promise<T>;
  /** The port's `transaction`: `work` may await; commits when it resolves, rolls back when it throws. */
  transaction<T>(work: (tx: SqliteTx) => T | Promise<T>): Promise<T>;
  /** Checks `tx` for `append` / `markProcessed`: this connection, inside an open transaction. */
  checkTx(method: string, tx: SqliteTx): void;
  /** Records that deliveries were appended in the open transaction: listeners hear after commit. */
  appended(): void;
  /** Tells append listeners now (e.g. after a redrive). */
  notify(): void;
  onAppend(listener: () => void): () => void;
  close(): Promise<void>;
}

interface OpenTransaction {
  readonly tx: SqliteTx;
  open: boolean;
  appended: boolean;
}

export function createSession(options: {
  readonly db: Database.Database;
  readonly owned: boolean;
  readonly tables: Tables;
  readonly clock: () => number;
  readonly busyTimeoutMs: number;
}): Session {
  const { db, owned, tables, clock, busyTimeoutMs } = options;
  const serial = createSerial();
  // Which async flow runs inside this store's open transaction: a store call from there would
  // queue behind the transaction that awaits it, so it fails fast instead of hanging.
  const scope = new AsyncLocalStorage<OpenTransaction>();
  const statements = new Map<string, Database.Statement>();
  const listeners = new Set<() => void>();
  let current: OpenTransaction | undefined;
  // Handles given to transaction work; one kept past its transaction must not write into the next.
  const issued = new WeakSet<SqliteTx>();
  let closed = false;

  const closedError = (what: string) =>
    new ClosedError(`The SQLite outbox store is closed; ${what} cannot run. Create a new store.`);

  function enter(method: string): void {
    if (closed) throw closedError(`${method}()`);
    if (scope.getStore()?.open) {
      throw new ConfigurationError(
        `${method}() was called inside transaction() of the same store and would wait for that transaction forever. ` +
          'Inside the work use the tx argument (append, markProcessed, tx.db); call other store methods after it.',
      );
    }
  }

  function storeError(method: string, error: unknown): unknown {
    if (TidingsError.is(error)) return error;
    return new StoreError(`SQLite outbox store ${method}() failed: ${String(error)}`, { cause: error });
  }

  function rollback(): void {
    try {
      if (db.inTransaction) db.exec('ROLLBACK');
    } catch {
      // The original failure is what matters; SQLite already rolled back if ROLLBACK cannot.
    }
  }

  function notify(): void {
    for (const listener of [...listeners]) {
      try {
        listener();
      } catch {
        // A listener is a wake-up hint; its failure must not fail the committed transaction.
      }
    }
  }

  async function exclusive<T>(method: string, work: () => T | Promise<T>): Promise<T> {
    enter(method);
    return serial.run(work);
  }

  return {
    db,
    tables,
    clock,
    statement(sql) {
      if (!db.open) throw closedError('the query');
      let statement = statements.get(sql);
      if (!statement) {
        statement = db.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
    read(method, read) {
      return exclusive(method, async () => {
        // Not inside a transaction an ORM holds open on a shared connection: its rows are uncommitted.
        if (db.inTransaction) await awaitNoTransaction(db, busyTimeoutMs);
        try {
          return read();
        } catch (error) {
          throw storeError(method, error);
        }
      });
    },
    write(method, write) {
      return exclusive(method, async () => {
        await beginWrite(db, busyTimeoutMs);
        try {
          const result = write();
          db.exec('COMMIT');
          return result;
        } catch (error) {
          rollback();
          throw storeError(method, error);
        }
      });
    },
    async transaction(work) {
      const tx: SqliteTx = Object.freeze({ db });
      issued.add(tx);
      const state: OpenTransaction = { tx, open: true, appended: false };
      const result = await exclusive('transaction', async () => {
        await beginWrite(db, busyTimeoutMs);
        current = state;
        try {
          const value = await scope.run(state, () => work(tx));
          try {
            db.exec('COMMIT');
          } catch (error) {
            throw storeError('transaction', error);
          }
          return value;
        } catch (error) {
          state.appended = false;
          rollback();
          throw error;
        } finally {
          state.open = false;
          current = undefined;
        }
      });
      // After the mutex is free, so a listener that claims at once does not queue behind us.
      if (state.appended) notify();
      return result;
    },
    checkTx(method, tx) {
      // Not `closed`: a transaction queued before close() still runs on the open connection.
      if (!db.open) throw closedError(`${method}()`);
      if (issued.has(tx) && current?.tx !== tx) {
        throw new ConfigurationError(
          `${method}() got the tx of a transaction that has already ended. ` +
            'Use a tx only inside the work it was passed to.',
        );
      }
      if (tx?.db !== db) {
        throw new ConfigurationError(
          `${method}() needs the tx that this store's transaction() passes to its work; got ${describeValue(tx)}, ` +
            'which is not on this store’s connection. Pass `database` to the store to share your connection.',
        );
      }
      if (!db.inTransaction) {
        throw new ConfigurationError(
          `${method}() was called outside a transaction, so its writes would be visible at once. ` +
            'Call it inside store.transaction(tx => …) (or a better-sqlite3 db.transaction on the same connection).',
        );
      }
    },
    appended() {
      if (current) current.appended = true;
      // A synchronous better-sqlite3 db.transaction() has committed by the next turn.
      else setImmediate(notify);
    },
    notify,
    onAppend(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    async close() {
      if (scope.getStore()?.open) {
        throw new ConfigurationError(
          'close() was called inside transaction() of the same store and would wait for it forever; close after it.',
        );
      }
      if (closed) return;
      closed = true;
      // Queued operations finish first; nothing can queue after `closed` is set.
      await serial.run(() => {
        listeners.clear();
        if (owned) db.close();
      });
    },
  };
}
