/**
 * The MySQL / MariaDB OutboxStore and Inbox: events and deliveries written inside the
 * caller's own transaction, claims with `FOR UPDATE SKIP LOCKED` so any number of relays in
 * any number of processes share the work. There is no cheap cross-process wake-up on MySQL
 * (nothing like LISTEN/NOTIFY): `onAppend` hears of appends committed through
 * `store.transaction` in this process, and relays poll for the rest. The SQL lives in one
 * file per concern; this module holds the connections, the lazy migration and the lifecycle.
 */
import {
  ClosedError,
  type DeadLetter,
  type Inbox,
  type OutboxStore,
  type ReceivedDeadLetters,
  type StoredEvent,
} from '@tidings/core';
import { checkLeaseMs } from '@tidings/core/spi';
import type { Pool, PoolConnection } from 'mysql2/promise';
import { appendStatements, type Statement } from './append.ts';
import { createAppendListeners } from './append-listeners.ts';
import {
  deadLettersStatement,
  deliveriesStatement,
  eventStatement,
  eventsStatement,
  pruneStatement,
  type StatsRow,
  statsStatement,
} from './audit.ts';
import { leaseCandidates, leasedDeliveries } from './claim.ts';
import { openPool, run, transactionOf } from './connection.ts';
import { extendedStatement, extendStatement } from './extend.ts';
import { isLockConflict, storeFailure } from './failures.ts';
import { createMysqlInbox, type MysqlInbox } from './inbox.ts';
import { migrate } from './migrations.ts';
import { type MysqlOutboxStoreOptions, type MysqlTx, resolveOptions } from './options.ts';
import { redriveStatement } from './outcomes.ts';
import { mysqlReceivedDeadLetters } from './received-dead-letters.ts';
import { type DeliveryRow, deliveryInfoFromRow, type EventRow, storedEventFromRow } from './rows.ts';
import { settleStatements } from './settle.ts';

export interface MysqlOutboxStore
  extends OutboxStore<MysqlTx>,
    Omit<Inbox<MysqlTx>, keyof MysqlInbox>,
    MysqlInbox {
  /** The consumer's dead letters kept in this store (for `storeDeadLetterSink`, the CLI and the inspector). */
  readonly receivedDeadLetters: ReceivedDeadLetters;
  /**
   * Applies the store's migrations now (otherwise the first call does, unless
   * `autoMigrate: false`). Call it at start-up when your pool is small: `append` on a
   * connection you hold needs a second one to migrate.
   */
  migrate(): Promise<void>;
  /** Deletes inbox records processed before `olderThan` (ms since epoch); resolves with the count. */
  pruneInbox(olderThan: number): Promise<number>;
  /** The promise pool the store queries through. */
  readonly pool: Pool;
  /**
   * Calls `listener` after a `store.transaction` of this store object that appended
   * deliveries commits, and after a redrive. Appends on your own connections and in other
   * processes are not heard: relays find them by polling.
   */
  onAppend(listener: () => void): () => void;
}

interface ResultHeader {
  readonly affectedRows: number;
}

// InnoDB may pick a store statement as a deadlock victim; it is safe to run again.
const lockRetries = 3;

async function retryingLockConflicts<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= lockRetries || !isLockConflict(error)) throw error;
    }
  }
}

/**
 * Creates the MySQL / MariaDB outbox store; tables are created on first use.
 *
 * @example
 * const pool = mysql.createPool({ uri: 'mysql://app@127.0.0.1:3306/app' }); // from 'mysql2/promise'
 * const store = createMysqlOutboxStore({ pool });
 * const conn = await pool.getConnection();
 * await conn.beginTransaction();
 * await conn.query('UPDATE orders SET status = ? WHERE id = ?', ['placed', 'o-1']);
 * await store.append(conn, [{ event: OrderPlaced.create({ orderId: 'o-1' }), consumers: ['send-email'] }]);
 * await conn.commit();
 * conn.release();
 */
