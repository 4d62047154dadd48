/**
 * The PostgreSQL OutboxStore and Inbox: events and deliveries written inside the caller's
 * own transaction, claims with `FOR UPDATE SKIP LOCKED` so any number of relays in any
 * number of processes share the work, and LISTEN/NOTIFY so they wake within milliseconds
 * of a commit instead of polling. The SQL lives in one file per concern; this module holds
 * the connections, the lazy migration and the lifecycle.
 */
import {
  ClosedError,
  type DeadLetter,
  type Inbox,
  type OutboxStore,
  type ReceivedDeadLetters,
  type StoredEvent,
} from '@tidings/core';
import { checkLeaseMs, checkOutcomes, type Delivery, type OutboxEntry } from '@tidings/core/spi';
import pg from 'pg';
import { appendStatement, type Statement } from './append.ts';
import {
  deadLettersStatement,
  deliveriesStatement,
  eventStatement,
  eventsStatement,
  pruneStatement,
  type StatsRow,
  statsStatement,
} from './audit.ts';
import { checkOut } from './checkout.ts';
import { type ClaimedRow, claimStatement, deliveryFromRow } from './claim.ts';
import { type ExtendedRow, extendStatement } from './extend.ts';
import { storeFailure } from './failures.ts';
import { createPostgresInbox, type PostgresInbox, pruneInboxStatement } from './inbox.ts';
import { migrate } from './migrations.ts';
import { createNotifier } from './notifier.ts';
import { type PgQueryable, type PgTx, type PostgresOutboxStoreOptions, resolveOptions } from './options.ts';
import { redriveStatement, settleStatement } from './outcomes.ts';
import { postgresReceivedDeadLetters } from './received-dead-letters.ts';
import { type DeliveryRow, deliveryInfoFromRow, type EventRow, storedEventFromRow } from './rows.ts';

export interface PostgresOutboxStore
  extends OutboxStore<PgTx>,
    Omit<Inbox<PgTx>, keyof PostgresInbox>,
    PostgresInbox {
  /** The consumer's dead letters kept in this store (for `storeDeadLetterSink`, the CLI and the inspector). */
  readonly receivedDeadLetters: ReceivedDeadLetters;
  /**
   * Applies the store's migrations now (otherwise the first call does). Call it at start-up
   * when your pool is small: `append` on a client you hold needs a second one to migrate.
   */
  migrate(): Promise<void>;
  /** Settles once `onAppend` subscriptions are actually LISTENing (or the attempt failed). */
  listening(): Promise<void>;
  /** Deletes inbox records processed before `olderThan` (ms since epoch); resolves with the count. */
  pruneInbox(olderThan: number): Promise<number>;
  /** The pool the store queries through. */
  readonly pool: pg.Pool;
  /** Also accepts a {@link PgQueryable} on an open transaction (how ORM adapters append). */
  append(tx: PgQueryable, entries: readonly OutboxEntry[]): Promise<void>;
  /** The LISTEN/NOTIFY channel appends notify, for your own listeners. */
  readonly channel: string;
}

/**
 * Creates the PostgreSQL outbox store; tables are created on first use.
 *
 * @example
 * const pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/app' });
 * const store = createPostgresOutboxStore({ pool });
 * const client = await pool.connect();
 * await client.query('BEGIN');
 * await client.query('UPDATE orders SET status = $1 WHERE id = $2', ['placed', 'o-1']);
 * await store.append(client, [{ event: OrderPlaced.create({ orderId: 'o-1' }), consumers: ['send-email'] }]);
 * await client.query('COMMIT');
 * client.release();
 */