export function createMysqlOutboxStore(options: MysqlOutboxStoreOptions): MysqlOutboxStore {
  const { names, clock, autoMigrate } = resolveOptions(options);
  const db = openPool(options);
  const now = () => Math.floor(clock());
  // Connections store.transaction began: they are known to be inside a transaction.
  const ours = new WeakSet<object>();
  // Of those, the ones whose transaction appended deliveries: listeners hear after commit.
  const appendedIn = new WeakSet<object>();
  const listeners = createAppendListeners();
  let ready: Promise<void> | undefined;
  let closing: Promise<void> | undefined;

  const checkOpen = () => {
    if (closing) throw new ClosedError('The MySQL outbox store is closed.');
  };

  const connect = () =>
    db.connect().catch((error: unknown) => {
      throw storeFailure('connect', error);
    });

  /** Runs `work` on a pooled connection; one left in an unknown state is destroyed, not reused. */
  const withConnection = async <T>(work: (connection: PoolConnection) => Promise<T>): Promise<T> => {
    const connection = await connect();
    let broken = true;
    try {
      const result = await work(connection);
      broken = false;
      return result;
    } finally {
      if (broken) connection.destroy();
      else connection.release();
    }
  };

  const migrateWith = (apply: boolean) =>
    withConnection((connection) => migrate(connection, names, now(), apply)).then(
      () => undefined,
      (error: unknown) => {
        throw storeFailure('apply its migrations', error);
      },
    );

  const ensureReady = (): Promise<void> => {
    if (closing) return Promise.reject(new ClosedError('The MySQL outbox store is closed.'));
    ready ??= migrateWith(autoMigrate).catch((error: unknown) => {
      ready = undefined; // let the next call try again
      throw error;
    });
    return ready;
  };

  const query = async <R>(operation: string, statement: Statement): Promise<R> => {
    await ensureReady();
    try {
      return await retryingLockConflicts(() => run<R>(db.pool, statement.sql, statement.values));
    } catch (error) {
      throw storeFailure(operation, error);
    }
  };

  const inTransaction = async (tx: MysqlTx, operation: string): Promise<MysqlTx> =>
    ours.has(tx) ? tx : transactionOf(tx, operation);

  return {
    pool: db.pool,

    async migrate() {
      checkOpen();
      await migrateWith(true);
      ready = Promise.resolve();
    },

    async transaction(work) {
      await ensureReady();
      const connection = await connect();
      let broken = false;
      try {
        await connection.beginTransaction().catch((error: unknown) => {
          broken = true; // a connection that cannot begin must not go back to the pool
          throw storeFailure('begin a transaction', error);
        });
        ours.add(connection);
        let result: Awaited<ReturnType<typeof work>>;
        try {
          result = await work(connection);
        } catch (error) {
          await connection.rollback().catch(() => {
            broken = true;
          });
          throw error;
        }
        await connection.commit().catch((error: unknown) => {
          broken = true;
          throw storeFailure('commit the transaction', error);
        });
        if (appendedIn.has(connection)) listeners.notify();
        return result;
      } finally {
        ours.delete(connection);
        appendedIn.delete(connection);
        if (broken) connection.destroy();
        else connection.release();
      }
    },

    async append(tx, entries) {
      if (entries.length === 0) return;
      const statements = appendStatements(names, entries, now());
      await ensureReady();
      const connection = await inTransaction(tx, 'append');
      try {
        for (const statement of statements) await run(connection, statement.sql, statement.values);
      } catch (error) {
        throw storeFailure('append', error);
      }
      if (ours.has(connection) && entries.some((entry) => entry.consumers.length > 0)) {
        appendedIn.add(connection);
      }
    },

    ...createMysqlInbox(names, ensureReady, inTransaction, now),

    async claim(request) {
      checkLeaseMs('claim', request.leaseMs);
      const limit = Math.floor(request.limit);
      if (request.consumers.length === 0 || !(limit > 0)) return [];
      await ensureReady();
      const at = now();
      const leased = { ...request, limit, leaseMs: Math.ceil(request.leaseMs) };
      try {
        return await retryingLockConflicts(() =>
          withConnection(async (connection) => {
            await run(connection, 'SET TRANSACTION ISOLATION LEVEL READ COMMITTED');
            await run(connection, 'START TRANSACTION');
            let seqs: number[];
            try {
              seqs = await leaseCandidates(connection, names, leased, at);
              await run(connection, 'COMMIT');
            } catch (error) {
              await run(connection, 'ROLLBACK').catch(() => undefined); // the connection is destroyed anyway
              throw error;
            }
            return leasedDeliveries(connection, names, seqs, request.owner);
          }),
        );
      } catch (error) {
        throw storeFailure('claim deliveries', error);
      }
    },

    async settle(outcomes) {
      const statements = settleStatements(names, outcomes, now());
      if (statements.length === 0) return;
      await ensureReady();
      try {
        await retryingLockConflicts(() =>
          withConnection(async (connection) => {
            await connection.beginTransaction();
            try {
              for (const statement of statements) await run(connection, statement.sql, statement.values);
              await connection.commit();
            } catch (error) {
              await connection.rollback().catch(() => undefined); // destroyed anyway
              throw error;
            }
          }),
        );
      } catch (error) {
        throw storeFailure('settle deliveries', error);
      }
    },

    async extend(refs, leaseMs) {
      checkLeaseMs('extend', leaseMs);
      if (refs.length === 0) return [];
      const until = now() + Math.ceil(leaseMs);
      const result = await query<ResultHeader>('extend leases', extendStatement(names, refs, until));
      // A call carries each delivery once and each matches one row: all matched, all held.
      if (result.affectedRows >= refs.length) return refs;
      const rows = await query<{ event_id: string; consumer: string }[]>(
        'extend leases',
        extendedStatement(names, refs, until),
      );
      const held = new Set(rows.map((row) => `${row.consumer}\u0000${row.event_id}`));
      return refs.filter((ref) => held.has(`${ref.consumer}\u0000${ref.eventId}`));
    },

    async redrive(refs) {
      if (refs.length === 0) return 0;
      const result = await query<ResultHeader>('redrive dead letters', redriveStatement(names, refs, now()));
      if (result.affectedRows > 0) listeners.notify();
      return result.affectedRows;
    },

    async deadLetters(request = {}) {
      const rows = await query<(DeliveryRow & EventRow)[]>(
        'read dead letters',
        deadLettersStatement(names, request),
      );
      return rows.map(
        (row): DeadLetter => ({ ...deliveryInfoFromRow(row), event: storedEventFromRow(row).event }),
      );
    },

    async events(request = {}) {
      const rows = await query<EventRow[]>('query events', eventsStatement(names, request));
      return rows.map(storedEventFromRow);
    },

    async event(id): Promise<StoredEvent | undefined> {
      const rows = await query<EventRow[]>('read an event', eventStatement(names, id));
      return rows[0] && storedEventFromRow(rows[0]);
    },

    async deliveries(eventId) {
      const rows = await query<DeliveryRow[]>('read deliveries', deliveriesStatement(names, eventId));
      return rows.map(deliveryInfoFromRow);
    },

    async stats() {
      const at = now();
      const rows = await query<StatsRow[]>('read statistics', statsStatement(names));
      return rows
        .sort((a, b) => a.consumer.localeCompare(b.consumer))
        .map((row) => ({
          consumer: row.consumer,
          pending: Number(row.pending),
          done: Number(row.done),
          dead: Number(row.dead),
          retrying: Number(row.retrying),
          oldestPendingAgeMs: row.oldest === null ? 0 : Math.max(0, at - Number(row.oldest)),
        }));
    },

    async prune(before) {
      const result = await query<ResultHeader>('prune events', pruneStatement(names, before));
      return result.affectedRows;
    },

    receivedDeadLetters: mysqlReceivedDeadLetters(names, query, now),

    onAppend(listener) {
      checkOpen();
      return listeners.add(listener);
    },

    async pruneInbox(olderThan) {
      const result = await query<ResultHeader>('prune the inbox', {
        sql: `DELETE FROM ${names.inbox} WHERE processed_at < ?`,
        values: [Math.ceil(olderThan)],
      });
      return result.affectedRows;
    },

    close() {
      listeners.clear();
      closing ??= (async () => {
        await ready?.catch(() => undefined);
        await db.close();
      })();
      return closing;
    },
  };
}