export function createPostgresOutboxStore(options: PostgresOutboxStoreOptions): PostgresOutboxStore {
  const { names, clock, notify, completion } = resolveOptions(options);
  const ownPool = options.pool === undefined;
  const pool = options.pool ?? new pg.Pool({ connectionString: options.connectionString as string });
  // An idle client that loses its connection is dropped and replaced by the pool; without a
  // listener the 'error' event would crash the process.
  if (ownPool) pool.on('error', () => undefined);
  const notifier = createNotifier(() => new pg.Client(pool.options), names.channel);
  const now = () => Math.floor(clock());
  let ready: Promise<void> | undefined;
  let closing: Promise<void> | undefined;
  let subscribers = 0;

  const ensureReady = (): Promise<void> => {
    if (closing) return Promise.reject(new ClosedError('The PostgreSQL outbox store is closed.'));
    ready ??= migrate(pool, names, clock).then(
      () => undefined,
      (error: unknown) => {
        ready = undefined; // let the next call try again
        throw storeFailure('apply its migrations', error);
      },
    );
    return ready;
  };

  const query = async <R extends object>(
    operation: string,
    statement: Statement,
  ): Promise<pg.QueryResult<R>> => {
    await ensureReady();
    try {
      return await pool.query<R>(statement.text, statement.values as unknown[]);
    } catch (error) {
      throw storeFailure(operation, error);
    }
  };

  const store: PostgresOutboxStore = {
    pool,
    channel: names.channel,

    migrate: ensureReady,

    async transaction(work) {
      await ensureReady();
      const held = await checkOut(pool).catch((error: unknown) => {
        throw storeFailure('connect', error);
      });
      const { client } = held;
      // A connection lost mid-transaction (server restart) rejects the transaction at once,
      // as a StoreError the relay retries; the work's own queries on it fail too.
      const unlessLost = <T>(step: Promise<T>, operation: string): Promise<T> =>
        Promise.race([
          step,
          held.lost.catch((error: unknown) => Promise.reject(storeFailure(operation, error))),
        ]);
      try {
        await unlessLost(client.query('BEGIN'), 'begin a transaction').catch((error: Error) => {
          held.discard(error); // a connection that cannot BEGIN must not go back to the pool
          throw storeFailure('begin a transaction', error);
        });
        let result: Awaited<ReturnType<typeof work>>;
        const working = Promise.resolve().then(() => work(client));
        working.catch(() => undefined); // it may lose the race against a lost connection
        try {
          result = await unlessLost(working, 'run the transaction');
        } catch (error) {
          await client.query('ROLLBACK').catch((rollbackError: Error) => held.discard(rollbackError));
          throw error;
        }
        await unlessLost(client.query('COMMIT'), 'commit the transaction').catch((error: unknown) => {
          throw storeFailure('commit the transaction', error);
        });
        return result;
      } finally {
        held.release();
      }
    },

    async append(tx, entries) {
      if (entries.length === 0) return;
      await ensureReady();
      // Our own listeners must be LISTENing before this NOTIFY commits, or they miss it.
      if (notify && subscribers > 0) await notifier.ready();
      const statement = appendStatement(names, entries, now(), notify);
      try {
        await tx.query(statement.text, statement.values as unknown[]);
      } catch (error) {
        throw storeFailure('append', error);
      }
    },

    ...createPostgresInbox(names, ensureReady, now),

    async claim(request) {
      checkLeaseMs('claim', request.leaseMs);
      const limit = Math.floor(request.limit);
      if (request.consumers.length === 0 || !(limit > 0)) return [];
      const statement = claimStatement(
        names,
        { ...request, limit, leaseMs: Math.ceil(request.leaseMs) },
        now(),
      );
      const { rows } = await query<ClaimedRow>('claim deliveries', statement);
      return rows.map((row): Delivery => deliveryFromRow(row, request.owner));
    },

    async settle(outcomes) {
      if (outcomes.length === 0) return;
      checkOutcomes(outcomes);
      await query('settle deliveries', settleStatement(names, outcomes, now(), completion));
    },

    async extend(refs, leaseMs) {
      checkLeaseMs('extend', leaseMs);
      if (refs.length === 0) return [];
      const until = now() + Math.ceil(leaseMs);
      const { rows } = await query<ExtendedRow>('extend leases', extendStatement(names, refs, until));
      const extended = new Set(rows.map((row) => `${row.consumer}\u0000${row.event_id}`));
      return refs.filter((ref) => extended.has(`${ref.consumer}\u0000${ref.eventId}`));
    },

    async redrive(refs) {
      if (refs.length === 0) return 0;
      const { rows } = await query<{ redriven: number }>(
        'redrive dead letters',
        redriveStatement(names, refs, now()),
      );
      return rows[0]?.redriven ?? 0;
    },

    async deadLetters(request = {}) {
      const { rows } = await query<DeliveryRow & EventRow>(
        'read dead letters',
        deadLettersStatement(names, request),
      );
      return rows.map(
        (row): DeadLetter => ({ ...deliveryInfoFromRow(row), event: storedEventFromRow(row).event }),
      );
    },

    async events(request = {}) {
      const { rows } = await query<EventRow>('query events', eventsStatement(names, request));
      return rows.map(storedEventFromRow);
    },

    async event(id): Promise<StoredEvent | undefined> {
      const { rows } = await query<EventRow>('read an event', eventStatement(names, id));
      return rows[0] && storedEventFromRow(rows[0]);
    },

    async deliveries(eventId) {
      const { rows } = await query<DeliveryRow>('read deliveries', deliveriesStatement(names, eventId));
      return rows.map(deliveryInfoFromRow);
    },

    async stats() {
      const at = now();
      const { rows } = await query<StatsRow>('read statistics', statsStatement(names));
      return rows
        .sort((a, b) => a.consumer.localeCompare(b.consumer))
        .map((row) => ({
          consumer: row.consumer,
          pending: row.pending,
          done: row.done,
          dead: row.dead,
          retrying: row.retrying,
          oldestPendingAgeMs: row.oldest === null ? 0 : Math.max(0, at - Number(row.oldest)),
        }));
    },

    async pruneInbox(olderThan) {
      const result = await query('prune the inbox', pruneInboxStatement(names, olderThan));
      return result.rowCount ?? 0;
    },

    async prune(before) {
      const result = await query('prune events', pruneStatement(names, before));
      return result.rowCount ?? 0;
    },

    listening: () => notifier.ready(),

    receivedDeadLetters: postgresReceivedDeadLetters(names, query, now),

    close() {
      closing ??= (async () => {
        await notifier.close();
        await ready?.catch(() => undefined);
        if (ownPool) await pool.end();
      })();
      return closing;
    },
  };
  // Without NOTIFY there is nothing to listen for: leave onAppend out, so relays poll.
  if (notify) {
    store.onAppend = (listener) => {
      if (closing) throw new ClosedError('The PostgreSQL outbox store is closed; onAppend cannot subscribe.');
      subscribers += 1;
      const stop = notifier.add(listener);
      let active = true;
      return () => {
        if (!active) return;
        active = false;
        subscribers -= 1;
        stop();
      };
    };
  }
  return store;
}
